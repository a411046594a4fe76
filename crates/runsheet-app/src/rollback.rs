//! Rollback triggers: the operator declares that a trigger fired, and decides on a fired trigger (roll back, or
//! continue with a reason). Probes fire triggers on their own when their evidence is recorded (`probes.rs`).
//!
//! Left out: which items are triggers, what a firing blocks and which phase a rollback works in — the core's fold
//! decides all of it (`RunState::is_trigger`, `open_triggers`, `active_phase`); this module only records events.

use runsheet_core::event::{Decision, Event, EventBody};

use crate::runs::resolve_item;
use crate::{Actor, App, Error, Result};

impl App {
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
