//! Sign-off rules: which roles a run has, what blocks a person from signing a role (four-eyes, open items, stale
//! or failing probe evidence), waivers, and phase gates (strict refuses, advisory warns).
//!
//! Pure: the facts come from a run's events ([`SignoffFacts::from_events`]) and the time comes in as `now`. This
//! module decides; it records nothing. The store/CLI/desktop call [`blockers`] before appending a `SignedOff`
//! event and [`gate_check`] before appending an `ItemSet`. Rendering of the result (report, CLI) lives elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;
use crate::event::{Event, EventBody, GateMode, ItemState};
use crate::probe::{Evidence, Outcome};

/// A role that must sign: from the checklist's sign-off lines or added to the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    /// Phase whose items the role approves; None (or a phase without items) means the whole run.
    pub phase: Option<String>,
}

/// What is known about one item for sign-off purposes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemFacts {
    pub state: Option<ItemState>,
    /// Everyone who changed the item's state (the people who executed it).
    pub executed_by: BTreeSet<String>,
    /// Evidence per probe index, latest last.
    pub evidence: Vec<Evidence>,
    /// Evidence events whose JSON did not parse (counted as unusable evidence).
    pub unreadable_evidence: usize,
    pub waiver: Option<Waiver>,
    /// Probes added to the item during the run (`probe_added` events that parse); they follow the checklist's
    /// own probes in index order and need evidence like them.
    pub added_probes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    pub approver: String,
    pub at: DateTime<Utc>,
}

/// A recorded sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub role: String,
    pub name: String,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// The facts the rules need, folded from a run's events.
#[derive(Debug, Clone, PartialEq)]
pub struct SignoffFacts {
    pub checklist: Checklist,
    pub items: BTreeMap<String, ItemFacts>,
    pub roles: Vec<Role>,
    pub signoffs: Vec<SignOff>,
    pub four_eyes: bool,
    pub gate_mode: GateMode,
}

/// Why something may not happen (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    UnknownRole { role: String },
    AlreadySigned { role: String, by: String },
    /// Four-eyes: the signer executed an item the role approves.
    FourEyes { item: String },
    /// An item the role covers is pending, failed or blocked and not waived.
    ItemOpen { item: String, state: ItemState },
    /// An item has probes but no evidence at all.
    MissingEvidence { item: String },
    /// The item's latest evidence is older than the probe's `fresh_for` window.
    StaleEvidence { item: String, fresh_until: DateTime<Utc> },
    /// The item's latest evidence did not pass.
    FailingEvidence { item: String, outcome: String },
    /// Phase gate: an earlier phase is not complete.
    EarlierPhaseOpen { phase: String, open_items: usize },
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocker::UnknownRole { role } => write!(f, "no sign-off role named `{role}`"),
            Blocker::AlreadySigned { role, by } => write!(f, "`{role}` is already signed by {by}"),
            Blocker::FourEyes { item } => write!(f, "four-eyes: the signer executed item {item}"),
            Blocker::ItemOpen { item, state } => write!(f, "item {item} is {} and not waived", state_name(*state)),
            Blocker::MissingEvidence { item } => write!(f, "item {item} has probes but no evidence"),
            Blocker::StaleEvidence { item, fresh_until } => {
                write!(f, "evidence of item {item} went stale at {}", fresh_until.format("%Y-%m-%d %H:%M UTC"))
            }
            Blocker::FailingEvidence { item, outcome } => write!(f, "latest evidence of item {item} is {outcome}"),
            Blocker::EarlierPhaseOpen { phase, open_items } => {
                write!(f, "phase `{phase}` is not complete ({open_items} open item(s))")
            }
        }
    }
}

/// Lower-case name of an item state as shown to people.
pub fn state_name(s: ItemState) -> &'static str {
    match s {
        ItemState::Pending => "pending",
        ItemState::Done => "done",
        ItemState::Skipped => "skipped",
        ItemState::Failed => "failed",
        ItemState::Blocked => "blocked",
        ItemState::NotApplicable => "n/a",
    }
}

/// Sign-off status of one role, as `run show --json` and the report show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignoffStatus {
    pub role: String,
    pub phase: Option<String>,
    pub signed_by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// Why the role cannot be signed now (empty when signed or signable); the signer is not known here, so
    /// four-eyes is not part of this list.
    pub blocked_by: Vec<String>,
    /// The same, structured (item ids rather than prose), for callers that render their own messages.
    #[serde(default)]
    pub blockers: Vec<Blocker>,
}

/// Result of a phase gate check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum GateVerdict {
    Open,
    /// Advisory mode: the change is allowed, show these warnings.
    Warn { blockers: Vec<Blocker> },
    /// Strict mode: the change is refused.
    Refused { blockers: Vec<Blocker> },
}

fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

impl SignoffFacts {
    /// Fold events (ordered by Lamport counter, then device id). None when there is no `run_created` event.
    pub fn from_events(events: &[Event]) -> Option<SignoffFacts> {
        let mut evs: Vec<&Event> = events.iter().collect();
        evs.sort_by(|a, b| (a.lamport, &a.device, &a.id).cmp(&(b.lamport, &b.device, &b.id)));
        let checklist = evs.iter().find_map(|e| match &e.body {
            EventBody::RunCreated { checklist, .. } => Some(checklist.as_ref().clone()),
            _ => None,
        })?;
        let mut items: BTreeMap<String, ItemFacts> = BTreeMap::new();
        for (_, _, it) in checklist.items() {
            items.insert(
                it.id.clone(),
                ItemFacts { state: Some(if it.checked { ItemState::Done } else { ItemState::Pending }), ..Default::default() },
            );
        }
        let mut roles: Vec<Role> =
            checklist.signoffs.iter().map(|s| Role { name: s.role.clone(), phase: s.phase.clone() }).collect();
        let mut facts = SignoffFacts {
            checklist,
            items: BTreeMap::new(),
            roles: Vec::new(),
            signoffs: Vec::new(),
            four_eyes: true,
            gate_mode: GateMode::default(),
        };
        for e in evs {
            match &e.body {
                EventBody::ItemSet { item, state, .. } => {
                    let f = items.entry(item.clone()).or_default();
                    f.state = Some(*state);
                    f.executed_by.insert(e.actor.clone());
                }
                EventBody::Evidence { item, evidence } => {
                    let f = items.entry(item.clone()).or_default();
                    match Evidence::from_value(evidence) {
                        Ok(ev) => f.evidence.push(ev),
                        Err(_) => f.unreadable_evidence += 1,
                    }
                }
                EventBody::ProbeAdded { item, source } => {
                    // Counted as `RunState` folds it: only blocks that parse become probes.
                    if crate::probe::parse(source).is_ok() {
                        items.entry(item.clone()).or_default().added_probes += 1;
                    }
                }
                EventBody::Waived { item, reason, approver } => {
                    items.entry(item.clone()).or_default().waiver =
                        Some(Waiver { reason: reason.clone(), approver: approver.clone(), at: e.at });
                }
                EventBody::SignedOff { role, name, comment } => facts.signoffs.push(SignOff {
                    role: role.clone(),
                    name: name.clone(),
                    at: e.at,
                    comment: comment.clone(),
                }),
                EventBody::RoleAdded { role } => {
                    if !roles.iter().any(|r| same_person(&r.name, role)) {
                        roles.push(Role { name: role.clone(), phase: None });
                    }
                }
                EventBody::SettingsChanged { four_eyes, gate_mode } => {
                    if let Some(v) = four_eyes {
                        facts.four_eyes = *v;
                    }
                    if let Some(g) = gate_mode {
                        facts.gate_mode = *g;
                    }
                }
                EventBody::RunCreated { .. } | EventBody::NoteAdded { .. } | EventBody::ProbeArmed { .. } => {}
            }
        }
        facts.items = items;
        facts.roles = roles;
        Some(facts)
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| same_person(&r.name, name))
    }

    /// Ids of the items a role approves: its phase's items, or every item when it names no phase (or one
    /// without items, like a trailing "Sign-off" section).
    pub fn covered_items(&self, role: &Role) -> Vec<String> {
        let all = self.checklist.items();
        if let Some(phase) = &role.phase {
            let of_phase: Vec<String> = all.iter().filter(|(p, _, _)| &p.id == phase).map(|(_, _, i)| i.id.clone()).collect();
            if !of_phase.is_empty() {
                return of_phase;
            }
        }
        all.iter().map(|(_, _, i)| i.id.clone()).collect()
    }

    fn item_blockers(&self, item_id: &str, now: DateTime<Utc>, out: &mut Vec<Blocker>) {
        let Some(f) = self.items.get(item_id) else { return };
        if f.waiver.is_some() {
            return;
        }
        let state = f.state.unwrap_or(ItemState::Pending);
        match state {
            ItemState::Pending | ItemState::Failed | ItemState::Blocked => {
                out.push(Blocker::ItemOpen { item: item_id.to_string(), state });
                return;
            }
            ItemState::Skipped | ItemState::NotApplicable => return,
            ItemState::Done => {}
        }
        let probes = self.checklist.item(item_id).map(|i| i.probes.len()).unwrap_or(0) + f.added_probes;
        for idx in 0..probes {
            let latest = f.evidence.iter().filter(|e| e.probe as usize == idx).max_by_key(|e| e.ended_at);
            match latest {
                None => {
                    out.push(Blocker::MissingEvidence { item: item_id.to_string() });
                    return;
                }
                Some(ev) if ev.outcome != Outcome::Pass => {
                    out.push(Blocker::FailingEvidence { item: item_id.to_string(), outcome: ev.outcome.as_str().into() });
                    return;
                }
                Some(ev) if ev.is_stale(now) => {
                    out.push(Blocker::StaleEvidence { item: item_id.to_string(), fresh_until: ev.fresh_until() });
                    return;
                }
                Some(_) => {}
            }
        }
    }
}

/// Everything that keeps `signer` from signing `role` at `now`; empty means the sign-off may be recorded.
pub fn blockers(facts: &SignoffFacts, role: &str, signer: &str, now: DateTime<Utc>) -> Vec<Blocker> {
    let Some(r) = facts.role(role) else {
        return vec![Blocker::UnknownRole { role: role.to_string() }];
    };
    let mut out = Vec::new();
    if let Some(s) = facts.signoffs.iter().find(|s| same_person(&s.role, &r.name)) {
        out.push(Blocker::AlreadySigned { role: r.name.clone(), by: s.name.clone() });
    }
    for item in facts.covered_items(r) {
        if facts.four_eyes {
            if let Some(f) = facts.items.get(&item) {
                if f.executed_by.iter().any(|p| same_person(p, signer)) {
                    out.push(Blocker::FourEyes { item: item.clone() });
                }
            }
        }
        facts.item_blockers(&item, now, &mut out);
    }
    out
}

/// Status of every role: who signed, or what blocks it (without the signer-specific four-eyes rule).
pub fn statuses(facts: &SignoffFacts, now: DateTime<Utc>) -> Vec<SignoffStatus> {
    facts
        .roles
        .iter()
        .map(|r| {
            let signed = facts.signoffs.iter().find(|s| same_person(&s.role, &r.name));
            let mut blockers = Vec::new();
            if signed.is_none() {
                for item in facts.covered_items(r) {
                    facts.item_blockers(&item, now, &mut blockers);
                }
            }
            let blocked_by = blockers.iter().map(ToString::to_string).collect();
            SignoffStatus {
                role: r.name.clone(),
                phase: r.phase.clone(),
                signed_by: signed.map(|s| s.name.clone()),
                at: signed.map(|s| s.at),
                comment: signed.and_then(|s| s.comment.clone()),
                blocked_by,
                blockers,
            }
        })
        .collect()
}

/// May `item` change now? Every earlier non-rollback phase must be complete (done, skipped, n/a or waived).
/// Rollback phases are never gated and never gate others: they run when a trigger fires.
pub fn gate_check(facts: &SignoffFacts, item: &str, _now: DateTime<Utc>) -> GateVerdict {
    let Some(idx) = facts.checklist.phases.iter().position(|p| p.sections.iter().any(|s| contains(&s.items, item))) else {
        return GateVerdict::Open;
    };
    if facts.checklist.phases[idx].rollback {
        return GateVerdict::Open;
    }
    let mut blockers = Vec::new();
    for p in facts.checklist.phases[..idx].iter().filter(|p| !p.rollback) {
        let open = facts
            .checklist
            .items()
            .into_iter()
            .filter(|(ph, _, _)| ph.id == p.id)
            .filter(|(_, _, it)| {
                let f = facts.items.get(&it.id);
                let waived = f.is_some_and(|f| f.waiver.is_some());
                let state = f.and_then(|f| f.state).unwrap_or(ItemState::Pending);
                !waived && !matches!(state, ItemState::Done | ItemState::Skipped | ItemState::NotApplicable)
            })
            .count();
        if open > 0 {
            blockers.push(Blocker::EarlierPhaseOpen { phase: p.title.clone(), open_items: open });
        }
    }
    if blockers.is_empty() {
        GateVerdict::Open
    } else if facts.gate_mode == GateMode::Strict {
        GateVerdict::Refused { blockers }
    } else {
        GateVerdict::Warn { blockers }
    }
}

fn contains(items: &[crate::checklist::Item], id: &str) -> bool {
    items.iter().any(|i| i.id == id || contains(&i.children, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + min * 60, 0).unwrap_or_default()
    }

    // Built from JSON so that model fields added later (with serde defaults) do not break these tests.
    fn item(id: &str, probe: bool) -> serde_json::Value {
        let probes = if probe {
            serde_json::json!([{ "line": 2, "source": "kind = \"tcp\"\naddress = \"127.0.0.1:1\"\n",
                "spec": crate::probe::parse("kind = \"tcp\"\naddress = \"127.0.0.1:1\"\n").unwrap() }])
        } else {
            serde_json::json!([])
        };
        serde_json::json!({ "id": id, "line": 1, "text": id, "checked": false, "children": [], "commands": [], "probes": probes })
    }

    fn phase(id: &str, items: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::json!({ "id": id, "title": id, "line": 1, "rollback": false, "sections": [
            { "id": format!("{id}-s"), "title": "", "line": 1, "level": 0, "rollback": false, "items": items, "commands": [] }
        ]})
    }

    fn checklist() -> Checklist {
        serde_json::from_value(serde_json::json!({
            "title": "Deploy",
            "phases": [phase("pre", vec![item("a", false), item("b", true)]), phase("deploy", vec![item("c", false)])],
            "signoffs": [
                { "role": "Pre Lead", "line": 9, "checkbox": true, "phase": "pre" },
                { "role": "Release Manager", "line": 10, "checkbox": true }
            ]
        }))
        .unwrap()
    }

    struct Log(Vec<Event>);
    impl Log {
        fn new() -> Log {
            let mut l = Log(vec![]);
            l.push("op", 0, EventBody::RunCreated {
                title: "r".into(),
                version: None,
                environment: None,
                window_start: None,
                window_end: None,
                operator: "op".into(),
                checklist_id: "c".into(),
                checklist: Box::new(checklist()),
            });
            l
        }
        fn push(&mut self, actor: &str, at: i64, body: EventBody) -> &mut Self {
            let n = self.0.len() as u64;
            self.0.push(Event {
                id: format!("e{n}"),
                run_id: "r".into(),
                device: "d".into(),
                device_seq: None,
                lamport: n + 1,
                parents: vec![],
                at: t(at),
                actor: actor.into(),
                body,
                hash: format!("h{n}"),
                author: None,
            });
            self
        }
        fn set(&mut self, actor: &str, at: i64, item: &str, state: ItemState) -> &mut Self {
            self.push(actor, at, EventBody::ItemSet { item: item.into(), state, reason: None, note: None })
        }
        fn evidence(&mut self, at: i64, item: &str, outcome: Outcome) -> &mut Self {
            let ev = Evidence {
                kind: "tcp".into(),
                target: "127.0.0.1:1".into(),
                probe: 0,
                started_at: t(at),
                ended_at: t(at),
                duration_ms: 3,
                outcome,
                attempts: 1,
                status_code: None,
                exit_code: None,
                sha256: None,
                bytes: 0,
                excerpt: String::new(),
                excerpt_truncated: false,
                detail: String::new(),
                fresh_for_secs: 900,
            };
            self.push("alice", at, EventBody::Evidence { item: item.into(), evidence: ev.to_value() })
        }
        fn facts(&self) -> SignoffFacts {
            SignoffFacts::from_events(&self.0).unwrap()
        }
    }

    #[test]
    fn four_eyes_refuses_the_executor_and_can_be_relaxed() {
        let mut log = Log::new();
        log.set("alice", 1, "a", ItemState::Done).evidence(2, "b", Outcome::Pass).set("alice", 2, "b", ItemState::Done);
        let b = blockers(&log.facts(), "pre lead", "Alice", t(5));
        assert_eq!(b, vec![Blocker::FourEyes { item: "a".into() }, Blocker::FourEyes { item: "b".into() }], "alice ran the phase");
        assert!(blockers(&log.facts(), "Pre Lead", "bob", t(5)).is_empty(), "bob did not, and everything is done and fresh");
        log.push("lead", 6, EventBody::SettingsChanged { four_eyes: Some(false), gate_mode: None });
        assert!(blockers(&log.facts(), "Pre Lead", "alice", t(7)).is_empty(), "the run relaxed four-eyes");
    }

    #[test]
    fn stale_or_missing_evidence_blocks_until_refreshed_or_waived() {
        let mut log = Log::new();
        log.set("alice", 1, "a", ItemState::Done).set("alice", 2, "b", ItemState::Done);
        assert_eq!(blockers(&log.facts(), "Pre Lead", "bob", t(3)), vec![Blocker::MissingEvidence { item: "b".into() }]);
        log.evidence(3, "b", Outcome::Pass);
        assert!(blockers(&log.facts(), "Pre Lead", "bob", t(10)).is_empty(), "fresh for 15 minutes");
        assert!(matches!(blockers(&log.facts(), "Pre Lead", "bob", t(30)).as_slice(), [Blocker::StaleEvidence { .. }]));
        log.evidence(31, "b", Outcome::Fail);
        assert!(matches!(blockers(&log.facts(), "Pre Lead", "bob", t(32)).as_slice(), [Blocker::FailingEvidence { .. }]));
        log.push("carol", 33, EventBody::Waived { item: "b".into(), reason: "known flaky".into(), approver: "carol".into() });
        assert!(blockers(&log.facts(), "Pre Lead", "bob", t(34)).is_empty(), "a waiver lifts the block");
    }

    #[test]
    fn open_items_block_whole_run_roles_and_signing_twice_is_refused() {
        let mut log = Log::new();
        log.set("alice", 1, "a", ItemState::Failed);
        let b = blockers(&log.facts(), "Release Manager", "bob", t(2));
        assert!(b.contains(&Blocker::ItemOpen { item: "a".into(), state: ItemState::Failed }));
        assert!(b.contains(&Blocker::ItemOpen { item: "c".into(), state: ItemState::Pending }), "a run-wide role covers every phase");
        assert_eq!(blockers(&log.facts(), "Nobody", "bob", t(2)), vec![Blocker::UnknownRole { role: "Nobody".into() }]);
        log.push("bob", 3, EventBody::SignedOff { role: "Pre Lead".into(), name: "bob".into(), comment: None });
        assert!(blockers(&log.facts(), "Pre Lead", "dave", t(4)).contains(&Blocker::AlreadySigned { role: "Pre Lead".into(), by: "bob".into() }));
        let st = statuses(&log.facts(), t(4));
        assert_eq!(st[0].signed_by.as_deref(), Some("bob"));
        assert!(!st[1].blocked_by.is_empty());
    }

    #[test]
    fn gates_refuse_in_strict_mode_and_warn_in_advisory() {
        let mut log = Log::new();
        assert!(matches!(gate_check(&log.facts(), "c", t(1)), GateVerdict::Warn { .. }), "advisory is the default");
        assert_eq!(gate_check(&log.facts(), "b", t(1)), GateVerdict::Open, "the first phase is never gated");
        log.push("lead", 1, EventBody::SettingsChanged { four_eyes: None, gate_mode: Some(GateMode::Strict) });
        assert_eq!(
            gate_check(&log.facts(), "c", t(2)),
            GateVerdict::Refused { blockers: vec![Blocker::EarlierPhaseOpen { phase: "pre".into(), open_items: 2 }] }
        );
        log.set("alice", 3, "a", ItemState::Done);
        log.push("carol", 4, EventBody::Waived { item: "b".into(), reason: "r".into(), approver: "carol".into() });
        assert_eq!(gate_check(&log.facts(), "c", t(5)), GateVerdict::Open, "done + waived completes the phase");
    }
}
