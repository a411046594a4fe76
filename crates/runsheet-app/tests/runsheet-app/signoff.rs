use runsheet_app::ErrorKind;
use runsheet_core::event::ItemState;

use crate::support::home;

fn finish(h: &crate::support::Home, run: &str, who: &str) {
    for t in ["Backup taken", "Port 8001 free", "Deploy version 3.1.0", "Smoke test the checkout"] {
        let id = h.item(run, t);
        h.app.set_item(run, &id, ItemState::Done, None, None, who).expect("done");
    }
}

#[test]
fn roles_match_ignoring_case_and_are_recorded_as_the_run_names_them() {
    // Regression (issue 10): only the CLI normalised the role's case; the desktop recorded what was typed.
    let h = home("rolecase");
    let run = h.run();
    finish(&h, &run, "alice");
    let ev = h.app.sign_off(&run, "  qa lead ", "bob", None).expect("bob may sign");
    match ev.body {
        runsheet_core::event::EventBody::SignedOff { role, .. } => assert_eq!(role, "QA Lead"),
        other => panic!("expected a sign-off, got {other:?}"),
    }
    let e = h.app.sign_off(&run, "QA LEAD", "carol", None).expect_err("signed already");
    assert_eq!(e.kind, ErrorKind::Refused, "{}", e.message);
    let e = h.app.sign_off(&run, "Nobody", "carol", None).expect_err("no such role");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("QA Lead"), "the message lists the run's roles: {}", e.message);
}

#[test]
fn four_eyes_refuses_the_executor_with_the_reason() {
    let h = home("foureyes");
    let run = h.run();
    finish(&h, &run, "alice");
    let e = h.app.sign_off(&run, "Release Manager", "Alice", None).expect_err("alice executed the items");
    assert_eq!(e.kind, ErrorKind::Refused);
    assert!(e.message.contains("four-eyes"), "says why: {}", e.message);
}

#[test]
fn a_waiver_needs_a_reason_and_lifts_a_failed_item() {
    let h = home("waive");
    let run = h.run();
    finish(&h, &run, "alice");
    let smoke = h.item(&run, "Smoke test the checkout");
    h.app.set_item(&run, &smoke, ItemState::Failed, None, None, "alice").expect("failed");
    assert!(h.app.sign_off(&run, "Release Manager", "bob", None).is_err(), "a failed item blocks");
    assert_eq!(h.app.waive(&run, &smoke, " ", "carol").expect_err("no reason").kind, ErrorKind::Invalid);
    h.app.waive(&run, "Smoke test the checkout", "known flaky, retested by hand", "carol").expect("waived");
    h.app.sign_off(&run, "Release Manager", "bob", None).expect("the waiver lifts the block");
}
