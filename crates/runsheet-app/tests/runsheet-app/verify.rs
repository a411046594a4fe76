use runsheet_app::export::{Format, Paper};
use runsheet_app::verify::{verify_bytes, verify_log, Verified};
use runsheet_core::event::ItemState;

use crate::support::home;

/// The run log check is the one a signed PDF's attached log gets (runsheet-report `check_run_log`), for every
/// front end: besides the hash chain, a `/2` log's `head_hashes` and `run_id` must be what its events say, and a
/// log without events proves nothing. (The app's own copy checked the chain only, so the CLI and the desktop
/// disagreed about the same file.)
/// A named way of breaking a run log document.
type Breaker = (&'static str, Box<dyn Fn(&mut serde_json::Value)>);

#[test]
fn a_run_log_verifies_only_when_its_claims_match_its_events() {
    let h = home("verify-log");
    let run = h.run();
    let item = h.item(&run, "Backup taken");
    h.app.set_item(&run, &item, ItemState::Done, None, None, "op").expect("set");
    let log = h.app.export(&run, Format::Json, Paper::A4).expect("the run log exports").bytes;

    let good = verify_log("run.json", &log).expect("a JSON run log is checked");
    assert!(good.ok, "an untouched export verifies: {:?}", good.problem);
    assert_eq!(good.format.as_deref(), Some("runsheet-run-log/2"));
    assert_eq!((good.events, good.heads.len()), (2, 1), "two events, one head");

    let doc: serde_json::Value = serde_json::from_slice(&log).expect("json");
    let breakers: Vec<Breaker> = vec![
        ("head_hashes naming another event", Box::new(|v| {
            let first = v["events"][0]["hash"].clone();
            v["head_hashes"] = serde_json::json!([first]);
        })),
        ("a run_id that is not the events' run", Box::new(|v| v["run_id"] = "0193-not-this-run".into())),
        ("no events at all", Box::new(|v| v["events"] = serde_json::json!([]))),
        ("an edited event", Box::new(|v| v["events"][1]["actor"] = "mallory".into())),
    ];
    for (what, breaker) in breakers {
        let mut bad = doc.clone();
        breaker(&mut bad);
        assert_ne!(bad, doc, "{what}: the breaker changed something");
        let bytes = serde_json::to_vec(&bad).expect("json");
        let check = verify_log("bad.json", &bytes).expect("still a JSON document");
        assert!(!check.ok, "{what}: must not verify");
        let problem = check.problem.unwrap_or_default();
        assert!(problem.starts_with("run log bad.json does not verify: "), "{what}: names the file: {problem}");
        // Dropped files take the same path.
        let Verified::Log(dropped) = verify_bytes("bad.json", &bytes).expect("checked") else { panic!("a log") };
        assert!(!dropped.ok, "{what}: a dropped file is judged the same");
    }

    let err = verify_log("notes.txt", b"deploy went fine").expect_err("not JSON");
    assert_eq!(err.message, "notes.txt is not a PDF, database or JSON run log");
}
