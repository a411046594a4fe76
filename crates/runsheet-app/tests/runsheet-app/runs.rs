use runsheet_app::runs::SettingsPatch;
use runsheet_app::ErrorKind;
use runsheet_core::event::{GateMode, ItemState};

use crate::support::home;

#[test]
fn skip_needs_a_reason_and_items_resolve_by_prefix_or_text() {
    let h = home("skip");
    let run = h.run();
    let e = h.app.set_item(&run, "Backup taken", ItemState::Skipped, None, None, "op").expect_err("no reason");
    assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
    let id = h.item(&run, "Backup taken");
    let c = h.app.set_item(&run, &id[..id.len() - 1], ItemState::Done, None, None, "op").expect("prefix works");
    assert_eq!(c.item, id);
    assert_eq!(h.app.run(&run).expect("folds").items[&id].state, ItemState::Done);
}

#[test]
fn advisory_gates_warn_and_strict_gates_refuse() {
    let h = home("gates");
    let run = h.run();
    let later = h.item(&run, "Deploy version 3.1.0");
    let c = h.app.set_item(&run, &later, ItemState::Done, None, None, "op").expect("advisory allows");
    assert!(!c.warnings.is_empty(), "an open earlier phase is a warning in advisory mode");
    h.app.set_settings(&run, SettingsPatch { four_eyes: None, gate_mode: Some(GateMode::Strict) }, "lead").expect("set");
    let smoke = h.item(&run, "Smoke test the checkout");
    let e = h.app.set_item(&run, &smoke, ItemState::Done, None, None, "op").expect_err("strict refuses");
    assert_eq!(e.kind, ErrorKind::Refused, "a rule refusal is its own kind, not Internal: {}", e.message);
}
