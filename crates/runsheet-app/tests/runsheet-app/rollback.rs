//! The rollback view (`rollback_view`) after declarations and decisions, and the contacts card filled in from a
//! form (`fill_contact`, `contact_cards`): what the desktop's run view shows of them.

use runsheet_app::rollback::RollbackDecision;
use runsheet_app::view::ContactDetailInput;
use runsheet_app::ErrorKind;

use crate::support::home;

const DAY: &str = "# Deploy web

## Deploy

- [ ] Ship the new image

## Rollback procedures

- [ ] Rollback if error rate > 5% for 5 minutes
- [ ] Restore the previous image

## Emergency Contacts

- Primary: [Name] - [Phone]
- DBA on call: Jane Doe, +1 555 0100
";

fn day_run(h: &crate::support::Home) -> String {
    let c = h.app.import_bytes("day.md", DAY.as_bytes()).expect("the checklist imports");
    let new = runsheet_app::runs::NewRun { checklist: c.id, title: "Day".into(), ..Default::default() };
    h.app.create_run(new, "op").expect("a run is created")
}

#[test]
fn a_declared_trigger_waits_for_a_decision_and_rollback_switches_the_phase() {
    let h = home("rollback-view");
    let run = day_run(&h);
    let v = h.app.rollback_view(&run).unwrap();
    // Only the "Rollback if …" item under the rollback heading is a trigger; nothing fired yet.
    assert_eq!(v.triggers.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["Rollback if error rate > 5% for 5 minutes"]);
    assert!(v.open.is_empty() && v.active_phase.is_none());
    let trigger = v.triggers[0].item.clone();

    h.app.declare_trigger(&run, &trigger, Some(" error rate 7% ".into()), "op").unwrap();
    let v = h.app.rollback_view(&run).unwrap();
    assert_eq!(v.open.len(), 1, "a declaration waits for a decision");
    assert_eq!((v.open[0].item.as_str(), v.open[0].summary.as_deref(), v.open[0].by.as_str()), (trigger.as_str(), Some("error rate 7%"), "op"));

    let e = h.app.decide_rollback(&run, &trigger, RollbackDecision::Continue.into(), Some(" ".into()), "op").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid, "continuing needs a reason: {e}");
    assert_eq!(h.app.rollback_view(&run).unwrap().open.len(), 1, "a refused decision records nothing");

    h.app.decide_rollback(&run, &trigger, RollbackDecision::Rollback.into(), None, "op").unwrap();
    let v = h.app.rollback_view(&run).unwrap();
    assert!(v.open.is_empty());
    assert_eq!(v.active_phase_title.as_deref(), Some("Rollback procedures"), "the run now works in its rollback phase");
}

#[test]
fn placeholders_are_missing_until_a_form_fills_them_in() {
    let h = home("contacts-card");
    let run = day_run(&h);
    let cards = h.app.contact_cards(&run).unwrap();
    let missing: Vec<(&str, u32)> = cards.iter().map(|c| (c.role.as_str(), c.missing)).collect();
    assert_eq!(missing, [("Primary", 2), ("DBA on call", 0)]);

    let form = |kind: &str, value: &str| ContactDetailInput { kind: kind.into(), label: None, value: value.into() };
    // An empty box is left out: the phone placeholder stays missing.
    h.app.fill_contact(&run, "primary", vec![form("name", " Sam Rivera "), form("phone", "  ")], "op").unwrap();
    let primary = h.app.contact_cards(&run).unwrap().into_iter().find(|c| c.role == "Primary").unwrap();
    assert_eq!(primary.missing, 1);
    assert_eq!(primary.details[0].value.as_deref(), Some("Sam Rivera"));

    let e = h.app.fill_contact(&run, "Primary", vec![form("phone", "")], "op").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid, "a form with nothing filled in is refused: {e}");
}
