//! Rollback commands: the run's rollback view (triggers, firings waiting for a decision, the phase it works in),
//! declaring that a trigger fired, and deciding on a firing (roll back, or continue with a reason).
//!
//! Left out: which items are triggers and what a decision changes (runsheet-core's fold, read through
//! runsheet-app). The actor is the operator name from settings, never a value the webview sends.

use std::sync::{Arc, Mutex};

use runsheet_app::rollback::{RollbackDecision, RollbackView};
use runsheet_app::App;
use tauri::State;

use crate::state::{blocking, operator, Settings};
use crate::wire::{required, trimmed, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn rollback_state(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<RollbackView> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| a.rollback_view(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn declare_trigger(
    run_id: String,
    item_id: String,
    summary: Option<String>,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<RollbackView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        let event = a.declare_trigger(&run, &item, trimmed(summary), &actor)?;
        a.rollback_view(&event.run_id)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn decide_rollback(
    run_id: String,
    item_id: String,
    decision: RollbackDecision,
    reason: Option<String>,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<RollbackView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        let event = a.decide_rollback(&run, &item, decision.into(), trimmed(reason), &actor)?;
        a.rollback_view(&event.run_id)
    })
    .await
}
