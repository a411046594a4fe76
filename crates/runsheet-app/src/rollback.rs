//! Rollback triggers: the operator declares that a trigger fired, and decides on a fired trigger (roll back, or
//! continue with a reason). Probes fire triggers on their own when their evidence is recorded (`probes.rs`).
//!
//! Also the view of it a run screen shows (`RollbackView`): the run's triggers, the firings waiting for a
//! decision and the phase the run works in.
//!
//! Left out: which items are triggers, what a firing blocks and which phase a rollback works in — the core's fold
//! decides all of it (`RunState::is_trigger`, `open_triggers`, `active_phase`); this module only records events
//! and copies what the fold decided into the view.

use runsheet_core::event::{Decision, Event, EventBody};
use runsheet_core::run::RunState;
use serde::{Deserialize, Serialize};

use crate::runs::resolve_item;
use crate::{Actor, App, Error, Result};

/// The decision on a fired trigger, as a front end sends it (runsheet-core `Decision`, same spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RollbackDecision {
    Rollback,
    Continue,
}

impl From<RollbackDecision> for Decision {
    fn from(d: RollbackDecision) -> Self {
        match d {
            RollbackDecision::Rollback => Decision::Rollback,
            RollbackDecision::Continue => Decision::Continue,
        }
    }
}

/// A rollback trigger of the run: an item a declaration or a failing probe fires.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TriggerItem {
    pub item: String,
    pub text: String,
    /// Why it is a trigger (its wording under a rollback heading, or a probe with `rollback_trigger = true`).
    pub reason: String,
}

/// A firing that waits for a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpenTrigger {
    pub item: String,
    /// The item's text (the id when the checklist no longer has it).
    pub text: String,
    /// What was seen: the operator's words, or the failing probe's summary.
    pub summary: Option<String>,
    /// The `evidence` event of the probe that fired it; None when declared.
    pub evidence: Option<String>,
    /// RFC 3339.
    pub at: String,
    pub by: String,
}

/// What a run screen shows of rollback: triggers, firings waiting for a decision, and the phase the run works in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RollbackView {
    pub triggers: Vec<TriggerItem>,
    /// In fold order; while any waits, the run waits for a decision.
    pub open: Vec<OpenTrigger>,
    /// The phase the run works in after a rollback was decided (its id and title); None while it follows its
    /// phases.
    pub active_phase: Option<String>,
    pub active_phase_title: Option<String>,
}

/// The rollback view of a folded run.
pub fn rollback_view(state: &RunState) -> RollbackView {
    let items = state.checklist.items();
    let text = |id: &str| items.iter().find(|(_, _, i)| i.id == id).map_or_else(|| id.to_string(), |(_, _, i)| i.text.clone());
    let triggers =
        state.trigger_items().into_iter().map(|(item, reason)| TriggerItem { text: text(&item), item, reason }).collect();
    let open = state
        .open_triggers()
        .into_iter()
        .map(|t| OpenTrigger {
            item: t.trigger.clone(),
            text: text(&t.trigger),
            summary: t.summary.clone(),
            evidence: t.evidence.clone(),
            at: t.at.to_rfc3339(),
            by: t.by.clone(),
        })
        .collect();
    let active_phase_title = state
        .active_phase
        .as_ref()
        .and_then(|id| state.checklist.phases.iter().find(|p| &p.id == id).map(|p| p.title.clone()));
    RollbackView { triggers, open, active_phase: state.active_phase.clone(), active_phase_title }
}

impl App {
    /// The rollback view of run `run`.
    pub fn rollback_view(&self, run: &str) -> Result<RollbackView> {
        Ok(rollback_view(&self.run(run)?))
    }

    /// Declare that the rollback trigger `item` (id, unique prefix or exact text) fired, with what was seen.
    pub fn declare_trigger(&self, run: &str, item: &str, reason: Option<String>, actor: Actor<'_>) -> Result<Event> {
        let run_id = self.resolve_run(run)?;
        let item = resolve_item(&self.store()?.run_state(&run_id)?, item)?;
        let summary = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        self.append(&run_id, actor, EventBody::TriggerFired { trigger: item.clone(), probe: None, evidence: None, summary })
            .map_err(|e| e.context(format!("declaring rollback trigger {item}")))
    }

    /// Decide on the open firing of trigger `item`: roll back (the run then works in its rollback phase) or
    /// continue, which needs a reason.
    pub fn decide_rollback(
        &self,
        run: &str,
        item: &str,
        decision: Decision,
        reason: Option<String>,
        actor: Actor<'_>,
    ) -> Result<Event> {
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        // Arguments first: continuing without a reason is refused before the run is looked up.
        if decision == Decision::Continue && reason.is_none() {
            return Err(Error::invalid(format!("trigger `{}`: continuing needs a reason (--reason)", item.trim())));
        }
        let run_id = self.resolve_run(run)?;
        let item = resolve_item(&self.store()?.run_state(&run_id)?, item)?;
        self.append(&run_id, actor, EventBody::RollbackDecided { trigger: item.clone(), decision, reason })
            .map_err(|e| e.context(format!("deciding on rollback trigger {item}")))
    }
}
