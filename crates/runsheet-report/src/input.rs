//! What a report shows, as plain data: [`ReportInput`], read from a run's [`RunState`] (the one fold of its
//! events, `runsheet_core::run`) whose timeline is also attached to the PDF, so the printed pages and the
//! machine-readable log can never disagree.
//!
//! Nothing is folded here: item states, notes, waivers and typed evidence come from the state, sign-offs from
//! `runsheet_core::signoff::statuses`, and the outcome from `RunState::status`. No rendering and no IO here.

use chrono::{DateTime, Utc};
use runsheet_core::event::{GateMode, ItemState};
use runsheet_core::run::{EvidenceRecord, RunState, RunStatus};
use runsheet_core::Checklist;
use serde::Serialize;

use runsheet_core::signoff::{statuses, SignoffStatus};

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
    /// The per-event signature of each recorded sign-off, checked against the run's membership
    /// ([`crate::event_sig::check_event_authors`]), in the order of `signoffs`.
    pub signoff_signatures: Vec<SignoffSignature>,
    /// The run's status (`RunState::status`), which the outcome line words.
    pub status: RunStatus,
    /// Every firing of a rollback trigger with its evidence and decision (`RunState::triggers`), in fold order.
    pub rollback: Vec<RollbackReport>,
    /// The title of the phase the run works in once a rollback was decided (`RunState::active_phase`).
    pub active_phase: Option<String>,
}

/// One firing of a rollback trigger as the report shows it: what fired, on which evidence, and who decided what.
#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    pub trigger: String,
    /// The trigger item's text.
    pub text: String,
    pub fired_at: DateTime<Utc>,
    pub fired_by: String,
    /// The trigger probe's number, when a probe fired it.
    pub probe: Option<u32>,
    pub summary: Option<String>,
    /// The evidence that fired it (None when the operator declared it).
    pub evidence: Option<EvidenceRow>,
    pub decision: Option<DecisionReport>,
}

/// A decision on a fired trigger.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionReport {
    /// `rollback` or `continue`.
    pub decision: String,
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// Fingerprint of the certificate that signed the decision event, if it was signed.
    pub key: Option<String>,
}

fn rollback_reports(state: &RunState) -> Vec<RollbackReport> {
    state
        .triggers
        .iter()
        .map(|t| RollbackReport {
            trigger: t.trigger.clone(),
            text: state.checklist.item(&t.trigger).map_or_else(|| t.trigger.clone(), |i| i.text.clone()),
            fired_at: t.at,
            fired_by: t.by.clone(),
            probe: t.probe,
            summary: t.summary.clone(),
            evidence: t.evidence.as_ref().and_then(|ev| {
                state.evidence.get(&t.trigger).into_iter().flatten().find(|r| &r.event == ev).map(evidence_row)
            }),
            decision: t.decision.as_ref().map(|d| DecisionReport {
                decision: d.decision.as_str().to_string(),
                reason: d.reason.clone(),
                by: d.by.clone(),
                at: d.at,
                key: d.key.clone(),
            }),
        })
        .collect()
}

/// Who signed a sign-off event with which key, and whether that signature holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignoffSignature {
    pub role: String,
    /// The sign-off event.
    pub event: String,
    /// The member name the signing device registered with (when verified).
    pub signer: Option<String>,
    /// Hex SHA-256 of the signing certificate (as the event names it).
    pub fingerprint: Option<String>,
    /// The signature verified against the member certificate of the event's device.
    pub verified: bool,
    /// Why it is not verified (no signature, no member certificate to check it against, or the refusal).
    pub problem: Option<String>,
}

/// Check each recorded sign-off's author signature on its own, so one bad event does not hide the others.
fn signoff_signatures(state: &RunState, signoffs: &[SignoffStatus]) -> Vec<SignoffSignature> {
    signoffs
        .iter()
        .filter_map(|st| {
            // The first signature of a role is the one that counts (as in `statuses`).
            let s = state.signoffs.iter().find(|s| s.role.eq_ignore_ascii_case(&st.role) && st.signed_by.is_some())?;
            let event = state.timeline.iter().find(|e| e.id == s.event)?;
            let fingerprint = event.author.as_ref().map(|a| a.fingerprint.clone());
            let (signer, verified, problem) =
                match crate::event_sig::check_event_authors(&state.timeline, &|e| e.id == s.event) {
                    Ok(authors) => match authors.get(&s.event) {
                        Some(a) => (Some(a.name.clone()), true, None),
                        None if fingerprint.is_some() => {
                            (None, false, Some("no member certificate in the run to check the signature against".into()))
                        }
                        None => (None, false, Some("the sign-off event is not signed".into())),
                    },
                    Err(e) => (None, false, Some(e.why)),
                };
            Some(SignoffSignature { role: st.role.clone(), event: s.event.clone(), signer, fingerprint, verified, problem })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub id: String,
    pub title: String,
    pub timing: Option<String>,
    /// The phase's planned slot in minutes from T (`runsheet_core::schedule`, the one placement rule).
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

/// One probe execution as shown in the report, from the typed `runsheet_core::probe::Evidence`.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub kind: String,
    pub target: String,
    /// True only for readable evidence whose outcome is `pass`.
    pub ok: bool,
    /// `pass`, `fail`, `error`, `timeout`, or `unreadable` for evidence that does not read.
    pub outcome: String,
    /// The probe's one-line explanation (empty when unreadable).
    pub detail: String,
    pub duration_ms: Option<u64>,
    pub sha256: Option<String>,
    pub excerpt: Option<String>,
    /// When the execution ended (when it was recorded, for unreadable evidence).
    pub ended_at: DateTime<Utc>,
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
    /// True while the run is not over: items remain (pending, blocked) or, with every item settled, a role is
    /// still unsigned.
    pub fn in_progress(&self) -> bool {
        match self.status {
            RunStatus::Signed | RunStatus::Failed => false,
            RunStatus::Complete => !self.signoffs.is_empty(),
            RunStatus::NotStarted | RunStatus::InProgress | RunStatus::Blocked | RunStatus::Monitoring => true,
        }
    }

    /// One-line outcome for the cover and the Markdown log, wording [`ReportInput::status`].
    pub fn outcome(&self) -> String {
        let count = |state: ItemState| {
            self.phases.iter().flat_map(|p| p.items()).filter(|i| i.state == state && i.waiver.is_none()).count()
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match self.status {
            RunStatus::Failed => {
                let n = count(ItemState::Failed);
                format!("FAILED ({n} item{} failed)", plural(n))
            }
            RunStatus::Blocked => {
                let n = count(ItemState::Blocked);
                format!("BLOCKED ({n} item{} blocked; this report shows a run that has not finished)", plural(n))
            }
            RunStatus::NotStarted | RunStatus::InProgress => {
                "IN PROGRESS (this report shows a run that has not finished)".to_string()
            }
            RunStatus::Monitoring => "MONITORING — follow-ups open".to_string(),
            RunStatus::Complete if self.in_progress() => "COMPLETED (awaiting sign-off)".to_string(),
            RunStatus::Complete => "COMPLETED".to_string(),
            RunStatus::Signed => "COMPLETED AND SIGNED OFF".to_string(),
        }
    }

    /// Report data from a run's state; `now` is the report time (sign-off blockers such as stale evidence
    /// depend on it).
    pub fn from_state(state: &RunState, now: DateTime<Utc>) -> crate::Result<Self> {
        let m = &state.meta;
        let signoffs = statuses(state, now);
        Ok(ReportInput {
            run_id: state.run_id.clone(),
            title: m.title.clone(),
            version: m.version.clone(),
            environment: m.environment.clone(),
            window_start: m.window_start,
            window_end: m.window_end,
            operator: m.operator.clone(),
            checklist_title: state.checklist.title.clone(),
            generated_at: now,
            created_at: Some(m.created_at),
            head_hashes: state.heads().iter().map(|e| e.hash.clone()).collect(),
            event_count: state.timeline.len(),
            four_eyes: state.settings.four_eyes,
            gate_mode: state.settings.gate_mode,
            phases: build_phases(&state.checklist, state),
            signoff_signatures: signoff_signatures(state, &signoffs),
            signoffs,
            status: state.status(),
            rollback: rollback_reports(state),
            active_phase: state
                .active_phase
                .as_ref()
                .and_then(|id| state.checklist.phases.iter().find(|p| &p.id == id))
                .map(|p| p.title.clone()),
        })
    }
}

fn item_report(it: &runsheet_core::Item, depth: usize, state: &RunState) -> ItemReport {
    let s = state.items.get(&it.id).cloned().unwrap_or_default();
    ItemReport {
        id: it.id.clone(),
        depth,
        text: it.text.clone(),
        state: s.state,
        by: s.by,
        at: s.at,
        reason: s.reason,
        notes: s.notes.iter().map(|n| format!("{} ({}): {}", n.by, n.at.format("%H:%M"), n.text)).collect(),
        waiver: state.waivers.get(&it.id).map(|w| WaiverReport {
            reason: w.reason.clone(),
            approver: w.approver.clone(),
            at: w.at,
        }),
        evidence: state.evidence.get(&it.id).into_iter().flatten().map(evidence_row).collect(),
    }
}

/// One evidence record as a report row, from its typed form; evidence that does not read is shown as such
/// (and counts as failing, as the sign-off rules count it).
pub fn evidence_row(r: &EvidenceRecord) -> EvidenceRow {
    match &r.parsed {
        Some(e) => EvidenceRow {
            kind: e.kind.clone(),
            target: e.target.clone(),
            ok: e.outcome == runsheet_core::probe::Outcome::Pass,
            outcome: e.outcome.as_str().to_string(),
            detail: e.detail.clone(),
            duration_ms: Some(e.duration_ms),
            sha256: e.sha256.clone(),
            excerpt: Some(e.excerpt.clone()).filter(|x| !x.is_empty()),
            ended_at: e.ended_at,
        },
        None => EvidenceRow {
            kind: "probe".into(),
            target: String::new(),
            ok: false,
            outcome: "unreadable".into(),
            detail: String::new(),
            duration_ms: None,
            sha256: None,
            excerpt: None,
            ended_at: r.at,
        },
    }
}

fn build_phases(checklist: &Checklist, state: &RunState) -> Vec<PhaseReport> {
    fn walk(list: &[runsheet_core::Item], depth: usize, state: &RunState, out: &mut Vec<ItemReport>) {
        for it in list {
            out.push(item_report(it, depth, state));
            walk(&it.children, depth + 1, state, out);
        }
    }
    let spans = runsheet_core::schedule::run_spans(state);
    checklist
        .phases
        .iter()
        .map(|p| PhaseReport {
            id: p.id.clone(),
            title: p.title.clone(),
            timing: p.timing.as_ref().map(|t| t.label.clone()),
            planned_offset_minutes: spans.get(&p.id).map(|s| s.0),
            planned_end_offset_minutes: spans.get(&p.id).map(|s| s.1),
            rollback: p.rollback,
            sections: p
                .sections
                .iter()
                .map(|s| {
                    let mut out = Vec::new();
                    walk(&s.items, 0, state, &mut out);
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
