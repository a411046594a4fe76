//! Runs: create one from a library checklist or template, list them, read a run's state (the fold), and record
//! item changes, notes, roles and settings. Every change goes through `Store::append`, which validates it against
//! the folded state and the rules that refuse (strict gates, sign-off blockers) inside its write transaction.
//!
//! Left out: the fold and the rules (runsheet-core), SQL (runsheet-store), and presentation.

use chrono::{DateTime, Utc};
use runsheet_core::event::{Event, EventBody, GateMode, ItemState};
use runsheet_core::run::RunState;
use runsheet_core::signoff::{Blocker, GateVerdict};
use serde::Serialize;

use crate::{required, Actor, App, Error, Result};

/// What a new run needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewRun {
    /// A template id (`template:NAME.md`), an imported checklist id, or a unique id prefix.
    pub checklist: String,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
}

/// A recorded item change, with the advisory warnings shown to the operator (a strict gate refuses instead).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemChange {
    pub run_id: String,
    pub item: String,
    pub event: Event,
    pub warnings: Vec<Blocker>,
}

/// A change to a run's settings (only the fields given change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct SettingsPatch {
    pub four_eyes: Option<bool>,
    pub gate_mode: Option<GateMode>,
}

impl App {
    /// Create a run; returns its id. The checklist is frozen into the run's first event.
    pub fn create_run(&self, new: NewRun, actor: Actor<'_>) -> Result<String> {
        // Arguments first, so a bad title or window is reported as such whatever the checklist id says.
        required("title", &new.title)?;
        required("operator", actor)?;
        if let (Some(s), Some(e)) = (new.window_start, new.window_end) {
            if e < s {
                return Err(runsheet_core::run::RunError::BadWindow.into());
            }
        }
        let checklist_id = self.checklist_for_run(&required("checklist", &new.checklist)?)?;
        let run = runsheet_store::NewRun {
            checklist_id,
            title: new.title,
            version: new.version,
            environment: new.environment,
            window_start: new.window_start,
            window_end: new.window_end,
            operator: actor.to_string(),
        };
        Ok(self.writer()?.create_run(run, self.now())?)
    }

    /// Every run, newest first, as the store summarises them (no fold).
    pub fn run_summaries(&self) -> Result<Vec<runsheet_store::RunSummary>> {
        Ok(self.store()?.list_runs()?)
    }

    /// Every run's folded state, newest first.
    pub fn run_states(&self) -> Result<Vec<RunState>> {
        let store = self.store()?;
        store.list_runs()?.into_iter().map(|r| Ok(store.run_state(&r.id)?)).collect()
    }

    /// Resolve a run id or unique id prefix to the full id.
    pub fn resolve_run(&self, prefix: &str) -> Result<String> {
        let prefix = required("run id", prefix)?;
        self.store()?.resolve_run(&prefix).map_err(|e| Error::from(e).context(format!("finding run `{prefix}`")))
    }

    /// A run's state: the fold of its events (id or unique prefix).
    pub fn run(&self, run: &str) -> Result<RunState> {
        let id = self.resolve_run(run)?;
        Ok(self.store()?.run_state(&id)?)
    }

    /// A run's events in recording order.
    pub fn events(&self, run: &str) -> Result<Vec<Event>> {
        let id = self.resolve_run(run)?;
        Ok(self.store()?.events(&id)?)
    }

    /// Record `body` on the run as `actor` (validated and rule-checked by the store in its transaction; signed
    /// when an identity exists; in a shared run, only as this device's member, see `team.rs`).
    pub fn append(&self, run: &str, actor: Actor<'_>, body: EventBody) -> Result<Event> {
        let id = self.resolve_run(run)?;
        let actor = required("operator name", actor)?;
        self.append_checked(&id, &actor, body)
    }

    /// Set an item's state (item id, unique id prefix, or exact text). `skipped` needs a reason. A strict phase
    /// gate refuses (`Refused`); an advisory one records the change and returns its warnings.
    pub fn set_item(
        &self,
        run: &str,
        item: &str,
        state: ItemState,
        reason: Option<String>,
        note: Option<String>,
        actor: Actor<'_>,
    ) -> Result<ItemChange> {
        let reason = reason.filter(|r| !r.trim().is_empty());
        // Arguments first: a skip without a reason is refused before the run is even looked up.
        if state == ItemState::Skipped && reason.is_none() {
            return Err(runsheet_core::run::RunError::ReasonRequired(item.trim().to_string()).into());
        }
        let run_id = self.resolve_run(run)?;
        let current = self.store()?.run_state(&run_id)?;
        let item = resolve_item(&current, item)?;
        let warnings = match self.store()?.gate(&run_id, &item, self.now())? {
            GateVerdict::Warn { blockers } => blockers,
            GateVerdict::Open | GateVerdict::Refused { .. } => Vec::new(),
        };
        let note = note.filter(|n| !n.trim().is_empty());
        let event = self
            .append(&run_id, actor, EventBody::ItemSet { item: item.clone(), state, reason, note })
            .map_err(|e| e.context(format!("setting {item}")))?;
        Ok(ItemChange { run_id, item, event, warnings })
    }

    /// Add a note to an item.
    pub fn add_note(&self, run: &str, item: &str, note: &str, actor: Actor<'_>) -> Result<Event> {
        let run_id = self.resolve_run(run)?;
        let item = resolve_item(&self.store()?.run_state(&run_id)?, item)?;
        self.append(&run_id, actor, EventBody::NoteAdded { item, note: note.trim().to_string() })
    }

    /// Add a role that must sign off.
    pub fn add_role(&self, run: &str, role: &str, actor: Actor<'_>) -> Result<Event> {
        self.append(run, actor, EventBody::RoleAdded { role: required("role", role)? })
    }

    /// Change the run's four-eyes rule or gate mode.
    pub fn set_settings(&self, run: &str, patch: SettingsPatch, actor: Actor<'_>) -> Result<Event> {
        if patch.four_eyes.is_none() && patch.gate_mode.is_none() {
            return Err(Error::invalid("nothing to change: give four_eyes or gate_mode"));
        }
        self.append(run, actor, EventBody::SettingsChanged { four_eyes: patch.four_eyes, gate_mode: patch.gate_mode })
    }
}

/// An item of the run: its id, a unique id prefix, or its exact text.
pub fn resolve_item(state: &RunState, arg: &str) -> Result<String> {
    let arg = arg.trim();
    if state.items.contains_key(arg) {
        return Ok(arg.to_string());
    }
    if arg.is_empty() {
        return Err(Error::invalid("item must not be empty"));
    }
    let by_prefix: Vec<&String> = state.items.keys().filter(|k| k.starts_with(arg)).collect();
    if let [one] = by_prefix.as_slice() {
        return Ok((*one).clone());
    }
    let by_text: Vec<String> =
        state.checklist.items().into_iter().filter(|(_, _, i)| i.text == arg).map(|(_, _, i)| i.id.clone()).collect();
    match (by_prefix.len(), by_text.as_slice()) {
        (_, [one]) => Ok(one.clone()),
        (0, []) => Err(Error::not_found(format!(
            "no item `{arg}` in run {} (see `runsheet run show` for item ids)",
            state.run_id
        ))),
        (n, _) => Err(Error::new(
            crate::ErrorKind::Ambiguous,
            format!("item `{arg}` is ambiguous ({} matches); give more of its id", n.max(by_text.len())),
        )),
    }
}
