//! The one place that adapts runsheet-store's API and runsheet-core's run state to the wire types: commands call
//! these functions with the store locked, on the blocking pool. A store API change touches this file only.
//!
//! Left out: SQL, the event hash chain and the fold (runsheet-store / runsheet-core), and any rule about what an
//! event may do (`RunState::check` decides, its errors come back with their codes).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use runsheet_core::event::{EventBody, GateMode as CoreGate};
use runsheet_core::run::{RunState, RunStatus as CoreStatus};
use runsheet_store::{Store, StoreError};

use super::library::{ChecklistOrigin, ChecklistSummary, TEMPLATE_PREFIX};
use super::probes::Evidence;
use super::runs::{
    GateMode, ItemState, ItemStatus, Note, Progress, RunSettings, RunStatus, RunSummary, RunView, SectionTiming,
    TimelineChartData, TimelineEvent, Waiver,
};
use crate::error::{CmdResult, ErrorCode, WireError};

impl From<StoreError> for WireError {
    fn from(e: StoreError) -> Self {
        let code = match e.code() {
            "NotFound" => ErrorCode::NotFound,
            "Invalid" | "Ambiguous" => ErrorCode::Invalid,
            "Conflict" | "Busy" => ErrorCode::Conflict,
            "Damaged" | "TooNew" | "Io" => ErrorCode::Io,
            _ => ErrorCode::Internal,
        };
        WireError::new(code, e.to_string())
    }
}

impl From<runsheet_core::run::RunError> for WireError {
    fn from(e: runsheet_core::run::RunError) -> Self {
        StoreError::from(e).into()
    }
}

/// Arguments of `create_run`, validated by the command.
#[derive(Debug)]
pub struct NewRunArgs {
    pub checklist_id: String,
    /// The parsed bundled template when `checklist_id` names one, with its file name and source.
    pub template: Option<(String, String, runsheet_core::Checklist)>,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub operator: String,
}

fn summary(s: runsheet_store::ChecklistSummary, c: &runsheet_core::Checklist) -> ChecklistSummary {
    let mut out = ChecklistSummary::of(s.id, ChecklistOrigin::Imported, Some(s.file_name), Some(s.imported_at.to_rfc3339()), c);
    out.title = s.title;
    out
}

pub fn list_checklists(s: &mut Store) -> CmdResult<Vec<ChecklistSummary>> {
    let mut out = Vec::new();
    for c in s.list_checklists()? {
        // Templates copied into the store when a run was made from them stay listed once, as templates.
        if c.file_name.starts_with(TEMPLATE_PREFIX) {
            continue;
        }
        let (sum, checklist, _) = s.get_checklist(&c.id)?;
        out.push(summary(sum, &checklist));
    }
    Ok(out)
}

pub fn get_checklist(s: &mut Store, id: &str) -> CmdResult<(ChecklistSummary, runsheet_core::Checklist)> {
    let (sum, checklist, _) = s.get_checklist(id)?;
    Ok((summary(sum, &checklist), checklist))
}

pub fn import_checklist(
    s: &mut Store,
    name: &str,
    _path: Option<&str>,
    source: &str,
    checklist: &runsheet_core::Checklist,
) -> CmdResult<ChecklistSummary> {
    let sum = s.insert_checklist(name, source, checklist, Utc::now())?;
    Ok(summary(sum, checklist))
}

/// The wire status, mapped from the one core status (`RunState::status`); the wire has no `failed`, so a failed
/// run shows as blocked, as before.
fn run_status(state: &RunState) -> RunStatus {
    match state.status() {
        CoreStatus::Signed => RunStatus::Signed,
        CoreStatus::Complete => RunStatus::Completed,
        CoreStatus::Failed | CoreStatus::Blocked => RunStatus::Blocked,
        CoreStatus::InProgress => RunStatus::InProgress,
        CoreStatus::NotStarted => RunStatus::NotStarted,
    }
}

fn run_summary(state: &RunState, checklist_title: &str) -> RunSummary {
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
        checklist_title: checklist_title.to_string(),
        created_at: m.created_at.to_rfc3339(),
        updated_at: state.timeline.last().map(|e| e.at).unwrap_or(m.created_at).to_rfc3339(),
        status: run_status(state),
        progress: Progress {
            total: p.total as u32,
            pending: p.pending as u32,
            done: p.done as u32,
            skipped: p.skipped as u32,
            failed: p.failed as u32,
            blocked: p.blocked as u32,
            na: p.not_applicable as u32,
        },
    }
}

pub fn list_runs(s: &mut Store) -> CmdResult<Vec<RunSummary>> {
    // The store's summaries lack version/environment/operator, which the filter and the list show: fold each run.
    // Runs are few (tens) and a fold of a few hundred events takes well under a millisecond.
    s.list_runs()?
        .into_iter()
        .map(|r| {
            let state = s.run_state(&r.id)?;
            Ok(run_summary(&state, &state.checklist.title))
        })
        .collect()
}

pub fn create_run(s: &mut Store, new: NewRunArgs) -> CmdResult<RunSummary> {
    let checklist_id = match new.template {
        // A template enters the store when first used; the store deduplicates identical sources.
        Some((name, source, checklist)) => s.insert_checklist(&format!("{TEMPLATE_PREFIX}{name}"), &source, &checklist, Utc::now())?.id,
        None => new.checklist_id,
    };
    let run = runsheet_store::NewRun {
        checklist_id,
        title: new.title,
        version: new.version,
        environment: new.environment,
        window_start: new.window_start,
        window_end: new.window_end,
        operator: new.operator,
    };
    let id = s.create_run(run, Utc::now())?;
    let state = s.run_state(&id)?;
    Ok(run_summary(&state, &state.checklist.title))
}

fn evidence_of(state: &RunState, item: &str, now: DateTime<Utc>) -> Vec<Evidence> {
    // Latest evidence per probe index, in index order.
    let mut latest: BTreeMap<u32, Evidence> = BTreeMap::new();
    for rec in state.evidence.get(item).into_iter().flatten() {
        if let Ok(ev) = runsheet_core::probe::Evidence::from_value(&rec.evidence) {
            latest.insert(ev.probe, super::probes::wire_evidence(item, &ev, now));
        }
    }
    latest.into_values().collect()
}

fn item_status(state: &RunState, item: &str, now: DateTime<Utc>) -> CmdResult<ItemStatus> {
    let st = state.item(item).ok_or_else(|| WireError::not_found(format!("no item {item} in run {}", state.run_id)))?;
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
        waiver: state.waivers.get(item).map(|w| Waiver {
            item: item.to_string(),
            item_title: item_title(&state.checklist, item),
            reason: w.reason.clone(),
            approver: w.approver.clone(),
            at: w.at.to_rfc3339(),
        }),
        armed: state.armed.contains(item),
        evidence: evidence_of(state, item, now),
    })
}

pub fn run_view(s: &mut Store, id: &str) -> CmdResult<RunView> {
    let id = s.resolve_run(id)?;
    let state = s.run_state(&id)?;
    let now = Utc::now();
    let items = state.items.keys().map(|k| Ok((k.clone(), item_status(&state, k, now)?))).collect::<CmdResult<_>>()?;
    // The checklist with the probes added during the run under their items: what the run view shows and runs.
    let effective = state.effective_checklist();
    let checklist =
        serde_json::to_value(&effective).map_err(|e| WireError::internal(format!("encoding checklist: {e}")))?;
    Ok(RunView {
        summary: run_summary(&state, &state.checklist.title),
        checklist,
        items,
        settings: RunSettings {
            four_eyes: state.settings.four_eyes,
            gate_mode: match state.settings.gate_mode {
                CoreGate::Strict => GateMode::Strict,
                CoreGate::Advisory => GateMode::Advisory,
            },
        },
        suggestions: super::probes::suggestions(&effective),
        heads: state.heads().into_iter().map(|e| e.hash.clone()).collect(),
    })
}

/// Appends one event and returns the item's new status.
fn append_item(s: &mut Store, run: &str, item: &str, actor: &str, body: EventBody) -> CmdResult<ItemStatus> {
    let run = s.resolve_run(run)?;
    s.append(&run, actor, body, Utc::now())?;
    let state = s.run_state(&run)?;
    item_status(&state, item, Utc::now())
}

pub fn set_item(
    s: &mut Store,
    run: &str,
    item: &str,
    state: ItemState,
    reason: Option<String>,
    note: Option<String>,
    actor: &str,
) -> CmdResult<ItemStatus> {
    check_gate(s, run, item)?;
    let body = EventBody::ItemSet { item: item.to_string(), state: state.into(), reason, note };
    append_item(s, run, item, actor, body)
}

pub fn add_note(s: &mut Store, run: &str, item: &str, text: &str, actor: &str) -> CmdResult<ItemStatus> {
    append_item(s, run, item, actor, EventBody::NoteAdded { item: item.to_string(), note: text.to_string() })
}

pub fn timeline(s: &mut Store, run: &str) -> CmdResult<Vec<TimelineEvent>> {
    let run = s.resolve_run(run)?;
    let state = s.run_state(&run)?;
    state
        .timeline
        .iter()
        .map(|e| {
            let mut body = serde_json::to_value(&e.body).map_err(|x| WireError::internal(format!("encoding event: {x}")))?;
            if let Some(obj) = body.as_object_mut() {
                obj.remove("checklist"); // the frozen checklist of run_created is served by get_run
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

pub fn timeline_chart(s: &mut Store, run: &str) -> CmdResult<TimelineChartData> {
    let run = s.resolve_run(run)?;
    let state = s.run_state(&run)?;
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
            let timing = section.timing.as_ref().or(phase.timing.as_ref());
            rows.push(SectionTiming {
                phase: phase.id.clone(),
                section: section.id.clone(),
                title: if section.title.is_empty() { phase.title.clone() } else { section.title.clone() },
                planned_start_min: timing.and_then(|t| t.offset_minutes).map(|m| m as f64),
                planned_end_min: timing.and_then(|t| t.end_offset_minutes).map(|m| m as f64),
                actual_start: times.iter().min().map(|t| t.to_rfc3339()),
                actual_end: times.iter().max().map(|t| t.to_rfc3339()),
            });
        }
    }
    Ok(TimelineChartData {
        window_start: state.meta.window_start.map(|t| t.to_rfc3339()),
        window_end: state.meta.window_end.map(|t| t.to_rfc3339()),
        rows,
    })
}

/// Secret names referenced by probes, with the checklists and runs that reference them.
pub fn secret_uses(s: &mut Store) -> CmdResult<BTreeMap<String, Vec<super::secrets::CredentialUse>>> {
    let mut out: BTreeMap<String, Vec<super::secrets::CredentialUse>> = BTreeMap::new();
    let mut add = |owner_id: &str, owner_title: &str, c: &runsheet_core::Checklist| {
        let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (_, _, item) in c.items() {
            for p in &item.probes {
                for name in runsheet_core::probe::secret_refs(&p.spec) {
                    per.entry(name).or_default().push(item.id.clone());
                }
            }
        }
        for (name, items) in per {
            out.entry(name).or_default().push(super::secrets::CredentialUse {
                owner_id: owner_id.to_string(),
                owner_title: owner_title.to_string(),
                items,
            });
        }
    };
    for c in s.list_checklists()? {
        let (_, checklist, _) = s.get_checklist(&c.id)?;
        add(&c.id, &c.title, &checklist);
    }
    for r in s.list_runs()? {
        let state = s.run_state(&r.id)?;
        add(&r.id, &state.meta.title, &state.effective_checklist());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-off

use runsheet_core::signoff::{self as rules, Blocker as CoreBlocker, GateVerdict};
use super::signoff::{Blocker, BlockerKind, PhaseGate, RoleStatus, Signature, SignoffView};

fn facts(s: &mut Store, run: &str) -> CmdResult<(String, RunState)> {
    let run = s.resolve_run(run)?;
    let state = s.run_state(&run)?;
    Ok((run, state))
}

/// An item's text for display (its id when the checklist has no such item).
fn item_title(c: &runsheet_core::Checklist, item: &str) -> String {
    c.item(item).map_or_else(|| item.to_string(), |i| i.text.clone())
}

fn phase_of(c: &runsheet_core::Checklist, item: &str) -> String {
    c.items().into_iter().find(|(_, _, i)| i.id == item).map(|(p, _, _)| p.id.clone()).unwrap_or_default()
}

fn wire_blocker(c: &runsheet_core::Checklist, b: &CoreBlocker) -> Option<Blocker> {
    use runsheet_core::event::ItemState as S;
    let (kind, item, phase) = match b {
        CoreBlocker::ItemOpen { item, state } => {
            let kind = match state {
                S::Failed => BlockerKind::Failed,
                S::Blocked => BlockerKind::Blocked,
                _ => BlockerKind::Pending,
            };
            (kind, item.clone(), phase_of(c, item))
        }
        CoreBlocker::MissingEvidence { item } => (BlockerKind::MissingEvidence, item.clone(), phase_of(c, item)),
        CoreBlocker::StaleEvidence { item, .. } => (BlockerKind::StaleEvidence, item.clone(), phase_of(c, item)),
        CoreBlocker::FailingEvidence { item, .. } => (BlockerKind::FailedProbe, item.clone(), phase_of(c, item)),
        CoreBlocker::EarlierPhaseOpen { phase, .. } => (BlockerKind::Pending, String::new(), phase.clone()),
        // Signer-specific or role-level reasons are shown elsewhere (excluded names, signed state).
        CoreBlocker::FourEyes { .. } | CoreBlocker::AlreadySigned { .. } | CoreBlocker::UnknownRole { .. } => return None,
    };
    // The core's messages name items by id; the UI names them by their text, with the id kept for the jump.
    let title = item_title(c, &item);
    let message = match b {
        CoreBlocker::ItemOpen { state, .. } => format!("{title} — {}", state.as_str()),
        CoreBlocker::MissingEvidence { .. } => format!("{title} — probe never ran"),
        CoreBlocker::StaleEvidence { fresh_until, .. } => {
            format!("{title} — evidence went stale at {}", fresh_until.format("%Y-%m-%d %H:%M UTC"))
        }
        CoreBlocker::FailingEvidence { outcome, .. } => format!("{title} — latest probe result: {outcome}"),
        CoreBlocker::EarlierPhaseOpen { phase, open_items } => {
            let t = c.phases.iter().find(|p| &p.id == phase).map_or(phase.as_str(), |p| p.title.as_str());
            format!("phase {t} has {open_items} open item(s)")
        }
        _ => b.to_string(),
    };
    Some(Blocker { kind, item, phase, message })
}

pub fn signoff_view(s: &mut Store, run: &str) -> CmdResult<SignoffView> {
    let (_, state) = facts(s, run)?;
    let now = Utc::now();
    let c = &state.checklist;
    let roles = state
        .roles
        .iter()
        .map(|r| {
            let signed = state.signoffs.iter().find(|x| x.role.trim().eq_ignore_ascii_case(r.name.trim()));
            let scope = r
                .phase
                .as_ref()
                .and_then(|id| c.phases.iter().find(|p| &p.id == id))
                .filter(|p| p.sections.iter().any(|s| !s.items.is_empty()));
            let mut excluded: Vec<String> = Vec::new();
            if state.settings.four_eyes {
                for item in rules::covered_items(&state, r) {
                    excluded.extend(rules::executed_by(&state, &item));
                }
                excluded.sort();
                excluded.dedup();
            }
            let blockers = if signed.is_some() {
                Vec::new()
            } else {
                rules::blockers(&state, &r.name, "", now).iter().filter_map(|b| wire_blocker(c, b)).collect()
            };
            RoleStatus {
                role: r.name.clone(),
                // A role under a phase with no items of its own (a "Sign-off" section) approves the whole run,
                // as `covered_items` rules.
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
            let blockers = match rules::gate_check(&state, &first.id) {
                GateVerdict::Open => Vec::new(),
                GateVerdict::Warn { blockers } | GateVerdict::Refused { blockers } => blockers,
            };
            Some(PhaseGate {
                phase: p.id.clone(),
                title: p.title.clone(),
                open: blockers.is_empty(),
                blockers: blockers.iter().filter_map(|b| wire_blocker(c, b)).collect(),
            })
        })
        .collect();
    let waivers = state
        .waivers
        .iter()
        .map(|(item, w)| Waiver {
            item: item.clone(),
            item_title: item_title(c, item),
            reason: w.reason.clone(),
            approver: w.approver.clone(),
            at: w.at.to_rfc3339(),
        })
        .collect();
    let view = run_view_settings(&state);
    Ok(SignoffView { settings: view, operator: state.meta.operator.clone(), roles, gates, waivers })
}

fn run_view_settings(state: &RunState) -> RunSettings {
    RunSettings {
        four_eyes: state.settings.four_eyes,
        gate_mode: match state.settings.gate_mode {
            CoreGate::Strict => GateMode::Strict,
            CoreGate::Advisory => GateMode::Advisory,
        },
    }
}

pub fn sign_off(s: &mut Store, run: &str, role: &str, name: &str, comment: Option<String>, actor: &str) -> CmdResult<SignoffView> {
    let (run, state) = facts(s, run)?;
    let blockers = rules::blockers(&state, role, name, Utc::now());
    if let Some(CoreBlocker::UnknownRole { .. }) = blockers.first() {
        return Err(WireError::not_found(format!("no sign-off role `{role}` in this run")));
    }
    if !blockers.is_empty() {
        let why: Vec<String> = blockers.iter().map(ToString::to_string).collect();
        return Err(WireError::conflict(format!("{name} cannot sign `{role}`: {}", why.join("; "))));
    }
    let role = state.role(role).map_or(role, |r| r.name.as_str());
    let body = EventBody::SignedOff { role: role.to_string(), name: name.to_string(), comment };
    s.append(&run, actor, body, Utc::now())?;
    signoff_view(s, &run)
}

/// Appends a run-level event and returns the new sign-off view.
pub fn append_run(s: &mut Store, run: &str, actor: &str, body: EventBody) -> CmdResult<SignoffView> {
    let run = s.resolve_run(run)?;
    s.append(&run, actor, body, Utc::now())?;
    signoff_view(s, &run)
}

/// Refuses an item change a strict phase gate forbids (advisory gates only warn, in the sign-off view).
fn check_gate(s: &mut Store, run: &str, item: &str) -> CmdResult<()> {
    let (_, state) = facts(s, run)?;
    if let GateVerdict::Refused { blockers } = rules::gate_check(&state, item) {
        let why: Vec<String> = blockers.iter().map(ToString::to_string).collect();
        return Err(WireError::conflict(format!("strict phase gate: {}", why.join("; "))));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Probes

/// The probe jobs of an item, or of every item in a section or phase; with the resolved run id.
pub fn probe_jobs(s: &mut Store, run: &str, target: &super::probes::ProbeTarget) -> CmdResult<(String, Vec<runsheet_probes::ProbeJob>)> {
    use super::probes::ProbeTarget as T;
    let run = s.resolve_run(run)?;
    let state = s.run_state(&run)?;
    let mut jobs = Vec::new();
    let mut found = false;
    let effective = state.effective_checklist();
    for (p, sec, item) in effective.items() {
        let hit = match target {
            T::Item { item: id } => &item.id == id,
            T::Section { section } => &sec.id == section,
            T::Phase { phase } => &p.id == phase,
        };
        if !hit {
            continue;
        }
        found = true;
        for (i, decl) in item.probes.iter().enumerate() {
            jobs.push(runsheet_probes::ProbeJob {
                item: item.id.clone(),
                index: i as u32,
                spec: decl.spec.clone(),
                armed: state.armed.contains(&item.id),
            });
        }
    }
    if !found {
        return Err(WireError::not_found("no such item, section or phase in this run"));
    }
    Ok((run, jobs))
}

pub fn append_event(s: &mut Store, run: &str, actor: &str, body: EventBody) -> CmdResult<()> {
    s.append(run, actor, body, Utc::now())?;
    Ok(())
}

/// Attach a probe (TOML of a probe block, e.g. an accepted suggestion) to an item of a run; returns the new view.
pub fn add_probe(s: &mut Store, run: &str, item: &str, toml: &str, actor: &str) -> CmdResult<RunView> {
    let run = s.resolve_run(run)?;
    s.append(&run, actor, EventBody::ProbeAdded { item: item.to_string(), source: toml.to_string() }, Utc::now())?;
    run_view(s, &run)
}

pub fn arm(s: &mut Store, run: &str, item: &str, actor: &str) -> CmdResult<ItemStatus> {
    append_item(s, run, item, actor, EventBody::ProbeArmed { item: item.to_string() })
}
