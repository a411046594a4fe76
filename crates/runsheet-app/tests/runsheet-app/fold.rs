//! One fold, three readers: random event sets (random arrival order, random duplicates) fold to one `RunState`, and
//! the CLI's JSON (`RunState::to_json`, what `runsheet run show --json` prints), the desktop's view models
//! (`view::run_view`, `view::signoff_view`) and the report's input (`ReportInput::from_state`, what the PDF prints)
//! agree on item states, progress, status, sign-offs and blockers.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use runsheet_app::view;
use runsheet_core::event::{Event, EventBody, GateMode, ItemState};
use runsheet_core::run::{RunState, RunStatus};
use runsheet_core::signoff::statuses;
use runsheet_core::Checklist;
use runsheet_report::ReportInput;

const CHECKLIST: &str = "# Payments Release

## Preparation

- [ ] Backup taken
- [ ] Health endpoint answers

  ```probe
  kind = \"http\"
  url = \"http://127.0.0.1:9/health\"
  ```

## Rollout

- [ ] Deploy version 3.1.0
  - [ ] Canary at 5 %
- [ ] Smoke test the checkout

## Sign-off

- [ ] QA Lead: ______ Date: ____
- [ ] Release Manager: ______ Date: ____
";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0).single().expect("a valid time")
}

fn checklist() -> Checklist {
    runsheet_app::library::decode_and_parse("payments.md", CHECKLIST.as_bytes()).expect("the checklist parses").1
}

/// Every item id of the checklist, nested ones included.
fn item_ids(c: &Checklist) -> Vec<String> {
    fn walk(items: &[runsheet_core::Item], out: &mut Vec<String>) {
        for i in items {
            out.push(i.id.clone());
            walk(&i.children, out);
        }
    }
    let mut out = Vec::new();
    for p in &c.phases {
        for s in &p.sections {
            walk(&s.items, &mut out);
        }
    }
    out
}

/// One random event about the checklist.
fn body(kind: u8, item: &str, pick: u8, at: DateTime<Utc>) -> EventBody {
    let states = ItemState::ALL;
    let roles = ["QA Lead", "release manager", " RELEASE MANAGER ", "Nobody", "Security"];
    let people = ["Dana Ops", "Sam Lead", "sam lead", "Rita"];
    match kind % 10 {
        0..=2 => {
            let state = states[pick as usize % states.len()];
            let reason = (state == ItemState::Skipped).then(|| "r".to_string());
            EventBody::ItemSet { item: item.into(), state, reason, note: (pick % 3 == 0).then(|| format!("n{pick}")) }
        }
        3 => EventBody::Waived { item: item.into(), reason: "w".into(), approver: people[pick as usize % 4].into() },
        4 => EventBody::SignedOff {
            role: roles[pick as usize % roles.len()].into(),
            name: people[(pick / 8) as usize % 4].into(),
            comment: None,
        },
        5 => {
            let evidence = if pick % 7 == 0 {
                // Unreadable evidence counts as failing everywhere.
                serde_json::json!({ "kind": "http", "garbage": true })
            } else {
                // Some of it older than its 15 minutes of freshness at the time the readers look.
                let started = at - TimeDelta::minutes(i64::from(pick % 40));
                let outcome = ["pass", "fail", "timeout", "error"][pick as usize % 4];
                serde_json::json!({
                    "kind": "http", "target": "GET http://127.0.0.1:9/health", "probe": 0,
                    "started_at": started, "ended_at": started, "duration_ms": pick,
                    "outcome": outcome,
                    "detail": "d", "fresh_for_secs": 900
                })
            };
            EventBody::Evidence { item: item.into(), evidence }
        }
        6 => EventBody::NoteAdded { item: item.into(), note: format!("note {pick}") },
        7 => EventBody::SettingsChanged {
            four_eyes: (pick % 4 != 0).then_some(pick % 2 == 0),
            gate_mode: Some(if pick % 3 == 0 { GateMode::Strict } else { GateMode::Advisory }),
        },
        8 => EventBody::RoleAdded { role: roles[pick as usize % roles.len()].into() },
        _ => EventBody::ProbeArmed { item: item.into() },
    }
}

fn event(n: usize, lamport: u64, device: u8, at: DateTime<Utc>, actor: &str, body: EventBody) -> Event {
    Event {
        id: format!("e{n:03}"),
        run_id: "run-fold".into(),
        device: format!("d{}", device % 3),
        device_seq: None,
        lamport,
        parents: vec![],
        at,
        actor: actor.into(),
        body,
        hash: format!("h{n:03}"),
        author: None,
    }
}

fn events(specs: &[(u8, u8, u8, u8, u8)]) -> Vec<Event> {
    let c = checklist();
    let items = item_ids(&c);
    let created = EventBody::RunCreated {
        title: "Payments 3.1.0".into(),
        version: Some("3.1.0".into()),
        environment: Some("production".into()),
        window_start: Some(t0()),
        window_end: Some(t0() + TimeDelta::hours(2)),
        operator: "Dana Ops".into(),
        checklist_id: "payments".into(),
        checklist: Box::new(c),
    };
    let mut out = vec![event(999, 0, 0, t0(), "Dana Ops", created)];
    for (n, (kind, item, pick, lamport, device)) in specs.iter().enumerate() {
        let at = t0() + TimeDelta::minutes(i64::from(*lamport));
        let actor = ["Dana Ops", "Sam Lead", "Rita"][*pick as usize % 3];
        let body = body(*kind, &items[*item as usize % items.len()], *pick, at);
        out.push(event(n, 1 + u64::from(*lamport % 12), *device, at, actor, body));
    }
    out
}

/// `events` in the order of `keys`, with the events at `dups` repeated; duplicates are then dropped by id, as a
/// store merging the same event twice does.
fn arrive(events: &[Event], keys: &[u32], dups: &[usize]) -> Vec<Event> {
    let mut all: Vec<(u32, Event)> =
        events.iter().enumerate().map(|(i, e)| (keys.get(i).copied().unwrap_or(0), e.clone())).collect();
    for d in dups {
        if let Some(e) = events.get(d % events.len().max(1)) {
            all.push((keys.get(*d).copied().unwrap_or(7), e.clone()));
        }
    }
    all.sort_by_key(|(k, _)| *k);
    let mut seen = BTreeSet::new();
    all.into_iter().filter(|(_, e)| seen.insert(e.id.clone())).map(|(_, e)| e).collect()
}

/// `(id, state)` of every item in the CLI JSON's item tree.
fn json_item_states(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    for it in v.as_array().into_iter().flatten() {
        out.push((it["id"].as_str().unwrap_or("").into(), it["state"].as_str().unwrap_or("").into()));
        json_item_states(&it["children"], out);
    }
}

/// The item a core blocker is about, if any (sign-off blockers without a signer name items only).
fn blocker_item(b: &runsheet_core::signoff::Blocker) -> Option<String> {
    use runsheet_core::signoff::Blocker as B;
    match b {
        B::ItemOpen { item, .. }
        | B::MissingEvidence { item }
        | B::StaleEvidence { item, .. }
        | B::FailingEvidence { item, .. }
        | B::FourEyes { item } => Some(item.clone()),
        _ => None,
    }
}

/// The desktop's word for a status in the CLI JSON: the UI shows a failed run as blocked.
fn desktop_word(cli: &str) -> &'static str {
    match cli {
        "not_started" => "not_started",
        "in_progress" => "in_progress",
        "blocked" | "failed" => "blocked",
        "monitoring" => "monitoring",
        "complete" => "completed",
        "signed" => "signed",
        _ => "unknown",
    }
}

fn check(state: &RunState, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let cli = state.to_json(now);
    let desktop = view::run_view(state, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let signoffs = view::signoff_view(state, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let report = ReportInput::from_state(state, now).map_err(|e| TestCaseError::fail(e.to_string()))?;

    // Item states: the CLI's item tree, the desktop's item map and the report's item list.
    let mut from_cli = Vec::new();
    for p in cli["phases"].as_array().into_iter().flatten() {
        for s in p["sections"].as_array().into_iter().flatten() {
            json_item_states(&s["items"], &mut from_cli);
        }
    }
    let from_report: Vec<(String, String)> =
        report.phases.iter().flat_map(|p| p.items()).map(|i| (i.id.clone(), i.state.as_str().to_string())).collect();
    let from_desktop: Vec<(String, String)> = from_cli
        .iter()
        .map(|(id, _)| {
            let st = desktop.items.get(id).map(|s| ItemState::from(s.state).as_str().to_string());
            (id.clone(), st.unwrap_or_else(|| "missing".into()))
        })
        .collect();
    prop_assert_eq!(from_cli.len(), item_ids(&state.checklist).len(), "the CLI JSON lists every item");
    prop_assert_eq!(&from_cli, &from_report, "CLI JSON and report disagree on item states");
    prop_assert_eq!(&from_cli, &from_desktop, "CLI JSON and desktop view disagree on item states");

    // Progress and status.
    let p = &desktop.summary.progress;
    let cp = &cli["progress"];
    for (name, got) in [("done", p.done), ("skipped", p.skipped), ("failed", p.failed), ("blocked", p.blocked)] {
        prop_assert_eq!(cp[name].as_u64(), Some(u64::from(got)), "progress {} differs", name);
    }
    let cli_status = cli["status"].as_str().unwrap_or("").to_string();
    let desktop_status = serde_json::to_value(desktop.summary.status).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(desktop_status.as_str(), Some(desktop_word(&cli_status)), "status: CLI {}", cli_status);
    prop_assert_eq!(serde_json::to_value(report.status).ok(), Some(cli["status"].clone()), "report status");
    let word = match report.status {
        RunStatus::Failed => "FAILED",
        RunStatus::Blocked => "BLOCKED",
        RunStatus::NotStarted | RunStatus::InProgress => "IN PROGRESS",
        RunStatus::Monitoring => "MONITORING",
        RunStatus::Complete | RunStatus::Signed => "COMPLETED",
    };
    prop_assert!(report.outcome().starts_with(word), "{} vs {}", cli_status, report.outcome());

    // Sign-offs: who signed each role, and which items block the unsigned ones.
    let rules = statuses(state, now);
    prop_assert_eq!(&cli["signoffs"], &serde_json::to_value(&rules).unwrap_or_default(), "CLI sign-offs are the rules'");
    prop_assert_eq!(report.signoffs.len(), rules.len());
    prop_assert_eq!(signoffs.roles.len(), rules.len());
    for ((rule, shown), printed) in rules.iter().zip(&signoffs.roles).zip(&report.signoffs) {
        prop_assert_eq!(&rule.role, &shown.role);
        prop_assert_eq!(&rule.role, &printed.role);
        prop_assert_eq!(rule.signed_by.as_deref(), shown.signed.as_ref().map(|s| s.name.as_str()), "signer of {}", rule.role);
        prop_assert_eq!(&rule.signed_by, &printed.signed_by, "printed signer of {}", rule.role);
        let rule_items: BTreeSet<String> = rule.blockers.iter().filter_map(blocker_item).collect();
        let shown_items: BTreeSet<String> = shown.blockers.iter().map(|b| b.item.clone()).collect();
        prop_assert_eq!(&rule_items, &shown_items, "blockers of {}", rule.role);
    }
    Ok(())
}

#[test]
fn the_fixture_has_a_probe_a_nested_item_and_two_roles() {
    let state = RunState::fold(events(&[])).expect("a created run folds");
    assert_eq!(state.probes(&item_ids(&state.checklist)[1]).len(), 1, "the health item carries its probe");
    let nested = state.checklist.items().into_iter().any(|(_, _, i)| !i.children.is_empty());
    assert!(nested, "an item has a nested item");
    assert_eq!(state.roles.len(), 2, "QA Lead and Release Manager from the sign-off section");
    check(&state, t0()).expect("a fresh run reads the same everywhere");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn every_front_end_reads_one_fold_whatever_the_arrival_order(
        specs in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..48),
        keys_a in proptest::collection::vec(any::<u32>(), 49),
        keys_b in proptest::collection::vec(any::<u32>(), 49),
        dups in proptest::collection::vec(0usize..49, 0..6),
        later in 0i64..60,
    ) {
        let evs = events(&specs);
        let a = RunState::fold(arrive(&evs, &keys_a, &dups)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = RunState::fold(arrive(&evs, &keys_b, &[])).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&a, &b, "two arrival orders of one event set fold to one state");
        check(&a, t0() + TimeDelta::minutes(later))?;
    }
}
