//! Sign-off rules: what blocks a person from signing a role (four-eyes, open items, stale, missing or failing
//! probe evidence), waivers, and phase gates (strict refuses, advisory warns).
//!
//! Team runs add two rules, both read from the fold so every laptop computes the same:
//! - Four-eyes by key: a sign-off signed by a certificate that also signed a state change of an item the role
//!   covers is refused locally ([`key_blockers`]) and, when such a sign-off arrives by merge, flagged on the signed
//!   role ([`SignoffStatus::warnings`]). Names can be typed by anyone; keys cannot.
//! - Knowledge: a sign-off whose causal past (its parents, transitively) lacks an event that set an item the role
//!   covers to failed, blocked or pending, and that is concurrent with it (neither is an ancestor of the other),
//!   was made without knowledge of that event and is flagged as such ([`Blocker::SignedWithoutKnowledge`]).
//!
//! Pure: the facts are a [`RunState`] (the one fold of a run's events, `run.rs`) and the time comes in as `now`.
//! This module decides; it records nothing and folds nothing. The store/CLI/desktop call [`blockers`] before
//! appending a `SignedOff` event and [`gate_check`] before appending an `ItemSet`. Rendering of the result
//! (report, CLI) lives elsewhere.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{GateMode, ItemState};
use crate::probe::Outcome;
pub use crate::run::Role;
use crate::run::RunState;

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
    /// Four-eyes by key: the certificate signing the sign-off also signed a state change of an item the role
    /// covers (whatever name either event carried).
    FourEyesKey { item: String, fingerprint: String },
    /// The sign-off was made without knowledge of a concurrent event that set an item the role covers to failed,
    /// blocked or pending (recorded on another laptop at the same time).
    SignedWithoutKnowledge { item: String, state: ItemState, by: String, event: String },
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
            Blocker::FourEyesKey { item, fingerprint } => {
                let short: String = fingerprint.chars().take(16).collect();
                write!(f, "four-eyes: the signing key {short}… executed item {item}")
            }
            Blocker::SignedWithoutKnowledge { item, state, by, event } => write!(
                f,
                "signed without knowledge of item {item} set {} by {by} at the same time (event {event})",
                state_name(*state)
            ),
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
    /// For a signed role: what is wrong with the sign-off as recorded — four-eyes broken by name or key (a
    /// sign-off merged from another laptop is stored, never refused, so it is flagged here), or made without
    /// knowledge of a concurrent failure. Empty (and left out of JSON) when nothing is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Blocker>,
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

/// Ids of the items a role approves: its phase's items, or every item when it names no phase (or one without
/// items, like a trailing "Sign-off" section).
pub fn covered_items(state: &RunState, role: &Role) -> Vec<String> {
    let all = state.checklist.items();
    if let Some(phase) = &role.phase {
        let of_phase: Vec<String> = all.iter().filter(|(p, _, _)| &p.id == phase).map(|(_, _, i)| i.id.clone()).collect();
        if !of_phase.is_empty() {
            return of_phase;
        }
    }
    all.iter().map(|(_, _, i)| i.id.clone()).collect()
}

/// The people who executed `item` (changed its state), for four-eyes.
pub fn executed_by(state: &RunState, item: &str) -> Vec<String> {
    state.items.get(item).map(|s| s.actors.clone()).unwrap_or_default()
}

/// Why one item keeps a role from being signed: open and not waived, or done with evidence that is missing,
/// unreadable or failing (latest per probe), or stale at `now`.
fn item_blockers(state: &RunState, item_id: &str, now: DateTime<Utc>, out: &mut Vec<Blocker>) {
    let Some(s) = state.items.get(item_id) else { return };
    if state.waivers.contains_key(item_id) {
        return;
    }
    match s.state {
        ItemState::Pending | ItemState::Failed | ItemState::Blocked => {
            out.push(Blocker::ItemOpen { item: item_id.to_string(), state: s.state });
            return;
        }
        ItemState::Skipped | ItemState::NotApplicable => return,
        ItemState::Done => {}
    }
    let records = state.evidence.get(item_id).map(Vec::as_slice).unwrap_or(&[]);
    let unreadable = records.iter().any(|r| r.parsed.is_none());
    for idx in 0..state.probes(item_id).len() {
        let latest = records
            .iter()
            .filter_map(|r| r.parsed.as_ref())
            .filter(|e| e.probe as usize == idx)
            .max_by_key(|e| e.ended_at);
        match latest {
            // Evidence that does not read cannot show the probe passed: it counts as failing, not missing.
            None if unreadable => {
                out.push(Blocker::FailingEvidence { item: item_id.to_string(), outcome: "unreadable".into() });
                return;
            }
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

/// Everything that keeps `signer` from signing `role` at `now`; empty means the sign-off may be recorded.
pub fn blockers(state: &RunState, role: &str, signer: &str, now: DateTime<Utc>) -> Vec<Blocker> {
    let Some(r) = state.role(role) else {
        return vec![Blocker::UnknownRole { role: role.to_string() }];
    };
    let mut out = Vec::new();
    if let Some(s) = state.signoffs.iter().find(|s| same_person(&s.role, &r.name)) {
        out.push(Blocker::AlreadySigned { role: r.name.clone(), by: s.name.clone() });
    }
    for item in covered_items(state, r) {
        if state.settings.four_eyes {
            if let Some(s) = state.items.get(&item) {
                if s.actors.iter().any(|p| same_person(p, signer)) {
                    out.push(Blocker::FourEyes { item: item.clone() });
                }
            }
        }
        item_blockers(state, &item, now, &mut out);
    }
    out
}

/// Four-eyes by key: the covered items of `role` whose state changes the certificate `fingerprint` signed.
/// Empty when the run relaxed four-eyes or the role is unknown.
pub fn key_blockers(state: &RunState, role: &str, fingerprint: &str) -> Vec<Blocker> {
    let Some(r) = state.role(role) else { return Vec::new() };
    if !state.settings.four_eyes {
        return Vec::new();
    }
    covered_items(state, r)
        .into_iter()
        .filter(|item| state.items.get(item).is_some_and(|s| s.keys.iter().any(|k| k == fingerprint)))
        .map(|item| Blocker::FourEyesKey { item, fingerprint: fingerprint.to_string() })
        .collect()
}

/// The causal relations of a run's events, by hash: who is an ancestor of whom.
struct Causality<'a> {
    parents: std::collections::HashMap<&'a str, &'a [String]>,
    children: std::collections::HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Causality<'a> {
    fn new(state: &'a RunState) -> Self {
        let mut parents = std::collections::HashMap::new();
        let mut children: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
        for e in &state.timeline {
            parents.insert(e.hash.as_str(), e.parents.as_slice());
            for p in &e.parents {
                children.entry(p.as_str()).or_default().push(e.hash.as_str());
            }
        }
        Causality { parents, children }
    }

    /// Every event reachable from `from` through `next` (not `from` itself).
    fn reach(&self, from: &'a str, next: &dyn Fn(&'a str) -> Vec<&'a str>) -> std::collections::HashSet<&'a str> {
        let mut seen = std::collections::HashSet::new();
        let mut todo = next(from);
        while let Some(h) = todo.pop() {
            if seen.insert(h) {
                todo.extend(next(h));
            }
        }
        seen
    }

    /// Events neither before nor after `hash`: recorded without knowledge of each other.
    fn concurrent(&self, hash: &'a str) -> impl Fn(&str) -> bool + '_ {
        let before = self.reach(hash, &|h| self.parents.get(h).map(|p| p.iter().map(String::as_str).collect()).unwrap_or_default());
        let after = self.reach(hash, &|h| self.children.get(h).cloned().unwrap_or_default());
        let own = hash.to_string();
        move |h: &str| h != own && !before.contains(h) && !after.contains(h)
    }
}

/// What is wrong with a recorded sign-off (see [`SignoffStatus::warnings`]).
fn signed_warnings(state: &RunState, role: &Role, s: &crate::run::SignOff, causality: &Causality<'_>) -> Vec<Blocker> {
    let covered = covered_items(state, role);
    let mut out = Vec::new();
    if state.settings.four_eyes {
        for item in &covered {
            let Some(st) = state.items.get(item) else { continue };
            if let Some(key) = s.key.as_deref().filter(|k| st.keys.iter().any(|x| x == k)) {
                out.push(Blocker::FourEyesKey { item: item.clone(), fingerprint: key.to_string() });
            } else if st.actors.iter().any(|p| same_person(p, &s.name)) {
                out.push(Blocker::FourEyes { item: item.clone() });
            }
        }
    }
    let Some(signed) = state.timeline.iter().find(|e| e.id == s.event) else { return out };
    let concurrent = causality.concurrent(signed.hash.as_str());
    for e in &state.timeline {
        if let crate::event::EventBody::ItemSet { item, state: st, .. } = &e.body {
            let bad = matches!(st, ItemState::Failed | ItemState::Blocked | ItemState::Pending);
            if bad && covered.contains(item) && concurrent(&e.hash) {
                out.push(Blocker::SignedWithoutKnowledge {
                    item: item.clone(),
                    state: *st,
                    by: e.actor.clone(),
                    event: e.id.clone(),
                });
            }
        }
    }
    out
}

/// Status of every role: who signed, or what blocks it (without the signer-specific four-eyes rule), and for
/// a signed role what is wrong with its sign-off.
pub fn statuses(state: &RunState, now: DateTime<Utc>) -> Vec<SignoffStatus> {
    let causality = Causality::new(state);
    state
        .roles
        .iter()
        .map(|r| {
            let signed = state.signoffs.iter().find(|s| same_person(&s.role, &r.name));
            let mut blockers = Vec::new();
            if signed.is_none() {
                for item in covered_items(state, r) {
                    item_blockers(state, &item, now, &mut blockers);
                }
            }
            let blocked_by = blockers.iter().map(ToString::to_string).collect();
            let warnings = signed.map(|s| signed_warnings(state, r, s, &causality)).unwrap_or_default();
            SignoffStatus {
                role: r.name.clone(),
                phase: r.phase.clone(),
                signed_by: signed.map(|s| s.name.clone()),
                at: signed.map(|s| s.at),
                comment: signed.and_then(|s| s.comment.clone()),
                blocked_by,
                blockers,
                warnings,
            }
        })
        .collect()
}

/// May `item` change now? Every earlier non-rollback phase must be complete (done, skipped, n/a or waived).
/// Rollback phases are never gated and never gate others: they run when a trigger fires.
pub fn gate_check(state: &RunState, item: &str) -> GateVerdict {
    let Some(idx) = state.checklist.phases.iter().position(|p| p.sections.iter().any(|s| contains(&s.items, item))) else {
        return GateVerdict::Open;
    };
    if state.checklist.phases[idx].rollback {
        return GateVerdict::Open;
    }
    let mut blockers = Vec::new();
    for p in state.checklist.phases[..idx].iter().filter(|p| !p.rollback) {
        let open = state
            .checklist
            .items()
            .into_iter()
            .filter(|(ph, _, _)| ph.id == p.id)
            .filter(|(_, _, it)| {
                let waived = state.waivers.contains_key(&it.id);
                let settled = state.items.get(&it.id).is_some_and(|s| s.state.is_settled());
                !waived && !settled
            })
            .count();
        if open > 0 {
            blockers.push(Blocker::EarlierPhaseOpen { phase: p.title.clone(), open_items: open });
        }
    }
    if blockers.is_empty() {
        GateVerdict::Open
    } else if state.settings.gate_mode == GateMode::Strict {
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
    use crate::checklist::Checklist;
    use crate::event::{Event, EventBody};
    use crate::probe::Evidence;

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
        /// Append on top of the previous event (a linear history, as one laptop writes it).
        fn push(&mut self, actor: &str, at: i64, body: EventBody) -> &mut Self {
            let n = self.0.len();
            let parents = if n == 0 { vec![] } else { vec![n - 1] };
            self.push_on(&parents, "d", None, actor, at, body)
        }
        /// Append an event with the given parents (by position), device and signing key fingerprint.
        fn push_on(&mut self, parents: &[usize], device: &str, key: Option<&str>, actor: &str, at: i64, body: EventBody) -> &mut Self {
            let n = self.0.len() as u64;
            let lamport = 1 + parents.iter().map(|&p| self.0[p].lamport).max().unwrap_or(0);
            self.0.push(Event {
                id: format!("e{n}"),
                run_id: "r".into(),
                device: device.into(),
                device_seq: None,
                lamport,
                parents: parents.iter().map(|&p| self.0[p].hash.clone()).collect(),
                at: t(at),
                actor: actor.into(),
                body,
                hash: format!("h{n}"),
                author: key.map(|k| crate::event::EventAuthor { fingerprint: k.into(), signature: "sig".into() }),
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
                refusal: None,
            };
            self.push("alice", at, EventBody::Evidence { item: item.into(), evidence: ev.to_value() })
        }
        fn facts(&self) -> RunState {
            RunState::fold(self.0.clone()).unwrap()
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

    fn signed(role: &str, name: &str) -> EventBody {
        EventBody::SignedOff { role: role.into(), name: name.into(), comment: None }
    }

    fn set(item: &str, state: ItemState) -> EventBody {
        EventBody::ItemSet { item: item.into(), state, reason: None, note: None }
    }

    /// Four-eyes by key: the name on an event can be anything, the key that signed it cannot.
    #[test]
    fn four_eyes_by_key_refuses_and_flags_a_signer_whose_key_executed_the_role() {
        let mut log = Log::new();
        // Alice's key does item a under the name "al"; item b is done by carol's key.
        log.push_on(&[0], "dev-a", Some("key-alice"), "al", 1, set("a", ItemState::Done))
            .push_on(&[1], "dev-c", Some("key-carol"), "carol", 2, set("b", ItemState::Done))
            .evidence(3, "b", Outcome::Pass);
        let facts = log.facts();
        assert!(blockers(&facts, "Pre Lead", "alice", t(4)).is_empty(), "by name alone alice looks clean");
        assert_eq!(
            key_blockers(&facts, "pre lead", "key-alice"),
            vec![Blocker::FourEyesKey { item: "a".into(), fingerprint: "key-alice".into() }],
            "her key executed item a"
        );
        assert!(key_blockers(&facts, "Pre Lead", "key-bob").is_empty(), "bob's key executed nothing");
        assert!(key_blockers(&facts, "Nobody", "key-alice").is_empty(), "unknown roles are the other rules' business");

        // The same sign-off arriving by merge is stored, and flagged on the signed role.
        log.push_on(&[3], "dev-a", Some("key-alice"), "alice", 5, signed("Pre Lead", "alice"));
        let st = statuses(&log.facts(), t(6));
        assert_eq!(st[0].signed_by.as_deref(), Some("alice"));
        assert_eq!(st[0].warnings, vec![Blocker::FourEyesKey { item: "a".into(), fingerprint: "key-alice".into() }]);
        assert!(st[0].warnings[0].to_string().starts_with("four-eyes: the signing key key-alice"), "{}", st[0].warnings[0]);

        log.push("lead", 7, EventBody::SettingsChanged { four_eyes: Some(false), gate_mode: None });
        assert!(key_blockers(&log.facts(), "Pre Lead", "key-alice").is_empty(), "the run relaxed four-eyes");
        assert!(statuses(&log.facts(), t(8))[0].warnings.is_empty());
    }

    /// The knowledge rule, case by case: (what happened to item a relative to the sign-off, flagged?).
    #[test]
    fn a_sign_off_concurrent_with_a_failure_is_flagged_as_signed_without_knowledge() {
        // e1: both items done on laptop A (with b's evidence at e2). The sign-off and the change of item a are
        // placed before, after or beside each other.
        let base = || {
            let mut log = Log::new();
            log.push_on(&[0], "dev-a", None, "alice", 1, set("a", ItemState::Done))
                .push_on(&[1], "dev-a", None, "alice", 2, set("b", ItemState::Done))
                .evidence(3, "b", Outcome::Pass);
            log // positions 0..=3
        };
        type Case = (&'static str, fn(&mut Log), Option<ItemState>);
        let cases: Vec<Case> = vec![
            ("failed on laptop B while A signed", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("a", ItemState::Failed));
                l.push_on(&[3], "dev-a", None, "carol", 5, signed("Pre Lead", "carol"));
            }, Some(ItemState::Failed)),
            ("blocked on laptop B while A signed", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("a", ItemState::Blocked));
                l.push_on(&[3], "dev-a", None, "carol", 5, signed("Pre Lead", "carol"));
            }, Some(ItemState::Blocked)),
            ("reopened on laptop B while A signed", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("a", ItemState::Pending));
                l.push_on(&[3], "dev-a", None, "carol", 5, signed("Pre Lead", "carol"));
            }, Some(ItemState::Pending)),
            ("failed after the sign-off, knowing it", |l| {
                l.push_on(&[3], "dev-a", None, "carol", 4, signed("Pre Lead", "carol"));
                l.push_on(&[4], "dev-b", None, "bob", 5, set("a", ItemState::Failed));
            }, None),
            ("failed and fixed before the sign-off", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("a", ItemState::Failed));
                l.push_on(&[4], "dev-b", None, "bob", 5, set("a", ItemState::Done));
                l.push_on(&[5], "dev-a", None, "carol", 6, signed("Pre Lead", "carol"));
            }, None),
            ("done concurrently (not a failure)", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("a", ItemState::Done));
                l.push_on(&[3], "dev-a", None, "carol", 5, signed("Pre Lead", "carol"));
            }, None),
            ("failed concurrently on an item the role does not cover", |l| {
                l.push_on(&[3], "dev-b", None, "bob", 4, set("c", ItemState::Failed));
                l.push_on(&[3], "dev-a", None, "carol", 5, signed("Pre Lead", "carol"));
            }, None),
        ];
        for (what, build, flagged) in cases {
            let mut log = base();
            build(&mut log);
            let st = statuses(&log.facts(), t(10));
            assert_eq!(st[0].signed_by.as_deref(), Some("carol"), "{what}");
            let found: Vec<ItemState> = st[0]
                .warnings
                .iter()
                .filter_map(|w| match w {
                    Blocker::SignedWithoutKnowledge { item, state, by, .. } if item == "a" && by == "bob" => Some(*state),
                    _ => None,
                })
                .collect();
            assert_eq!(found, flagged.into_iter().collect::<Vec<_>>(), "{what}: {:?}", st[0].warnings);
        }
    }

    #[test]
    fn gates_refuse_in_strict_mode_and_warn_in_advisory() {
        let mut log = Log::new();
        assert!(matches!(gate_check(&log.facts(), "c"), GateVerdict::Warn { .. }), "advisory is the default");
        assert_eq!(gate_check(&log.facts(), "b"), GateVerdict::Open, "the first phase is never gated");
        log.push("lead", 1, EventBody::SettingsChanged { four_eyes: None, gate_mode: Some(GateMode::Strict) });
        assert_eq!(
            gate_check(&log.facts(), "c"),
            GateVerdict::Refused { blockers: vec![Blocker::EarlierPhaseOpen { phase: "pre".into(), open_items: 2 }] }
        );
        log.set("alice", 3, "a", ItemState::Done);
        log.push("carol", 4, EventBody::Waived { item: "b".into(), reason: "r".into(), approver: "carol".into() });
        assert_eq!(gate_check(&log.facts(), "c"), GateVerdict::Open, "done + waived completes the phase");
    }
}
