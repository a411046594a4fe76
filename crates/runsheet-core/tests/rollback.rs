//! Rollback triggers from data: which items a checklist's Markdown makes triggers (`suggest::suggest_trigger`,
//! `RunState::is_trigger`), and scripted runs against a controllable clock — probe evidence that fires a trigger,
//! declarations, decisions — each with the fold's answer: open firings, the first blocker, the active phase, and
//! what `RunState::check` refuses. Mirrors `src/run.rs`, `src/suggest.rs` and `src/signoff.rs`.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use expect_test::{expect, Expect};
use runsheet_core::event::{Event, EventBody, ItemState, Parent};
use runsheet_core::probe::{Evidence, Outcome};
use runsheet_core::run::RunState;
use runsheet_core::signoff::{self, Blocker, GateVerdict};
use runsheet_core::Checklist;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 18, 0, 0).single().unwrap_or_default()
}

const MD: &str = r#"# Deploy web

## Deploy

- [ ] Ship the new image
- [ ] Error rate stays low
  ```probe
  kind = "http"
  url = "http://127.0.0.1:1/errors"
  rollback_trigger = true
  ```
- [ ] Smoke test
  ```probe
  kind = "http"
  url = "http://127.0.0.1:1/smoke"
  ```
- [ ] Rollback if nobody answers (not under a rollback heading: no trigger)

## Rollback procedures

- [ ] Rollback if error rate > 5% for 5 minutes
- [ ] Roll back when checkout fails twice
- [ ] Restore the previous image

### Rollback triggers

- [ ] Any double charge

**Approved By**:
- [ ] Release Manager: ____
"#;

fn checklist() -> Checklist {
    runsheet_core::import::parse("deploy.md", MD).expect("the test checklist parses")
}

/// The item whose text starts with `prefix` (the scripts name items by text, as people do).
fn item(c: &Checklist, prefix: &str) -> String {
    let found: Vec<String> =
        c.items().into_iter().filter(|(_, _, i)| i.text.starts_with(prefix)).map(|(_, _, i)| i.id.clone()).collect();
    assert_eq!(found.len(), 1, "exactly one item starts with {prefix:?}: {found:?}");
    found[0].clone()
}

#[test]
fn markdown_makes_triggers_of_rollback_conditions_and_trigger_probes() {
    let c = checklist();
    let state = RunState::fold(vec![created(&c)]).expect("fold");
    let out: Vec<String> = c
        .items()
        .into_iter()
        .map(|(_, _, i)| match state.trigger_reason(&i.id) {
            Some(why) => format!("{}  <- trigger: {why}", i.text),
            None => i.text.clone(),
        })
        .collect();
    expect![[r#"
        Ship the new image
        Error rate stays low  <- trigger: a probe with rollback_trigger = true
        Smoke test
        Rollback if nobody answers (not under a rollback heading: no trigger)
        Rollback if error rate > 5% for 5 minutes  <- trigger: "rollback if…" under a rollback heading
        Roll back when checkout fails twice  <- trigger: "roll back when…" under a rollback heading
        Restore the previous image
        Any double charge  <- trigger: item of section "Rollback triggers""#]]
    .assert_eq(&out.join("\n"));
    // The suggestion is not written into the checklist: the JSON keeps its shape (and frozen runs their hashes).
    let json = serde_json::to_string(&c).expect("json");
    assert_eq!(json.matches("trigger\"").count(), 1, "no trigger field on items, only the probe's own: {json}");
    assert!(json.contains("\"rollback_trigger\":true"), "the probe's own field is kept in its spec");
    let smoke = c.item(&item(&c, "Smoke test")).expect("smoke");
    let spec = serde_json::to_value(&smoke.probes[0].spec).expect("json");
    assert!(spec.get("rollback_trigger").is_none(), "false is left out, so older frozen specs hash the same: {spec}");
}

#[test]
fn a_probe_block_reads_rollback_trigger_as_a_boolean_and_writes_it_back() {
    let spec = runsheet_core::probe::parse("kind = \"tcp\"\naddress = \"127.0.0.1:1\"\nrollback_trigger = true\n")
        .expect("valid block");
    assert!(spec.rollback_trigger);
    assert!(spec.to_toml().contains("rollback_trigger = true"), "{}", spec.to_toml());
    let plain = runsheet_core::probe::parse("kind = \"tcp\"\naddress = \"127.0.0.1:1\"\n").expect("valid block");
    assert!(!plain.rollback_trigger && !plain.to_toml().contains("rollback_trigger"), "{}", plain.to_toml());
    let bad = runsheet_core::probe::parse("kind = \"tcp\"\naddress = \"127.0.0.1:1\"\nrollback_trigger = \"yes\"\n")
        .expect_err("a string is not a boolean");
    assert!(bad.to_string().contains("rollback_trigger"), "the error names the field: {bad}");
}

fn created(c: &Checklist) -> Event {
    Event::new(
        "e00".into(),
        "run1".into(),
        "dev".into(),
        &[],
        t0(),
        "alice".into(),
        EventBody::RunCreated {
            title: "v2 to prod".into(),
            version: None,
            environment: None,
            window_start: None,
            window_end: None,
            operator: "alice".into(),
            checklist_id: "c1".into(),
            checklist: Box::new(c.clone()),
        },
    )
}

fn evidence(probe: u32, outcome: Outcome, at: DateTime<Utc>) -> serde_json::Value {
    Evidence {
        kind: "http".into(),
        target: "GET http://127.0.0.1:1/errors".into(),
        probe,
        started_at: at,
        ended_at: at,
        duration_ms: 3,
        outcome,
        attempts: 1,
        status_code: Some(if outcome == Outcome::Pass { 200 } else { 503 }),
        exit_code: None,
        sha256: None,
        bytes: 0,
        excerpt: String::new(),
        excerpt_truncated: false,
        detail: format!("status {}", if outcome == Outcome::Pass { 200 } else { 503 }),
        fresh_for_secs: 900,
        refusal: None,
    }
    .to_value()
}

/// Play a script on a fresh run, one step a minute, and describe the fold after each step. Steps:
/// `ITEM-PREFIX: declare [summary]`, `ITEM-PREFIX: evidence N pass|fail` (recorded, then whatever
/// `fired_by_evidence` says is recorded too, as the app does), `ITEM-PREFIX: decide rollback|continue [reason]`,
/// `ITEM-PREFIX: set done|failed`. A step `check` refuses is reported and not recorded.
fn play(script: &str) -> String {
    let c = checklist();
    let mut state = RunState::fold(vec![created(&c)]).expect("fold");
    let mut out = Vec::new();
    let mut n = 0;
    let record = |state: &mut RunState, body: EventBody, actor: &str, n: &mut i64| -> Result<Event, String> {
        state.check(&body).map_err(|e| e.to_string())?;
        *n += 1;
        let parents: Vec<Parent> = state.heads().into_iter().map(Parent::from).collect();
        let e = Event::new(format!("e{n:02}"), "run1".into(), "dev".into(), &parents, t0() + Duration::minutes(*n), actor.into(), body);
        state.apply(e.clone());
        Ok(e)
    };
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (who, rest) = line.split_once(':').expect("ITEM: step");
        let id = item(&c, who.trim());
        let words: Vec<&str> = rest.split_whitespace().collect();
        let result = match words.as_slice() {
            ["declare", summary @ ..] => record(
                &mut state,
                EventBody::TriggerFired { trigger: id, probe: None, evidence: None, summary: Some(summary.join(" ")) },
                "alice",
                &mut n,
            )
            .map(|e| format!("fired ({})", e.id)),
            ["evidence", p, outcome] => {
                let outcome = if *outcome == "pass" { Outcome::Pass } else { Outcome::Fail };
                let body = EventBody::Evidence {
                    item: id.clone(),
                    evidence: evidence(p.parse().expect("probe number"), outcome, t0() + Duration::minutes(n + 1)),
                };
                record(&mut state, body, "alice", &mut n).and_then(|e| match state.fired_by_evidence(&id, &e.id) {
                    Some(fired) => record(&mut state, fired, "alice", &mut n).map(|f| format!("recorded {}, fired ({})", e.id, f.id)),
                    None => Ok(format!("recorded {}, nothing fired", e.id)),
                })
            }
            ["decide", d, reason @ ..] => {
                let decision = runsheet_core::event::Decision::parse(d).expect("a decision");
                let reason = Some(reason.join(" ")).filter(|r| !r.is_empty());
                record(&mut state, EventBody::RollbackDecided { trigger: id, decision, reason }, "carol", &mut n)
                    .map(|e| format!("decided ({})", e.id))
            }
            ["set", s] => {
                let st = ItemState::parse(s).expect("a state");
                record(&mut state, EventBody::ItemSet { item: id, state: st, reason: None, note: None }, "bob", &mut n)
                    .map(|e| format!("set ({})", e.id))
            }
            other => panic!("unknown step {other:?}"),
        };
        out.push(format!("{line}\n  -> {}", result.unwrap_or_else(|e| format!("refused: {e}"))));
        out.push(format!("  {}", describe(&state, &c)));
    }
    out.join("\n")
}

/// Open firings (item text), the first blocker of the run, the active phase's title.
fn describe(state: &RunState, c: &Checklist) -> String {
    let text = |id: &str| c.item(id).map_or(id.to_string(), |i| i.text.chars().take(24).collect());
    let open: Vec<String> = state.open_triggers().iter().map(|t| text(&t.trigger)).collect();
    let first = match signoff::run_blockers(state, t0()).first() {
        Some(Blocker::TriggerOpen { item, .. }) => format!("trigger {}", text(item)),
        Some(Blocker::ItemOpen { item, state }) => format!("{} {}", text(item), signoff::state_name(*state)),
        Some(other) => other.to_string(),
        None => "none".into(),
    };
    let active = state
        .active_phase
        .as_ref()
        .and_then(|id| c.phases.iter().find(|p| &p.id == id))
        .map_or("-".to_string(), |p| p.title.clone());
    format!("open {open:?} | first blocker: {first} | active phase: {active}")
}

fn check(script: &str, expect: Expect) {
    expect.assert_eq(&play(script));
}

#[test]
fn a_failing_trigger_probe_fires_once_and_a_rollback_switches_the_phase() {
    check(
        "Error rate: evidence 0 pass
         Error rate: evidence 0 fail
         Error rate: evidence 0 fail
         Error rate: decide rollback
         Error rate: evidence 0 fail",
        expect![[r#"
            Error rate: evidence 0 pass
              -> recorded e01, nothing fired
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Error rate: evidence 0 fail
              -> recorded e02, fired (e03)
              open ["Error rate stays low"] | first blocker: trigger Error rate stays low | active phase: -
            Error rate: evidence 0 fail
              -> recorded e04, nothing fired
              open ["Error rate stays low"] | first blocker: trigger Error rate stays low | active phase: -
            Error rate: decide rollback
              -> decided (e05)
              open [] | first blocker: Rollback if error rate > pending | active phase: Rollback procedures
            Error rate: evidence 0 fail
              -> recorded e06, nothing fired
              open [] | first blocker: Rollback if error rate > pending | active phase: Rollback procedures"#]],
    );
}

/// After `continue`, the next failure asks again; once a rollback is decided, further failures of the same
/// trigger are expected and fire nothing.
#[test]
fn continuing_asks_again_on_the_next_failure() {
    check(
        "Error rate: evidence 0 fail
         Error rate: decide continue one bad minute
         Error rate: evidence 0 fail",
        expect![[r#"
            Error rate: evidence 0 fail
              -> recorded e01, fired (e02)
              open ["Error rate stays low"] | first blocker: trigger Error rate stays low | active phase: -
            Error rate: decide continue one bad minute
              -> decided (e03)
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Error rate: evidence 0 fail
              -> recorded e04, fired (e05)
              open ["Error rate stays low"] | first blocker: trigger Error rate stays low | active phase: -"#]],
    );
}

#[test]
fn a_probe_that_is_not_a_trigger_fires_nothing() {
    check(
        "Smoke test: evidence 0 fail
         Smoke test: declare it looked bad",
        expect![[r#"
            Smoke test: evidence 0 fail
              -> recorded e01, nothing fired
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Smoke test: declare it looked bad
              -> refused: item `eeba9dd2e397` is not a rollback trigger (see `runsheet run show` for the run's triggers)
              open [] | first blocker: Rollback if error rate > pending | active phase: -"#]],
    );
}

#[test]
fn declared_triggers_need_a_decision_and_continuing_needs_a_reason() {
    check(
        "Rollback if nobody: declare phones ringing
         Roll back when: decide rollback
         Rollback if error: declare 5xx at 7% for 6 minutes
         Rollback if error: declare again
         Rollback if error: decide continue
         Rollback if error: decide continue a bad canary, traffic already drained
         Rollback if error: decide rollback
         Any double charge: declare ticket 4411
         Any double charge: decide rollback",
        expect![[r#"
            Rollback if nobody: declare phones ringing
              -> refused: item `09bfb599d1d5` is not a rollback trigger (see `runsheet run show` for the run's triggers)
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Roll back when: decide rollback
              -> refused: rollback trigger `10c9e0fd2f10` has not fired, or its firing is already decided
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Rollback if error: declare 5xx at 7% for 6 minutes
              -> fired (e01)
              open ["Rollback if error rate >"] | first blocker: trigger Rollback if error rate > | active phase: -
            Rollback if error: declare again
              -> refused: rollback trigger `a8a5b6fd70d8` has already fired and waits for a decision
              open ["Rollback if error rate >"] | first blocker: trigger Rollback if error rate > | active phase: -
            Rollback if error: decide continue
              -> refused: trigger `a8a5b6fd70d8`: continuing needs a reason
              open ["Rollback if error rate >"] | first blocker: trigger Rollback if error rate > | active phase: -
            Rollback if error: decide continue a bad canary, traffic already drained
              -> decided (e02)
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Rollback if error: decide rollback
              -> refused: rollback trigger `a8a5b6fd70d8` has not fired, or its firing is already decided
              open [] | first blocker: Rollback if error rate > pending | active phase: -
            Any double charge: declare ticket 4411
              -> fired (e03)
              open ["Any double charge"] | first blocker: trigger Any double charge | active phase: -
            Any double charge: decide rollback
              -> decided (e04)
              open [] | first blocker: Rollback if error rate > pending | active phase: Rollback procedures"#]],
    );
}

#[test]
fn an_open_trigger_leads_the_gate_and_sign_off_blockers_but_never_gates_the_rollback_phase() {
    let c = checklist();
    let (ship, trig, restore) = (item(&c, "Ship"), item(&c, "Rollback if error"), item(&c, "Restore"));
    let first = created(&c);
    let fired = Event::new(
        "e01".into(),
        "run1".into(),
        "dev".into(),
        &[Parent::from(&first)],
        t0() + Duration::minutes(1),
        "alice".into(),
        EventBody::TriggerFired { trigger: trig.clone(), probe: None, evidence: None, summary: None },
    );
    let state = RunState::fold(vec![first, fired]).expect("fold");
    match signoff::gate_check(&state, &ship) {
        GateVerdict::Warn { blockers } => {
            assert_eq!(blockers.first(), Some(&Blocker::TriggerOpen { item: trig.clone(), at: t0() + Duration::minutes(1) }))
        }
        other => panic!("advisory mode warns about the open trigger first: {other:?}"),
    }
    assert_eq!(signoff::gate_check(&state, &restore), GateVerdict::Open, "the rollback phase is never gated");
    let b = signoff::blockers(&state, "Release Manager", "dana", t0());
    assert!(matches!(b.first(), Some(Blocker::TriggerOpen { .. })), "a sign-off waits for the decision first: {b:?}");
    let statuses = signoff::statuses(&state, t0());
    assert!(matches!(statuses[0].blockers.first(), Some(Blocker::TriggerOpen { .. })), "{statuses:?}");
}

/// Two laptops decided the same firing at the same time (a merge): the first decision in fold order stands, the
/// other stays in the timeline and changes nothing; two concurrent firings of one trigger make one open firing.
#[test]
fn concurrent_firings_and_decisions_fold_the_same_in_any_order() {
    let c = checklist();
    let trig = item(&c, "Rollback if error");
    let first = created(&c);
    let at = |m: i64| t0() + Duration::minutes(m);
    let ev = |id: &str, dev: &str, parents: &[&Event], m: i64, body: EventBody| {
        let p: Vec<Parent> = parents.iter().map(|e| Parent::from(*e)).collect();
        Event::new(id.into(), "run1".into(), dev.into(), &p, at(m), dev.into(), body)
    };
    let fire = |s: &str| EventBody::TriggerFired { trigger: trig.clone(), probe: None, evidence: None, summary: Some(s.into()) };
    let fa = ev("fa", "a", &[&first], 1, fire("seen on a"));
    let fb = ev("fb", "b", &[&first], 1, fire("seen on b"));
    let decide = |d: runsheet_core::event::Decision, r: &str| EventBody::RollbackDecided {
        trigger: trig.clone(),
        decision: d,
        reason: Some(r.into()),
    };
    let da = ev("da", "a", &[&fa, &fb], 2, decide(runsheet_core::event::Decision::Rollback, "a says roll back"));
    let db = ev("db", "b", &[&fa, &fb], 2, decide(runsheet_core::event::Decision::Continue, "b says go on"));
    let events = vec![first, fa, fb, da, db];
    let mut reversed = events.clone();
    reversed.reverse();
    let (x, y) = (RunState::fold(events).expect("fold"), RunState::fold(reversed).expect("fold"));
    assert_eq!(x.triggers, y.triggers, "insertion order does not matter");
    assert_eq!(x.triggers.len(), 1, "one open firing per trigger: {:?}", x.triggers);
    assert_eq!(x.triggers[0].summary.as_deref(), Some("seen on a"), "device a sorts first");
    let d = x.triggers[0].decision.as_ref().expect("decided");
    assert_eq!((d.by.as_str(), d.decision.as_str()), ("a", "rollback"), "the first decision in fold order stands");
    assert_eq!(x.active_phase, x.rollback_phase(&trig), "and it switched the run to the rollback phase");
    assert_eq!(x.timeline.len(), 5, "the ignored events stay in the timeline");
}

/// The Markdown export names each firing and its decision in its header, and still re-imports to the same items.
#[test]
fn the_markdown_export_names_firings_and_decisions() {
    let c = checklist();
    let trig = item(&c, "Rollback if error");
    let first = created(&c);
    let fired = Event::new(
        "e01".into(),
        "run1".into(),
        "dev".into(),
        &[Parent::from(&first)],
        t0() + Duration::minutes(1),
        "alice".into(),
        EventBody::TriggerFired { trigger: trig.clone(), probe: None, evidence: None, summary: Some("5xx -- 7%".into()) },
    );
    let decided = Event::new(
        "e02".into(),
        "run1".into(),
        "dev".into(),
        &[Parent::from(&fired)],
        t0() + Duration::minutes(2),
        "carol".into(),
        EventBody::RollbackDecided {
            trigger: trig.clone(),
            decision: runsheet_core::event::Decision::Rollback,
            reason: Some("over the threshold".into()),
        },
    );
    let state = RunState::fold(vec![first, fired, decided]).expect("fold");
    let md = runsheet_core::run::export_markdown(&state);
    let line = md.lines().find(|l| l.starts_with("rollback trigger")).expect("a firing line");
    assert_eq!(
        line,
        format!(
            "rollback trigger {trig} fired by alice at 2026-12-02 18:01:00 UTC: 5xx - - 7%; decision: rollback by carol at \
             2026-12-02 18:02:00 UTC, reason: over the threshold"
        ),
        "`--` cannot end the HTML comment early"
    );
    let again = runsheet_core::import::parse("run.md", &md).expect("re-import");
    let texts = |c: &Checklist| c.items().into_iter().map(|(_, _, i)| i.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&again), texts(&c));
}
