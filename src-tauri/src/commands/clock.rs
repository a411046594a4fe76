//! The run's clock: now against T and its unfinished phases and sections (runsheet-app `run_clock`, from the
//! same rows as `runsheet due`), for the run view's header.
//!
//! Left out: when something is due or late (runsheet-core `schedule`); the time is the app's clock.

use std::sync::Arc;

use runsheet_app::due::RunClock;
use runsheet_app::App;
use tauri::State;

use crate::state::blocking;
use crate::wire::{required, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn run_clock(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<RunClock> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| a.run_clock(&id, a.now())).await
}
