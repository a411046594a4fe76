//! View models: what a screen shows of a run, built from its folded state (`&RunState`) and the time `now` —
//! the run view with item statuses and latest evidence, the run summary and its display status, the timeline,
//! the planned-versus-actual chart, the sign-off view (roles, names excluded by four-eyes, blockers, phase gates,
//! waivers) and a PDF check. Plain `Serialize` structs (and `specta::Type` with the `specta` feature, so the
//! desktop's TypeScript bindings are generated from these very types).
//!
//! Left out: the rules (runsheet-core `signoff`), storage, and how a front end draws or prints any of it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use runsheet_core::event::{EventBody, GateMode as CoreGate, ItemState as CoreItemState};
use runsheet_core::run::{RunState, RunStatus as CoreStatus};
use runsheet_core::signoff::{self as rules, Blocker as CoreBlocker, GateVerdict};
use runsheet_core::Checklist;
use serde::{Deserialize, Serialize};

use crate::library::{suggestions, ChecklistSummary, SuggestedProbe};
use crate::{App, Error, Result};

/// Item states as shown (runsheet-core `event::ItemState`, same spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Pending,
    Done,
    Skipped,
    Failed,
    Blocked,
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl From<ItemState> for CoreItemState {
    fn from(s: ItemState) -> Self {
        match s {
            ItemState::Pending => CoreItemState::Pending,
            ItemState::Done => CoreItemState::Done,
            ItemState::Skipped => CoreItemState::Skipped,
            ItemState::Failed => CoreItemState::Failed,
            ItemState::Blocked => CoreItemState::Blocked,
            ItemState::NotApplicable => CoreItemState::NotApplicable,
        }
    }
}

impl From<CoreItemState> for ItemState {
    fn from(s: CoreItemState) -> Self {
        match s {
            CoreItemState::Pending => ItemState::Pending,
            CoreItemState::Done => ItemState::Done,
            CoreItemState::Skipped => ItemState::Skipped,
            CoreItemState::Failed => ItemState::Failed,
            CoreItemState::Blocked => ItemState::Blocked,
            CoreItemState::NotApplicable => ItemState::NotApplicable,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum GateMode {
    Strict,
    #[default]
    Advisory,
}

impl From<GateMode> for CoreGate {
    fn from(g: GateMode) -> Self {
        match g {
            GateMode::Strict => CoreGate::Strict,
            GateMode::Advisory => CoreGate::Advisory,
        }
    }
}

impl From<CoreGate> for GateMode {
    fn from(g: CoreGate) -> Self {
        match g {
            CoreGate::Strict => GateMode::Strict,
            CoreGate::Advisory => GateMode::Advisory,
        }
    }
}

/// A run's status as lists and headers show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    NotStarted,
    InProgress,
    Blocked,
    /// The deployment is done; follow-up items are still open.
    Monitoring,
    Completed,
    Signed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    pub total: u32,
    pub pending: u32,
    pub done: u32,
    pub skipped: u32,
    pub failed: u32,
    pub blocked: u32,
    pub na: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSummary {
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub operator: String,
    pub checklist_id: String,
    pub checklist_title: String,
    pub created_at: String,
    pub updated_at: String,
    pub status: RunStatus,
    pub progress: Progress,
    /// What comes due next (late first, then due, then the earliest upcoming); None without a change window or
    /// when nothing planned is left open.
    pub next_due: Option<NextDue>,
}

/// A run's next planned phase or section as the runs list shows it (from [`crate::due::next_due`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NextDue {
    /// The phase's or section's title, and its hint as written (`First Day`).
    pub title: String,
    pub label: String,
    /// Planned start and end, RFC 3339.
    pub planned: String,
    pub planned_end: String,
    /// `upcoming`, `due` or `late`.
    pub state: String,
    /// Minutes past the planned end (0 unless late).
    pub late_minutes: u32,
    /// Counted from the end of the change window.
    pub follow_up: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Note {
    pub at: String,
    pub actor: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Waiver {
    pub item: String,
    /// The item's text, for display.
    pub item_title: String,
    pub reason: String,
    pub approver: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProbeOutcome {
    Pass,
    Fail,
    Timeout,
    Error,
}

/// One probe execution's evidence as shown; `output` was masked before it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    pub item: String,
    pub probe: u32,
    pub kind: String,
    pub outcome: ProbeOutcome,
    pub started_at: String,
    pub duration_ms: f64,
    pub summary: String,
    pub output: String,
    pub response_hash: Option<String>,
    pub fresh_for_s: f64,
    pub stale: bool,
    /// Set when the probe was refused because a secret may not go to its host and the operator can grant that
    /// for the run (`grant_secret`); the UI asks "Send SECRET to HOST?" from it.
    pub grant: Option<GrantOffer>,
}

/// A grant the operator may give to let a refused probe run: send `secret` to `host` for this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GrantOffer {
    pub secret: String,
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ItemStatus {
    pub state: ItemState,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub at: Option<String>,
    pub notes: Vec<Note>,
    pub waiver: Option<Waiver>,
    pub armed: bool,
    /// Latest evidence per probe, in probe order.
    pub evidence: Vec<Evidence>,
    /// The run's status with the item as it is: the result of a change carries it, so the UI never recomputes it.
    pub run_status: RunStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSettings {
    pub four_eyes: bool,
    pub gate_mode: GateMode,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunView {
    pub summary: RunSummary,
    /// The run's effective checklist (runsheet-core `Checklist`, with the probes added during the run).
    pub checklist: serde_json::Value,
    pub items: BTreeMap<String, ItemStatus>,
    pub settings: RunSettings,
    pub suggestions: Vec<SuggestedProbe>,
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineEvent {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub lamport: u32,
    pub device: String,
    pub hash: String,
    /// The event body as runsheet-core serialises it (`type`-tagged), without the frozen checklist.
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SectionTiming {
    pub phase: String,
    pub section: String,
    pub title: String,
    pub planned_start_min: Option<f64>,
    pub planned_end_min: Option<f64>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineChartData {
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub rows: Vec<SectionTiming>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BlockerKind {
    Pending,
    Failed,
    Blocked,
    FailedProbe,
    StaleEvidence,
    MissingEvidence,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Blocker {
    pub kind: BlockerKind,
    pub item: String,
    pub phase: String,
    /// What blocks, naming the item by its text (`Run the smoke tests — latest probe result: fail`).
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Signature {
    pub name: String,
    pub at: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoleStatus {
    pub role: String,
    pub phase: Option<String>,
    /// The title of `phase`, for display.
    pub phase_title: Option<String>,
    pub signed: Option<Signature>,
    /// Who may not sign this role under four-eyes (they executed a covered item).
    pub excluded: Vec<String>,
    pub blockers: Vec<Blocker>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhaseGate {
    pub phase: String,
    pub title: String,
    pub open: bool,
    pub blockers: Vec<Blocker>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignoffView {
    pub settings: RunSettings,
    pub operator: String,
    pub roles: Vec<RoleStatus>,
    pub gates: Vec<PhaseGate>,
    pub waivers: Vec<Waiver>,
}

/// A library checklist before a run is made from it: its summary, the parsed checklist and the probes the
/// importer suggests.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChecklistPreview {
    pub summary: ChecklistSummary,
    /// The parsed checklist (runsheet-core `Checklist`).
    pub checklist: serde_json::Value,
    pub suggestions: Vec<SuggestedProbe>,
}

/// A signed PDF's check as shown: intact or not, who signed, and every problem in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PdfCheck {
    pub intact: bool,
    pub signer: Option<String>,
    pub fingerprint: Option<String>,
    pub signed_at: Option<String>,
    pub run_title: Option<String>,
    pub head_hash: Option<String>,
    pub messages: Vec<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The run's status for the desktop: the core's one status (`RunState::status`), named as the UI knows it (the UI
/// shows a failed run as blocked: it needs attention either way).
pub fn run_status(state: &RunState) -> RunStatus {
    match state.status() {
        CoreStatus::Signed => RunStatus::Signed,
        CoreStatus::Monitoring => RunStatus::Monitoring,
        CoreStatus::Complete => RunStatus::Completed,
        CoreStatus::Failed | CoreStatus::Blocked => RunStatus::Blocked,
        CoreStatus::InProgress => RunStatus::InProgress,
        CoreStatus::NotStarted => RunStatus::NotStarted,
    }
}

/// The run's summary at `now` (what comes due next depends on it).
pub fn run_summary(state: &RunState, now: DateTime<Utc>) -> RunSummary {
    let p = state.progress();
    let m = &state.meta;
    RunSummary {
        id: state.run_id.clone(),
        title: m.title.clone(),
        version: m.version.clone(),
        environment: m.environment.clone(),
        window_start: m.window_start.map(|t| t.to_rfc3339()),
        window_end: m.window_end.map(|t| t.to_rfc3339()),
        operator: m.operator.clone(),
        checklist_id: m.checklist_id.clone(),
        checklist_title: state.checklist.title.clone(),
        created_at: m.created_at.to_rfc3339(),
        updated_at: state.timeline.last().map_or(m.created_at, |e| e.at).to_rfc3339(),
        status: run_status(state),
        progress: Progress {
            total: count(p.total),
            pending: count(p.pending),
            done: count(p.done),
            skipped: count(p.skipped),
            failed: count(p.failed),
            blocked: count(p.blocked),
            na: count(p.not_applicable),
        },
        next_due: crate::due::next_due(state, now).map(|d| NextDue {
            title: d.title,
            label: d.label,
            planned: d.planned.to_rfc3339(),
            planned_end: d.planned_end.to_rfc3339(),
            state: d.state.as_str().to_string(),
            late_minutes: u32::try_from(d.late_minutes.max(0)).unwrap_or(u32::MAX),
            follow_up: d.follow_up,
        }),
    }
}

/// Core evidence as shown, its staleness judged at `now`.
pub fn evidence_view(item: &str, ev: &runsheet_core::probe::Evidence, now: DateTime<Utc>) -> Evidence {
    use runsheet_core::probe::Outcome;
    Evidence {
        item: item.to_string(),
        probe: ev.probe,
        kind: ev.kind.clone(),
        outcome: match ev.outcome {
            Outcome::Pass => ProbeOutcome::Pass,
            Outcome::Fail => ProbeOutcome::Fail,
            Outcome::Timeout => ProbeOutcome::Timeout,
            Outcome::Error => ProbeOutcome::Error,
        },
        started_at: ev.started_at.to_rfc3339(),
        // Milliseconds and seconds fit an f64 exactly far beyond any real duration.
        duration_ms: ev.duration_ms as f64,
        summary: format!("{} {}: {}", ev.kind, ev.target, ev.detail),
        output: ev.excerpt.clone(),
        response_hash: ev.sha256.clone(),
        fresh_for_s: ev.fresh_for_secs as f64,
        stale: ev.is_stale(now),
        grant: ev
            .refusal
            .as_ref()
            .filter(|r| r.grantable)
            .map(|r| GrantOffer { secret: r.secret.clone(), host: r.host.clone() }),
    }
}

/// The latest evidence of each of an item's probes, in probe order (unreadable records are left out).
pub fn evidence_of(state: &RunState, item: &str, now: DateTime<Utc>) -> Vec<Evidence> {
    let mut latest: BTreeMap<u32, Evidence> = BTreeMap::new();
    for rec in state.evidence.get(item).into_iter().flatten() {
        if let Ok(ev) = runsheet_core::probe::Evidence::from_value(&rec.evidence) {
            latest.insert(ev.probe, evidence_view(item, &ev, now));
        }
    }
    latest.into_values().collect()
}

/// An item's text for display (its id when the checklist has no such item).
fn item_title(c: &Checklist, item: &str) -> String {
    c.item(item).map_or_else(|| item.to_string(), |i| i.text.clone())
}

fn waiver_view(c: &Checklist, item: &str, w: &runsheet_core::run::Waiver) -> Waiver {
    Waiver {
        item: item.to_string(),
        item_title: item_title(c, item),
        reason: w.reason.clone(),
        approver: w.approver.clone(),
        at: w.at.to_rfc3339(),
    }
}

/// One item's status: state, notes (added ones and those given with a state change), waiver, arming, evidence.
pub fn item_status(state: &RunState, item: &str, now: DateTime<Utc>) -> Result<ItemStatus> {
    let st = state.item(item).ok_or_else(|| Error::not_found(format!("no item {item} in run {}", state.run_id)))?;
    let notes = state
        .timeline
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::NoteAdded { item: i, note } if i == item => Some((e, note.clone())),
            EventBody::ItemSet { item: i, note: Some(note), .. } if i == item => Some((e, note.clone())),
            _ => None,
        })
        .map(|(e, text)| Note { at: e.at.to_rfc3339(), actor: e.actor.clone(), text })
        .collect();
    Ok(ItemStatus {
        state: st.state.into(),
        reason: st.reason.clone(),
        by: st.by.clone(),
        at: st.at.map(|t| t.to_rfc3339()),
        notes,
        waiver: state.waivers.get(item).map(|w| waiver_view(&state.checklist, item, w)),
        armed: state.armed.contains(item),
        evidence: evidence_of(state, item, now),
        run_status: run_status(state),
    })
}

pub fn run_settings(state: &RunState) -> RunSettings {
    RunSettings { four_eyes: state.settings.four_eyes, gate_mode: state.settings.gate_mode.into() }
}

/// The run screen: summary, effective checklist, every item's status, settings, probe suggestions, heads.
pub fn run_view(state: &RunState, now: DateTime<Utc>) -> Result<RunView> {
    let items = state.items.keys().map(|k| Ok((k.clone(), item_status(state, k, now)?))).collect::<Result<_>>()?;
    let effective = state.effective_checklist();
    let checklist = serde_json::to_value(&effective).map_err(|e| Error::internal(format!("encoding checklist: {e}")))?;
    Ok(RunView {
        summary: run_summary(state, now),
        checklist,
        items,
        settings: run_settings(state),
        suggestions: item_suggestions(&effective),
        heads: state.heads().into_iter().map(|e| e.hash.clone()).collect(),
    })
}

/// The run's events in fold order, without the frozen checklist of `run_created` (the run view carries it).
pub fn timeline(state: &RunState) -> Result<Vec<TimelineEvent>> {
    state
        .timeline
        .iter()
        .map(|e| {
            let mut body = serde_json::to_value(&e.body).map_err(|x| Error::internal(format!("encoding event: {x}")))?;
            if let Some(obj) = body.as_object_mut() {
                obj.remove("checklist");
            }
            Ok(TimelineEvent {
                id: e.id.clone(),
                at: e.at.to_rfc3339(),
                actor: e.actor.clone(),
                lamport: u32::try_from(e.lamport).unwrap_or(u32::MAX),
                device: e.device.clone(),
                hash: e.hash.clone(),
                body,
            })
        })
        .collect()
}

/// Planned (`runsheet_core::schedule`'s slots, minutes from T) versus actual (first and last event on a section's
/// items) per section.
pub fn timeline_chart(state: &RunState) -> TimelineChartData {
    let spans = runsheet_core::schedule::run_spans(state);
    let mut rows = Vec::new();
    for phase in &state.checklist.phases {
        for section in &phase.sections {
            let mut ids = Vec::new();
            runsheet_core::run::walk_items(&section.items, &mut |i| ids.push(i.id.clone()));
            let times: Vec<DateTime<Utc>> = state
                .timeline
                .iter()
                .filter(|e| e.body.item().is_some_and(|i| ids.iter().any(|x| x == i)))
                .map(|e| e.at)
                .collect();
            let span = spans.get(&section.id);
            rows.push(SectionTiming {
                phase: phase.id.clone(),
                section: section.id.clone(),
                title: if section.title.is_empty() { phase.title.clone() } else { section.title.clone() },
                planned_start_min: span.map(|s| s.0 as f64),
                planned_end_min: span.map(|s| s.1 as f64),
                actual_start: times.iter().min().map(|t| t.to_rfc3339()),
                actual_end: times.iter().max().map(|t| t.to_rfc3339()),
            });
        }
    }
    TimelineChartData {
        window_start: state.meta.window_start.map(|t| t.to_rfc3339()),
        window_end: state.meta.window_end.map(|t| t.to_rfc3339()),
        rows,
    }
}

fn phase_of(c: &Checklist, item: &str) -> String {
    c.items().into_iter().find(|(_, _, i)| i.id == item).map(|(p, _, _)| p.id.clone()).unwrap_or_default()
}

/// A core blocker as shown, naming items by their text (the id is kept for the jump); None for signer- or
/// role-level reasons, which the view shows elsewhere (excluded names, signed state).
pub fn blocker_view(c: &Checklist, b: &CoreBlocker) -> Option<Blocker> {
    let (kind, item, phase) = match b {
        CoreBlocker::ItemOpen { item, state } => {
            let kind = match state {
                CoreItemState::Failed => BlockerKind::Failed,
                CoreItemState::Blocked => BlockerKind::Blocked,
                _ => BlockerKind::Pending,
            };
            (kind, item.clone(), phase_of(c, item))
        }
        CoreBlocker::MissingEvidence { item } => (BlockerKind::MissingEvidence, item.clone(), phase_of(c, item)),
        CoreBlocker::StaleEvidence { item, .. } => (BlockerKind::StaleEvidence, item.clone(), phase_of(c, item)),
        CoreBlocker::FailingEvidence { item, .. } => (BlockerKind::FailedProbe, item.clone(), phase_of(c, item)),
        CoreBlocker::EarlierPhaseOpen { phase, .. } => (BlockerKind::Pending, String::new(), phase.clone()),
        // Shown as a failure until the UI's hand-written `BlockerKind` (ui/src/lib/backend/types.ts) learns a kind
        // of its own: a new variant here would widen the generated bindings past what the UI accepts. The message
        // says what it is, and it comes first.
        CoreBlocker::TriggerOpen { item, .. } => (BlockerKind::Failed, item.clone(), phase_of(c, item)),
        CoreBlocker::FourEyes { .. }
        | CoreBlocker::FourEyesKey { .. }
        | CoreBlocker::SignedWithoutKnowledge { .. }
        | CoreBlocker::AlreadySigned { .. }
        | CoreBlocker::UnknownRole { .. } => return None,
    };
    let title = item_title(c, &item);
    let message = match b {
        CoreBlocker::ItemOpen { state, .. } => format!("{title} — {}", state.as_str()),
        CoreBlocker::MissingEvidence { .. } => format!("{title} — probe never ran"),
        CoreBlocker::StaleEvidence { fresh_until, .. } => {
            format!("{title} — evidence went stale at {}", fresh_until.format("%Y-%m-%d %H:%M UTC"))
        }
        CoreBlocker::FailingEvidence { outcome, .. } => format!("{title} — latest probe result: {outcome}"),
        CoreBlocker::TriggerOpen { .. } => format!("{title} — rollback trigger fired: decide to roll back or continue"),
        CoreBlocker::EarlierPhaseOpen { phase, open_items } => {
            let t = c.phases.iter().find(|p| &p.id == phase).map_or(phase.as_str(), |p| p.title.as_str());
            format!("phase {t} has {open_items} open item(s)")
        }
        _ => b.to_string(),
    };
    Some(Blocker { kind, item, phase, message })
}

/// The sign-off screen at `now`: each role with its signature or its blockers and the names four-eyes excludes,
/// each phase's gate, and the waivers.
pub fn signoff_view(state: &RunState, now: DateTime<Utc>) -> Result<SignoffView> {
    let c = &state.checklist;
    let roles = state
        .roles
        .iter()
        .map(|r| {
            let signed = state.signoffs.iter().find(|x| x.role.trim().eq_ignore_ascii_case(r.name.trim()));
            // A role under a phase with no items of its own (a "Sign-off" section) approves the whole run, as
            // `covered_items` rules.
            let scope = r
                .phase
                .as_ref()
                .and_then(|id| c.phases.iter().find(|p| &p.id == id))
                .filter(|p| p.sections.iter().any(|s| !s.items.is_empty()));
            let mut excluded: Vec<String> = Vec::new();
            if state.settings.four_eyes {
                for item in rules::covered_items(state, r) {
                    excluded.extend(rules::executed_by(state, &item));
                }
                excluded.sort();
                excluded.dedup();
            }
            let blockers = if signed.is_some() {
                Vec::new()
            } else {
                rules::blockers(state, &r.name, "", now).iter().filter_map(|b| blocker_view(c, b)).collect()
            };
            RoleStatus {
                role: r.name.clone(),
                phase: scope.map(|p| p.id.clone()),
                phase_title: scope.map(|p| p.title.clone()),
                signed: signed.map(|x| Signature { name: x.name.clone(), at: x.at.to_rfc3339(), comment: x.comment.clone() }),
                excluded,
                blockers,
            }
        })
        .collect();
    let gates = c
        .phases
        .iter()
        .filter_map(|p| {
            let first = p.sections.iter().flat_map(|s| s.items.first()).next()?;
            let blockers = match rules::gate_check(state, &first.id) {
                GateVerdict::Open => Vec::new(),
                GateVerdict::Warn { blockers } | GateVerdict::Refused { blockers } => blockers,
            };
            Some(PhaseGate {
                phase: p.id.clone(),
                title: p.title.clone(),
                open: blockers.is_empty(),
                blockers: blockers.iter().filter_map(|b| blocker_view(c, b)).collect(),
            })
        })
        .collect();
    let waivers = state.waivers.iter().map(|(item, w)| waiver_view(c, item, w)).collect();
    Ok(SignoffView { settings: run_settings(state), operator: state.meta.operator.clone(), roles, gates, waivers })
}

/// A signed PDF's verification report as shown.
pub fn pdf_check(r: &runsheet_report::VerifyReport) -> PdfCheck {
    let sig = r.signatures.last();
    let log = r.run_log.as_ref();
    let mut messages = r.problems.clone();
    if let Some(l) = log {
        messages.extend(l.problems.iter().cloned());
        messages.push(format!("attached run log: {} events, hash chain {}", l.events, if l.dag_ok { "intact" } else { "BROKEN" }));
    }
    if !r.covers_whole_file {
        messages.push("the signature does not cover the whole file: it was changed after signing".into());
    }
    PdfCheck {
        intact: r.ok && r.covers_whole_file,
        signer: sig.map(|s| s.signer.clone()),
        fingerprint: sig.map(|s| s.fingerprint.clone()),
        // RFC 3339 for a front end to format; the raw text when it is not a well-formed PDF date.
        signed_at: sig.and_then(|s| s.signed_at().map(|t| t.to_rfc3339()).or_else(|| s.signing_time.clone())),
        run_title: None,
        head_hash: log.and_then(|l| l.heads.first().cloned()),
        messages,
    }
}

/// The probe suggestions an item can accept: the importer's, without the ones for a section's commands.
fn item_suggestions(c: &Checklist) -> Vec<SuggestedProbe> {
    suggestions(c).into_iter().filter(|s| !s.item.is_empty()).collect()
}

impl App {
    /// A template or library checklist (id or unique prefix) with the probes suggested for its items.
    pub fn checklist_preview(&self, id: &str) -> Result<ChecklistPreview> {
        let (summary, c) = self.checklist(id)?;
        let checklist = serde_json::to_value(&c).map_err(|e| Error::internal(format!("encoding checklist: {e}")))?;
        Ok(ChecklistPreview { summary, checklist, suggestions: item_suggestions(&c) })
    }

    /// A run's screen (id or unique prefix), judged now.
    pub fn run_view(&self, run: &str) -> Result<RunView> {
        run_view(&self.run(run)?, self.now())
    }

    /// Every run's summary, newest first. Each run is folded: the summaries need version, environment and
    /// operator, and runs are few (a fold of a few hundred events takes well under a millisecond).
    pub fn run_list(&self) -> Result<Vec<RunSummary>> {
        let now = self.now();
        Ok(self.run_states()?.iter().map(|s| run_summary(s, now)).collect())
    }

    /// One item's status after a change (id or unique prefix of the run; the item as stored).
    pub fn item_view(&self, run: &str, item: &str) -> Result<ItemStatus> {
        item_status(&self.run(run)?, item, self.now())
    }

    /// A run's sign-off screen, judged now.
    pub fn signoff_view(&self, run: &str) -> Result<SignoffView> {
        signoff_view(&self.run(run)?, self.now())
    }
}

/// One detail of a contact on the contacts card: `value` is None while it is a placeholder still to fill in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ContactDetail {
    /// `name`, `phone`, `email`, `handle`, or `other`.
    pub kind: String,
    pub label: String,
    pub value: Option<String>,
}

/// A contact of the run (runsheet-core `Contact`, with what was filled in during the run).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ContactCard {
    pub role: String,
    /// The heading it stands under (`On-Call Engineers`, or `Added during the run`).
    pub group: String,
    pub details: Vec<ContactDetail>,
    /// How many placeholders are still to fill in.
    pub missing: u32,
}

/// The run's contacts card, in the checklist's order.
pub fn contact_cards(state: &RunState) -> Vec<ContactCard> {
    state
        .contacts
        .iter()
        .map(|c| ContactCard {
            role: c.role.clone(),
            group: c.group.clone(),
            details: c
                .fields
                .iter()
                .map(|f| ContactDetail { kind: f.kind.clone(), label: f.label.clone(), value: f.value.clone() })
                .collect(),
            missing: u32::try_from(c.missing().count()).unwrap_or(u32::MAX),
        })
        .collect()
}

/// One detail typed into a contact form.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ContactDetailInput {
    /// `name`, `phone`, `email`, `handle`, or `other`.
    pub kind: String,
    /// The label of an `other` detail (`Account ID`); the kind's name when absent.
    #[serde(default)]
    pub label: Option<String>,
    pub value: String,
}

impl App {
    /// Fill in contact `role` of run `run` from a form: empty boxes are left out (the contact keeps what it
    /// had); a form with nothing filled in is refused by the fold's check.
    pub fn fill_contact(
        &self,
        run: &str,
        role: &str,
        details: Vec<ContactDetailInput>,
        actor: crate::Actor<'_>,
    ) -> Result<runsheet_core::event::Event> {
        let fields = details
            .into_iter()
            .filter_map(|d| {
                let value = d.value.trim().to_string();
                if value.is_empty() {
                    return None;
                }
                let kind = d.kind.trim().to_string();
                let label = d.label.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).unwrap_or_else(|| kind.clone());
                Some(runsheet_core::ContactField { kind, label, value: Some(value) })
            })
            .collect();
        self.set_contact(run, role, fields, actor)
    }

    /// The contacts card of run `run`.
    pub fn contact_cards(&self, run: &str) -> Result<Vec<ContactCard>> {
        Ok(contact_cards(&self.run(run)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use runsheet_core::event::{Event, Parent};

    const MD: &str = "# Release\n\n## Prepare\n\n- [ ] Tag the release\n- [ ] Smoke test\n\n```probe\nkind = \"http\"\nurl = \"http://127.0.0.1:9/health\"\n```\n\n## Ship\n\n- [ ] Deploy\n\n## Sign-off\n\n- [ ] QA: ________\n";

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 10, 0, 0).single().unwrap_or_default() + chrono::Duration::minutes(min)
    }

    /// A run folded from events made here (no store): created at t(0), then `bodies` at t(1), t(2), ….
    fn state(bodies: Vec<(&str, EventBody)>) -> RunState {
        state_of(MD, bodies)
    }

    fn state_of(md: &str, bodies: Vec<(&str, EventBody)>) -> RunState {
        let checklist = runsheet_core::import::parse("r.md", md).unwrap();
        let created = EventBody::RunCreated {
            checklist: Box::new(checklist),
            checklist_id: "c1".into(),
            title: "R".into(),
            version: None,
            environment: None,
            window_start: Some(t(0)),
            window_end: Some(t(60)),
            operator: "Ada".into(),
        };
        let mut events = vec![Event::new("e0".into(), "run1".into(), "dev".into(), &[], t(0), "Ada".into(), created)];
        for (i, (actor, body)) in bodies.into_iter().enumerate() {
            let parents: Vec<Parent> = events.last().map(Parent::from).into_iter().collect();
            let n = i64::try_from(i).unwrap() + 1;
            events.push(Event::new(format!("e{n}"), "run1".into(), "dev".into(), &parents, t(n), actor.into(), body));
        }
        RunState::fold(events).unwrap()
    }

    fn item_id(s: &RunState, text: &str) -> String {
        s.checklist.items().into_iter().find(|(_, _, i)| i.text.starts_with(text)).map(|(_, _, i)| i.id.clone()).unwrap()
    }

    fn set(item: &str, state: CoreItemState) -> EventBody {
        EventBody::ItemSet { item: item.into(), state, reason: None, note: None }
    }

    #[test]
    fn display_status_policy() {
        use CoreItemState::{Blocked, Done, Failed};
        let base = state(vec![]);
        let [tag, smoke, deploy] = ["Tag", "Smoke", "Deploy"].map(|t| item_id(&base, t));
        let status = |bodies: Vec<(&str, EventBody)>| run_status(&state(bodies));
        assert_eq!(run_status(&base), RunStatus::NotStarted);
        assert_eq!(status(vec![("Ada", set(&tag, Failed))]), RunStatus::InProgress, "work left: still in progress");
        assert_eq!(status(vec![("Ada", set(&smoke, Blocked))]), RunStatus::Blocked, "a blocked item blocks the run");
        let failed_at_end = vec![("Ada", set(&tag, Failed)), ("Ada", set(&smoke, Done)), ("Ada", set(&deploy, Done))];
        assert_eq!(status(failed_at_end), RunStatus::Blocked, "nothing left to do but a failure: blocked");
        let mut all_done = vec![("Ada", set(&tag, Done)), ("Ada", set(&smoke, Done)), ("Ada", set(&deploy, Done))];
        assert_eq!(status(all_done.clone()), RunStatus::Completed, "complete but not signed");
        all_done.push(("Bob", EventBody::SignedOff { role: "QA".into(), name: "Bob".into(), comment: None }));
        let signed = state(all_done);
        assert_eq!(run_status(&signed), RunStatus::Signed, "complete and every role signed");
        assert_eq!(run_summary(&signed, t(0)).progress.done, 3);
    }

    #[test]
    fn a_deployment_done_with_follow_ups_open_shows_as_monitoring() {
        let md = "# Release\n\n## Ship (T+0)\n\n- [ ] Deploy\n\n## Post-Deployment\n\n### First Day\n\n- [ ] Watch errors\n";
        let base = state_of(md, vec![]);
        let [deploy, watch] = ["Deploy", "Watch"].map(|t| item_id(&base, t));
        let deployed = state_of(md, vec![("Ada", set(&deploy, CoreItemState::Done))]);
        assert_eq!(run_status(&deployed), RunStatus::Monitoring, "the follow-up is open");
        assert_eq!(serde_json::to_value(RunStatus::Monitoring).ok(), Some(serde_json::json!("monitoring")), "the UI's word");
        let closed = state_of(md, vec![("Ada", set(&deploy, CoreItemState::Done)), ("Ada", set(&watch, CoreItemState::Done))]);
        assert_eq!(run_status(&closed), RunStatus::Completed, "follow-ups closed");
    }

    #[test]
    fn item_status_collects_notes_from_both_event_kinds() {
        let base = state(vec![]);
        let tag = item_id(&base, "Tag");
        let s = state(vec![
            ("Ada", EventBody::ItemSet { item: tag.clone(), state: CoreItemState::Done, reason: None, note: Some("v1.2".into()) }),
            ("Bob", EventBody::NoteAdded { item: tag.clone(), note: "checked".into() }),
        ]);
        let st = item_status(&s, &tag, t(10)).unwrap();
        assert_eq!(st.state, ItemState::Done);
        assert_eq!(st.by.as_deref(), Some("Ada"));
        let notes: Vec<_> = st.notes.iter().map(|n| (n.actor.as_str(), n.text.as_str())).collect();
        assert_eq!(notes, [("Ada", "v1.2"), ("Bob", "checked")], "a note given with a state change counts too");
        assert_eq!(item_status(&s, "nope", t(10)).unwrap_err().kind, crate::ErrorKind::NotFound);
    }

    #[test]
    fn signoff_view_names_blockers_by_item_text_and_four_eyes_exclusions() {
        let base = state(vec![]);
        let tag = item_id(&base, "Tag");
        let s = state(vec![("Ada", set(&tag, CoreItemState::Done))]);
        let v = signoff_view(&s, t(10)).unwrap();
        let qa = v.roles.iter().find(|r| r.role == "QA").expect("the checkbox sign-off line is a role");
        assert!(qa.signed.is_none());
        assert!(v.settings.four_eyes, "four-eyes is on by default");
        assert!(qa.excluded.contains(&"Ada".to_string()), "Ada executed a covered item: {:?}", qa.excluded);
        let smoke = qa.blockers.iter().find(|b| b.message.starts_with("Smoke test")).expect("the smoke test blocks");
        assert!(!smoke.item.is_empty() && !smoke.phase.is_empty(), "the blocker keeps ids for the jump: {smoke:?}");
        assert!(!qa.blockers.iter().any(|b| b.message.contains(&tag)), "items are named by text, not id");
        assert_eq!(v.gates.len(), 2, "one gate per phase with items: {:?}", v.gates);
    }

    #[test]
    fn waiver_and_timeline_and_chart() {
        let base = state(vec![]);
        let smoke = item_id(&base, "Smoke");
        let s = state(vec![
            ("Ada", set(&smoke, CoreItemState::Failed)),
            ("Bob", EventBody::Waived { item: smoke.clone(), reason: "known flake".into(), approver: "Bob".into() }),
        ]);
        let v = signoff_view(&s, t(10)).unwrap();
        assert_eq!(v.waivers.len(), 1);
        assert_eq!((v.waivers[0].item_title.as_str(), v.waivers[0].reason.as_str()), ("Smoke test", "known flake"));
        let tl = timeline(&s).unwrap();
        assert_eq!(tl.len(), 3);
        assert!(tl[0].body.get("checklist").is_none(), "the frozen checklist stays out of the timeline");
        let chart = timeline_chart(&s);
        let prepare = chart.rows.iter().find(|r| r.title == "Prepare").unwrap();
        assert_eq!(prepare.actual_start, Some(t(1).to_rfc3339()));
        assert_eq!(prepare.actual_end, Some(t(2).to_rfc3339()));
    }

    #[test]
    fn run_view_lists_every_item_and_only_item_suggestions() {
        let s = state(vec![]);
        let v = run_view(&s, t(1)).unwrap();
        assert_eq!(v.items.len(), s.items.len());
        assert!(v.suggestions.iter().all(|x| !x.item.is_empty()));
        assert_eq!(v.heads.len(), 1);
        assert_eq!(v.summary.checklist_title, "Release");
    }
}
