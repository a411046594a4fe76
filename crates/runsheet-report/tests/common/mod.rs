//! A realistic run built from data: emoji headings with timing hints, nested items, probes, evidence, a skip, a
//! failure with a waiver, notes, a rollback phase and sign-offs. `items_per_section` scales it for the benchmark.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, Utc};
use runsheet_core::event::{Event, EventBody, ItemState, Parent};
use runsheet_core::Checklist;
use serde_json::json;

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T22:00:00Z").unwrap().with_timezone(&Utc)
}

pub const PHASES: &[(&str, &str, Option<i64>, bool)] = &[
    ("pre", "🚀 Pre-Deployment (T-1 hour)", Some(-60), false),
    ("deploy", "📦 Deployment (T+0)", Some(0), false),
    ("verify", "✅ Verification & Smoke Tests (T+15 minutes)", Some(15), false),
    ("rollback", "⏪ Rollback Procedures", None, true),
    ("signoff", "Sign-off", None, false),
];

pub fn item_text(phase: usize, sec: usize, n: usize) -> String {
    match (phase, sec, n) {
        (0, 0, 0) => "Database backup completed — `pg_dump -Fc prod > backup.dump` ✔".into(),
        (0, 0, 1) => "Redis available for caching (`redis-cli ping` answers PONG)".into(),
        (1, 0, 0) => "Deploy API v2.4.1 to production ☁️ with zero-downtime rolling restart of all 12 pods across both availability zones, watching error budgets as they drain".into(),
        (2, 0, 0) => "Health check passes: curl http://localhost:8001/health".into(),
        _ => format!("Step {}.{}.{}: verify component {} is healthy", phase + 1, sec + 1, n + 1, n),
    }
}

pub fn checklist(items_per_section: usize) -> Checklist {
    let mut phases = Vec::new();
    for (pi, (id, title, offset, rollback)) in PHASES.iter().enumerate() {
        let mut sections = Vec::new();
        let nsec = if *id == "signoff" { 0 } else { 2 };
        for si in 0..nsec {
            let mut items = Vec::new();
            for n in 0..items_per_section {
                let iid = format!("{id}-{si}-{n}");
                let probes = if n == 1 || (pi == 2 && n == 0) {
                    json!([{ "line": 1, "source": "kind = \"http\"\nurl = \"http://localhost:8001/health\"\n",
                             "spec": runsheet_core::probe::parse("kind = \"http\"\nurl = \"http://localhost:8001/health\"\n").unwrap() }])
                } else {
                    json!([])
                };
                let children = if n == 2 {
                    json!([{ "id": format!("{iid}-a"), "line": 1, "text": "Nested check: replicas ≥ 3 ⚠ and lag < 5 s", "checked": false, "children": [], "commands": [], "probes": [] }])
                } else {
                    json!([])
                };
                items.push(json!({ "id": iid, "line": 1, "text": item_text(pi, si, n), "checked": false,
                    "children": children, "commands": [], "probes": probes }));
            }
            let stitle = match si {
                0 => "Checks 🔍".to_string(),
                _ => format!("Section {}", si + 1),
            };
            sections.push(json!({ "id": format!("{id}-s{si}"), "title": stitle, "line": 1, "level": 3,
                "rollback": rollback, "items": items, "commands": [] }));
        }
        let timing = offset.map(|o| json!({ "label": title.split('(').nth(1).unwrap_or("").trim_end_matches(')'), "offset_minutes": o }));
        let mut p = json!({ "id": id, "title": title.split(" (").next().unwrap(), "line": 1, "rollback": rollback, "sections": sections });
        if let Some(t) = timing {
            p["timing"] = t;
        }
        phases.push(p);
    }
    serde_json::from_value(json!({
        "title": "AI Agent Deployment Checklist",
        "phases": phases,
        "signoffs": [
            { "role": "Technical Lead", "line": 1, "checkbox": true, "phase": "pre" },
            { "role": "Release Manager", "line": 2, "checkbox": true, "phase": "signoff" },
            { "role": "Product Owner", "line": 3, "checkbox": false, "phase": "signoff" }
        ]
    }))
    .unwrap()
}

pub struct Log {
    pub events: Vec<Event>,
}

impl Log {
    pub fn push(&mut self, actor: &str, at: DateTime<Utc>, body: EventBody) {
        let parents: Vec<Parent> = self.events.last().map(|e| vec![Parent::from(e)]).unwrap_or_default();
        let n = self.events.len() as u64;
        self.events.push(Event::new(format!("0193-{n:08}"), "run-7f3a9c21".into(), "laptop-1".into(), &parents, at, actor.into(), body));
    }
}

fn evidence(at: DateTime<Utc>, ok: bool) -> serde_json::Value {
    json!({
        "kind": "http", "target": "GET http://localhost:8001/health", "probe": 0,
        "started_at": at, "ended_at": at + TimeDelta::milliseconds(42), "duration_ms": 42,
        "outcome": if ok { "pass" } else { "fail" }, "attempts": 1, "status_code": if ok { 200 } else { 503 },
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "bytes": 17,
        "excerpt": if ok { "{\"status\":\"ok\"}" } else { "{\"status\":\"degraded\"}" }, "excerpt_truncated": false,
        "detail": if ok { "200 OK" } else { "expected status 200, got 503" }, "fresh_for_secs": 900
    })
}

/// A run with every kind of event; `finished` completes every non-rollback item and signs all roles.
pub fn run(items_per_section: usize, finished: bool) -> Vec<Event> {
    run_with(items_per_section, finished, false)
}

/// As [`run`]; `evidence_everywhere` records probe evidence for every item (the benchmark's worst case).
pub fn run_with(items_per_section: usize, finished: bool, evidence_everywhere: bool) -> Vec<Event> {
    let cl = checklist(items_per_section);
    let mut log = Log { events: Vec::new() };
    let mut at = t0() - TimeDelta::minutes(75);
    log.push("Dana Ops", at, EventBody::RunCreated {
        title: "Customer agent v2.4.1 → production".into(),
        version: Some("2.4.1".into()),
        environment: Some("production (eu-west-1)".into()),
        window_start: Some(t0()),
        window_end: Some(t0() + TimeDelta::hours(2)),
        operator: "Dana Ops".into(),
        checklist_id: "ai-agent".into(),
        checklist: Box::new(cl.clone()),
    });
    let all = cl.items();
    for (k, (p, _s, it)) in all.iter().enumerate() {
        if p.rollback {
            continue;
        }
        if !finished && p.id == "verify" && k % 3 == 0 {
            continue;
        }
        at += TimeDelta::seconds(match p.id.as_str() {
            "pre" => 3600 / (all.len() as i64).max(1),
            _ => 40,
        });
        if p.id == "deploy" && at < t0() {
            at = t0() + TimeDelta::minutes(2);
        }
        if p.id == "verify" && at < t0() + TimeDelta::minutes(18) {
            at = t0() + TimeDelta::minutes(18);
        }
        if !it.probes.is_empty() || evidence_everywhere {
            log.push("Dana Ops", at, EventBody::Evidence { item: it.id.clone(), evidence: evidence(at, true) });
        }
        let (state, reason) = if it.id.ends_with("-1-3") {
            (ItemState::Skipped, Some("not applicable to this region".to_string()))
        } else if it.id == "deploy-1-0" {
            (ItemState::Failed, None)
        } else if it.id.ends_with("-0-4") && p.id == "pre" {
            (ItemState::NotApplicable, None)
        } else {
            (ItemState::Done, None)
        };
        let note = (it.id == "pre-0-0").then(|| "backup size 41 GB, stored in s3://backups/2026-11-20".to_string());
        log.push("Dana Ops", at, EventBody::ItemSet { item: it.id.clone(), state, reason, note });
        if it.id == "deploy-1-0" {
            log.push("Dana Ops", at, EventBody::Evidence { item: it.id.clone(), evidence: evidence(at, false) });
            log.push("Dana Ops", at, EventBody::NoteAdded { item: it.id.clone(), note: "503 during pod drain; recovered after 40 s".into() });
            log.push("Sam Lead", at + TimeDelta::minutes(1), EventBody::Waived {
                item: it.id.clone(),
                reason: "transient 503 during drain, recovered; error budget intact".into(),
                approver: "Sam Lead".into(),
            });
        }
    }
    if finished {
        at += TimeDelta::minutes(5);
        log.push("Sam Lead", at, EventBody::SignedOff { role: "Technical Lead".into(), name: "Sam Lead".into(), comment: Some("pre-flight checks reviewed".into()) });
        log.push("Rita Release", at + TimeDelta::minutes(2), EventBody::SignedOff { role: "Release Manager".into(), name: "Rita Release".into(), comment: None });
    }
    log.events
}

/// The one fold of a run's events, as every caller of the report builds it.
pub fn state(events: &[Event]) -> runsheet_core::run::RunState {
    runsheet_core::run::RunState::fold(events.to_vec()).unwrap()
}
