//! What a report shows, as plain data: [`ReportInput`], built from a run's events (the same events that are
//! attached to the PDF), so the printed pages and the machine-readable log can never disagree.
//!
//! The fold here is a small report-oriented one (who did what when, per item); the authoritative run state with
//! merge semantics is `runsheet_core::run`. Evidence is read leniently from its JSON so reports keep working while
//! the evidence type grows fields. No rendering and no IO here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use runsheet_core::event::{Event, EventBody, GateMode, ItemState};
use runsheet_core::Checklist;
use serde::Serialize;

use runsheet_core::signoff::{statuses, SignoffFacts, SignoffStatus};

/// Everything the PDF shows.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInput {
    pub run_id: String,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub operator: String,
    pub checklist_title: String,
    /// When the report was produced (comes in from the caller).
    pub generated_at: DateTime<Utc>,
    pub created_at: Option<DateTime<Utc>>,
    /// Head hash(es) of the event DAG: the exact history this report shows.
    pub head_hashes: Vec<String>,
    pub event_count: usize,
    pub four_eyes: bool,
    pub gate_mode: GateMode,
    pub phases: Vec<PhaseReport>,
    pub signoffs: Vec<SignoffStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub id: String,
    pub title: String,
    pub timing: Option<String>,
    pub planned_offset_minutes: Option<i64>,
    pub planned_end_offset_minutes: Option<i64>,
    pub rollback: bool,
    pub sections: Vec<SectionReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionReport {
    pub title: String,
    pub timing: Option<String>,
    pub rollback: bool,
    pub items: Vec<ItemReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    pub id: String,
    pub depth: usize,
    pub text: String,
    pub state: ItemState,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub notes: Vec<String>,
    pub waiver: Option<WaiverReport>,
    pub evidence: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverReport {
    pub reason: String,
    pub approver: String,
    pub at: DateTime<Utc>,
}

/// One probe execution as shown in the report.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub kind: String,
    pub target: String,
    pub ok: bool,
    pub outcome: String,
    pub latency_ms: Option<u64>,
    pub response_hash: Option<String>,
    pub excerpt: Option<String>,
    pub at: DateTime<Utc>,
}

impl PhaseReport {
    pub fn items(&self) -> impl Iterator<Item = &ItemReport> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// (finished, total): done, skipped, n/a and waived items count as finished.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.items().count();
        let done = self.items().filter(|i| i.finished()).count();
        (done, total)
    }

    /// Earliest and latest time an item of this phase changed, if any did.
    pub fn actual_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let times: Vec<_> = self.items().filter_map(|i| i.at).collect();
        Some((*times.iter().min()?, *times.iter().max()?))
    }
}

impl ItemReport {
    pub fn finished(&self) -> bool {
        matches!(self.state, ItemState::Done | ItemState::Skipped | ItemState::NotApplicable) || self.waiver.is_some()
    }
}

impl ReportInput {
    /// True while any item is unfinished or any role is unsigned.
    pub fn in_progress(&self) -> bool {
        self.phases.iter().any(|p| p.items().any(|i| !i.finished())) || self.signoffs.iter().any(|s| s.signed_by.is_none())
    }

    /// One-line outcome for the cover.
    pub fn outcome(&self) -> String {
        let failed = self.phases.iter().flat_map(|p| p.items()).filter(|i| i.state == ItemState::Failed && i.waiver.is_none()).count();
        if failed > 0 {
            format!("FAILED ({failed} item{} failed)", if failed == 1 { "" } else { "s" })
        } else if self.in_progress() {
            "IN PROGRESS (this report shows a run that has not finished)".to_string()
        } else {
            "COMPLETED".to_string()
        }
    }

    /// Fold a run's events into report data. Events are ordered by Lamport counter, then device id, as the store
    /// does; `now` is the report time.
    pub fn from_events(events: &[Event], now: DateTime<Utc>) -> crate::Result<Self> {
        let mut evs: Vec<&Event> = events.iter().collect();
        evs.sort_by(|a, b| (a.lamport, &a.device, &a.id).cmp(&(b.lamport, &b.device, &b.id)));
        let (created, checklist) = evs
            .iter()
            .find_map(|e| match &e.body {
                EventBody::RunCreated { checklist, .. } => Some((*e, checklist.as_ref())),
                _ => None,
            })
            .ok_or_else(|| crate::Error::Input("the run has no run_created event".into()))?;
        let EventBody::RunCreated { title, version, environment, window_start, window_end, operator, .. } = &created.body
        else {
            return Err(crate::Error::Input("the run has no run_created event".into()));
        };
        let mut items: BTreeMap<String, ItemReport> = BTreeMap::new();
        for (_, _, it) in checklist.items() {
            items.insert(it.id.clone(), blank_item(it, 0));
        }
        let mut four_eyes = true;
        let mut gate_mode = GateMode::default();
        for e in &evs {
            match &e.body {
                EventBody::ItemSet { item, state, reason, note } => {
                    if let Some(i) = items.get_mut(item) {
                        i.state = *state;
                        i.by = Some(e.actor.clone());
                        i.at = Some(e.at);
                        i.reason = reason.clone();
                        if let Some(n) = note {
                            i.notes.push(n.clone());
                        }
                    }
                }
                EventBody::NoteAdded { item, note } => {
                    if let Some(i) = items.get_mut(item) {
                        i.notes.push(format!("{} ({}): {note}", e.actor, e.at.format("%H:%M")));
                    }
                }
                EventBody::Evidence { item, evidence } => {
                    if let Some(i) = items.get_mut(item) {
                        i.evidence.push(evidence_row(evidence, e.at));
                    }
                }
                EventBody::Waived { item, reason, approver } => {
                    if let Some(i) = items.get_mut(item) {
                        i.waiver = Some(WaiverReport { reason: reason.clone(), approver: approver.clone(), at: e.at });
                    }
                }
                EventBody::SettingsChanged { four_eyes: f, gate_mode: g } => {
                    if let Some(f) = f {
                        four_eyes = *f;
                    }
                    if let Some(g) = g {
                        gate_mode = *g;
                    }
                }
                EventBody::RunCreated { .. }
                | EventBody::ProbeArmed { .. }
                | EventBody::ProbeAdded { .. }
                | EventBody::SignedOff { .. }
                | EventBody::RoleAdded { .. } => {}
            }
        }
        let phases = build_phases(checklist, &mut items);
        let parents: BTreeSet<&str> = evs.iter().flat_map(|e| e.parents.iter().map(String::as_str)).collect();
        let head_hashes = evs.iter().filter(|e| !parents.contains(e.hash.as_str())).map(|e| e.hash.clone()).collect();
        let signoffs = SignoffFacts::from_events(events).map(|f| statuses(&f, now)).unwrap_or_default();
        Ok(ReportInput {
            run_id: created.run_id.clone(),
            title: title.clone(),
            version: version.clone(),
            environment: environment.clone(),
            window_start: *window_start,
            window_end: *window_end,
            operator: operator.clone(),
            checklist_title: checklist.title.clone(),
            generated_at: now,
            created_at: Some(created.at),
            head_hashes,
            event_count: evs.len(),
            four_eyes,
            gate_mode,
            phases,
            signoffs,
        })
    }
}

fn blank_item(it: &runsheet_core::Item, depth: usize) -> ItemReport {
    ItemReport {
        id: it.id.clone(),
        depth,
        text: it.text.clone(),
        state: if it.checked { ItemState::Done } else { ItemState::Pending },
        by: None,
        at: None,
        reason: None,
        notes: Vec::new(),
        waiver: None,
        evidence: Vec::new(),
    }
}

fn build_phases(checklist: &Checklist, items: &mut BTreeMap<String, ItemReport>) -> Vec<PhaseReport> {
    fn walk(list: &[runsheet_core::Item], depth: usize, items: &mut BTreeMap<String, ItemReport>, out: &mut Vec<ItemReport>) {
        for it in list {
            let mut r = items.remove(&it.id).unwrap_or_else(|| blank_item(it, depth));
            r.depth = depth;
            out.push(r);
            walk(&it.children, depth + 1, items, out);
        }
    }
    checklist
        .phases
        .iter()
        .map(|p| PhaseReport {
            id: p.id.clone(),
            title: p.title.clone(),
            timing: p.timing.as_ref().map(|t| t.label.clone()),
            planned_offset_minutes: p.timing.as_ref().and_then(|t| t.offset_minutes),
            planned_end_offset_minutes: p.timing.as_ref().and_then(|t| t.end_offset_minutes),
            rollback: p.rollback,
            sections: p
                .sections
                .iter()
                .map(|s| {
                    let mut out = Vec::new();
                    walk(&s.items, 0, items, &mut out);
                    SectionReport {
                        title: s.title.clone(),
                        timing: s.timing.as_ref().map(|t| t.label.clone()),
                        rollback: s.rollback,
                        items: out,
                    }
                })
                .collect(),
        })
        .collect()
}

/// Read one evidence JSON leniently (field names of the probes crate, with a few aliases).
pub fn evidence_row(v: &serde_json::Value, at: DateTime<Utc>) -> EvidenceRow {
    let s = |k: &[&str]| k.iter().find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string));
    let ok = v
        .get("ok")
        .and_then(|x| x.as_bool())
        .or_else(|| v.get("passed").and_then(|x| x.as_bool()))
        .or_else(|| s(&["outcome", "status"]).map(|o| matches!(o.as_str(), "pass" | "passed" | "ok" | "success")))
        .unwrap_or(false);
    let latency_ms = ["latency_ms", "duration_ms", "elapsed_ms"].iter().find_map(|k| v.get(*k).and_then(|x| x.as_u64()));
    let at = s(&["ended_at", "at", "finished_at", "started_at"])
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(at);
    EvidenceRow {
        kind: s(&["kind"]).unwrap_or_else(|| "probe".into()),
        target: s(&["target", "url", "address", "name", "path", "command"]).unwrap_or_default(),
        ok,
        outcome: s(&["message", "detail", "summary", "outcome"]).unwrap_or_else(|| if ok { "pass".into() } else { "fail".into() }),
        latency_ms,
        response_hash: s(&["response_sha256", "response_hash", "sha256", "body_sha256"]),
        excerpt: s(&["excerpt", "body_excerpt", "output"]),
        at,
    }
}
