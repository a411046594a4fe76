//! Tests of the event model (`event.rs`) and the run fold (`run.rs`): hashing, chains, fold order, validation,
//! and the Markdown export re-importing to the same items. Modules mirror `src/`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use runsheet_core::event::{verify_chain, ChainError, Event, EventBody, ItemState, Parent};
use runsheet_core::run::{RunError, RunState, RunStatus};
use runsheet_core::Checklist;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 18, 0, 0).single().unwrap_or_default()
}

const MD: &str = "# Deploy\n\n## Prepare\n\n- [ ] Announce\n- [ ] Back up\n  - [ ] Test restore\n\n## Go\n\n- [ ] Deploy `./deploy.sh prod`\n\n- [ ] Release Manager: ____\n";

fn checklist() -> Checklist {
    runsheet_core::import::parse("deploy.md", MD).expect("parse")
}

fn ids(c: &Checklist) -> Vec<String> {
    c.items().into_iter().map(|(_, _, i)| i.id.clone()).collect()
}

fn created(device: &str) -> Event {
    Event::new(
        "e0".into(),
        "run1".into(),
        device.into(),
        &[],
        t0(),
        "alice".into(),
        EventBody::RunCreated {
            title: "t".into(),
            version: None,
            environment: None,
            window_start: None,
            window_end: None,
            operator: "alice".into(),
            checklist_id: "c1".into(),
            checklist: Box::new(checklist()),
        },
    )
}

fn set(id: &str, device: &str, parents: &[&Event], item: &str, state: ItemState, actor: &str, min: i64) -> Event {
    let parents: Vec<Parent> = parents.iter().map(|e| Parent::from(*e)).collect();
    Event::new(
        id.into(),
        "run1".into(),
        device.into(),
        &parents,
        t0() + Duration::minutes(min),
        actor.into(),
        EventBody::ItemSet { item: item.into(), state, reason: Some("r".into()), note: None },
    )
}

mod event {
    use super::*;

    #[test]
    fn hash_is_canonical_and_covers_every_field() {
        let e = created("dev-a");
        assert!(e.verify_hash());
        assert_eq!(e.hash.len(), 64, "hex SHA-256");
        assert_eq!(e.hash, created("dev-a").hash, "same content, same hash");
        let mut edited = e.clone();
        edited.actor = "mallory".into();
        assert!(!edited.verify_hash(), "the actor is covered");
        let mut edited = e.clone();
        edited.at += Duration::seconds(1);
        assert!(!edited.verify_hash(), "the time is covered");
        let mut edited = e.clone();
        edited.device = "dev-b".into();
        assert!(!edited.verify_hash(), "the device is covered");
        // Round trip through JSON keeps the hash valid (the store and JSON logs rely on it).
        let back: Event = serde_json::from_str(&serde_json::to_string(&e).expect("ser")).expect("de");
        assert!(back.verify_hash());
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":1,"x":"é\n"}],"c":null}}"#).expect("json");
        assert_eq!(runsheet_core::event::canonical_json(&v), r#"{"a":{"c":null,"z":[{"x":"é\n","y":1}]},"b":1}"#);
    }

    #[test]
    fn lamport_is_one_above_the_highest_parent_and_parents_are_sorted() {
        let c = created("a");
        let x = set("x", "a", &[&c], "k", ItemState::Done, "alice", 1);
        let y = set("y", "b", &[&c, &x], "k", ItemState::Done, "bob", 2);
        assert_eq!((c.lamport, x.lamport, y.lamport), (1, 2, 3));
        let mut sorted = y.parents.clone();
        sorted.sort();
        assert_eq!(y.parents, sorted);
    }

    #[test]
    fn verify_chain_names_the_first_bad_event() {
        let c = created("a");
        let x = set("x", "a", &[&c], "k", ItemState::Done, "alice", 1);
        let y = set("y", "a", &[&x], "k", ItemState::Failed, "alice", 2);
        assert_eq!(verify_chain("run1", &[c.clone(), x.clone(), y.clone()]).expect("ok"), vec![y.hash.clone()]);
        assert!(matches!(
            verify_chain("run1", &[c.clone(), y.clone(), x.clone()]),
            Err(ChainError::ParentAfterChild { id, .. }) if id == "y"
        ));
        assert!(matches!(
            verify_chain("run1", &[c.clone(), y.clone()]),
            Err(ChainError::MissingParent { id, .. }) if id == "y"
        ));
        let mut bad = x.clone();
        bad.lamport = 7;
        bad.hash = bad.compute_hash(); // a forger who rehashes still breaks the Lamport rule
        assert!(matches!(
            verify_chain("run1", &[c.clone(), bad]),
            Err(ChainError::BadLamport { found: 7, expected: 2, .. })
        ));
        assert!(matches!(verify_chain("run1", &[x.clone()]), Err(ChainError::BadStart { .. })));
        assert!(matches!(verify_chain("other", &[c]), Err(ChainError::WrongRun { .. })));
    }
}

mod run {
    use super::*;

    #[test]
    fn fold_is_independent_of_input_order_and_last_writer_wins() {
        let c = created("dev-a");
        let items = ids(&checklist());
        let k = items[0].as_str();
        // Two devices changed the same item concurrently (same Lamport counter): device id breaks the tie.
        let a = set("a1", "dev-a", &[&c], k, ItemState::Done, "alice", 5);
        let b = set("b1", "dev-b", &[&c], k, ItemState::Failed, "bob", 1);
        let m = set("m", "dev-a", &[&a, &b], items[1].as_str(), ItemState::Done, "alice", 6);
        let s1 = RunState::fold(vec![c.clone(), a.clone(), b.clone(), m.clone()]).expect("fold");
        let s2 = RunState::fold(vec![m, b, c, a]).expect("fold");
        assert_eq!(s1, s2, "the same events in any order fold to the same state");
        assert_eq!(s1.items[k].state, ItemState::Failed, "dev-b sorts after dev-a at the same Lamport counter");
        assert_eq!(s1.items[k].actors, vec!["alice".to_string(), "bob".to_string()]);
        assert_eq!(s1.heads().len(), 1, "the merge event joins both branches");
    }

    #[test]
    fn check_refuses_what_cannot_apply() {
        let s = RunState::fold(vec![created("a")]).expect("fold");
        let item = ids(&s.checklist)[0].clone();
        let it = |state, reason: Option<&str>| EventBody::ItemSet {
            item: item.clone(),
            state,
            reason: reason.map(str::to_string),
            note: None,
        };
        assert_eq!(s.check(&it(ItemState::Skipped, None)), Err(RunError::ReasonRequired(item.clone())));
        assert_eq!(s.check(&it(ItemState::Skipped, Some(" "))), Err(RunError::ReasonRequired(item.clone())));
        assert_eq!(s.check(&it(ItemState::Skipped, Some("not needed"))), Ok(()));
        let unknown = EventBody::NoteAdded { item: "zz".into(), note: "n".into() };
        assert_eq!(s.check(&unknown), Err(RunError::UnknownItem("zz".into())));
        let role = EventBody::SignedOff { role: "CEO".into(), name: "x".into(), comment: None };
        assert_eq!(s.check(&role), Err(RunError::UnknownRole("CEO".into())));
        let ok_role = EventBody::SignedOff { role: "Release Manager".into(), name: "x".into(), comment: None };
        assert_eq!(s.check(&ok_role), Ok(()), "roles come from the checklist's sign-off lines");
        assert_eq!(s.check(&created("a").body), Err(RunError::AlreadyCreated));
        assert_eq!(s.settings.four_eyes, true, "four-eyes is on by default");
    }

    #[test]
    fn progress_and_status() {
        let c = created("a");
        let items = ids(&checklist());
        let mut events = vec![c.clone()];
        let s = RunState::fold(events.clone()).expect("fold");
        assert_eq!(s.status(), RunStatus::NotStarted);
        let mut last = c;
        for (n, id) in items.iter().enumerate() {
            let state = if n == 0 { ItemState::Failed } else { ItemState::Done };
            let e = set(&format!("e{n}x"), "a", &[&last], id, state, "alice", n as i64);
            events.push(e.clone());
            last = e;
        }
        let s = RunState::fold(events.clone()).expect("fold");
        assert_eq!(s.status(), RunStatus::Failed, "nothing pending but one failed");
        let e = set("fix", "a", &[&last], &items[0], ItemState::NotApplicable, "alice", 60);
        events.push(e);
        let s = RunState::fold(events).expect("fold");
        assert_eq!(s.status(), RunStatus::Complete);
        assert_eq!(s.progress().total, items.len());
    }

    #[test]
    fn markdown_export_reimports_to_the_same_items() {
        let c = created("a");
        let items = ids(&checklist());
        let e = set("x", "a", &[&c], &items[1], ItemState::Skipped, "bob", 1);
        let s = RunState::fold(vec![c, e]).expect("fold");
        let md = runsheet_core::run::export_markdown(&s);
        assert!(md.contains("skipped by bob"), "{md}");
        let back = runsheet_core::import::parse("export.md", &md).expect("re-import");
        let texts = |c: &Checklist| c.items().into_iter().map(|(_, _, i)| (i.id.clone(), i.text.clone())).collect::<Vec<_>>();
        assert_eq!(texts(&back), texts(&s.checklist));
        assert_eq!(back.signoffs.len(), s.checklist.signoffs.len());
    }
}

mod probe_added {
    use super::*;
    use runsheet_core::signoff::{blockers, Blocker};

    fn event(id: &str, parent: &Event, min: i64, body: EventBody) -> Event {
        Event::new(id.into(), "run1".into(), "d1".into(), &[Parent::from(parent)], t0() + Duration::minutes(min), "bob".into(), body)
    }

    #[test]
    fn an_added_probe_joins_the_item_and_needs_evidence_before_sign_off() {
        let c0 = created("d1");
        let c = checklist();
        let deploy = ids(&c)[3].clone();
        let source = "kind = \"tcp\"\naddress = \"127.0.0.1:1\"\n".to_string();
        let add = event("e1", &c0, 1, EventBody::ProbeAdded { item: deploy.clone(), source: source.clone() });
        let mut state = RunState::fold(vec![c0.clone(), add.clone()]).expect("fold");
        assert_eq!(state.probes(&deploy).len(), 1, "the added probe follows the checklist's (none here)");
        assert_eq!(state.effective_checklist().item(&deploy).map(|i| i.probes.len()), Some(1));
        assert_eq!(state.checklist.item(&deploy).map(|i| i.probes.len()), Some(0), "the frozen checklist is unchanged");

        // A block that does not parse is refused before it is recorded.
        let bad = EventBody::ProbeAdded { item: deploy.clone(), source: "kind = \"tcp\"\nadress = 1\n".into() };
        assert!(matches!(state.check(&bad), Err(RunError::InvalidProbe { .. })));
        assert!(state.check(&EventBody::ProbeAdded { item: "nope".into(), source }).is_err());

        // Every item done: the sign-off is still blocked by the added probe's missing evidence.
        let mut evs = vec![c0, add];
        for (n, id) in ids(&c).iter().enumerate() {
            let prev = evs.last().expect("events").clone();
            evs.push(event(&format!("s{n}"), &prev, 2 + n as i64, EventBody::ItemSet { item: id.clone(), state: ItemState::Done, reason: None, note: None }));
        }
        state = RunState::fold(evs.clone()).expect("fold");
        assert_eq!(state.status(), RunStatus::Complete);
        let b = blockers(&state, "Release Manager", "carol", t0() + Duration::minutes(30));
        assert!(b.iter().any(|b| matches!(b, Blocker::MissingEvidence { item } if item == &deploy)), "{b:?}");
        assert!(verify_chain("run1", &evs).is_ok(), "probe_added events chain like any other");
    }
}


mod one_fold {
    use super::*;
    use runsheet_core::signoff::{blockers, statuses};

    fn event(id: &str, parent: &Event, min: i64, actor: &str, body: EventBody) -> Event {
        Event::new(id.into(), "run1".into(), "d1".into(), &[Parent::from(parent)], t0() + Duration::minutes(min), actor.into(), body)
    }

    /// Every item done except the first, which failed and was then waived.
    fn waived_failure() -> Vec<Event> {
        let mut evs = vec![created("d1")];
        for (n, id) in ids(&checklist()).iter().enumerate() {
            let state = if n == 0 { ItemState::Failed } else { ItemState::Done };
            let prev = evs.last().expect("events").clone();
            evs.push(event(&format!("s{n}"), &prev, 1 + n as i64, "alice", EventBody::ItemSet { item: id.clone(), state, reason: None, note: None }));
        }
        let prev = evs.last().expect("events").clone();
        let first = ids(&checklist())[0].clone();
        evs.push(event("w", &prev, 20, "carol", EventBody::Waived { item: first, reason: "known".into(), approver: "carol".into() }));
        evs
    }

    #[test]
    fn a_waived_failure_settles_the_run() {
        let s = RunState::fold(waived_failure()).expect("fold");
        assert_eq!(s.status(), RunStatus::Complete, "a waived item counts as settled, even a failed one");
        assert_eq!(s.to_json(t0())["status"], "complete", "the JSON view shows the same status");
        let md = runsheet_core::run::export_markdown(&s);
        assert!(md.contains("status: complete"), "{md}");
    }

    #[test]
    fn signing_every_role_makes_a_complete_run_signed() {
        let mut evs = waived_failure();
        let prev = evs.last().expect("events").clone();
        evs.push(event("so", &prev, 30, "bob", EventBody::SignedOff { role: "release manager".into(), name: "bob".into(), comment: None }));
        let s = RunState::fold(evs).expect("fold");
        assert_eq!(s.signoffs[0].role, "Release Manager", "the canonical role name is stored");
        assert_eq!(s.status(), RunStatus::Signed);
        assert_eq!(statuses(&s, t0())[0].signed_by.as_deref(), Some("bob"));
        assert_eq!(RunStatus::parse(s.status().as_str()), Some(RunStatus::Signed), "as_str reads back");
    }

    #[test]
    fn roles_match_case_insensitively_and_trimmed() {
        let s = RunState::fold(vec![created("d1")]).expect("fold");
        assert_eq!(s.role("  release MANAGER ").map(|r| r.name.as_str()), Some("Release Manager"));
        let lower = EventBody::SignedOff { role: "release manager".into(), name: "bob".into(), comment: None };
        assert_eq!(s.check(&lower), Ok(()), "a role is found whatever its case");
        assert!(matches!(s.check(&EventBody::RoleAdded { role: "RELEASE manager".into() }), Err(RunError::DuplicateRole(_))));
        assert!(!blockers(&s, "release manager", "bob", t0()).iter().any(|b| matches!(b, runsheet_core::signoff::Blocker::UnknownRole { .. })));
    }

    #[test]
    fn blocked_and_failed_are_distinct_statuses() {
        let c = created("d1");
        let items = ids(&checklist());
        let b = event("b", &c, 1, "alice", EventBody::ItemSet { item: items[0].clone(), state: ItemState::Blocked, reason: None, note: None });
        assert_eq!(RunState::fold(vec![c.clone(), b.clone()]).expect("fold").status(), RunStatus::Blocked);
        let w = event("w", &b, 2, "carol", EventBody::Waived { item: items[0].clone(), reason: "r".into(), approver: "carol".into() });
        assert_eq!(RunState::fold(vec![c, b, w]).expect("fold").status(), RunStatus::InProgress, "waived blocks no more");
    }

    #[test]
    fn checked_items_start_pending_in_a_new_run() {
        let mut c = checklist();
        c.phases[0].sections[0].items[0].checked = true;
        let mut e = created("d1");
        if let EventBody::RunCreated { checklist, .. } = &mut e.body {
            **checklist = c;
        }
        let s = RunState::fold(vec![e]).expect("fold");
        assert!(s.items.values().all(|i| i.state == ItemState::Pending), "a run is a new execution");
        assert_eq!(s.status(), RunStatus::NotStarted);
    }

    #[test]
    fn secret_grants_fold_and_are_checked() {
        let c = created("d1");
        let ok = EventBody::SecretGranted { secret: "db_password".into(), host: "db.example.com".into() };
        let s = RunState::fold(vec![c.clone()]).expect("fold");
        assert_eq!(s.check(&ok), Ok(()));
        assert_eq!(ok.kind(), "secret_granted");
        for bad in [("", "h"), ("bad name", "h"), ("s", ""), ("s", "https://h/x"), ("s", "h h")] {
            let body = EventBody::SecretGranted { secret: bad.0.into(), host: bad.1.into() };
            assert!(matches!(s.check(&body), Err(RunError::InvalidGrant(_))), "{bad:?} must be refused");
        }
        let g = event("g", &c, 1, "alice", ok);
        let s = RunState::fold(vec![c, g]).expect("fold");
        assert!(s.grants["db_password"].contains("db.example.com"));
    }
}
