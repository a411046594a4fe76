//! Library commands: bundled templates and imported checklists, import from a path (dialog or drop) or from text,
//! and a preview of one checklist with the probes the importer suggests.
//!
//! Left out: decoding, parsing and storage (runsheet-app `library`). A file the importer refuses is not a command
//! error: the outcome carries the issue with its line, so the UI shows it next to the file.

use std::sync::Arc;

use runsheet_app::library::{ChecklistSummary, ImportOutcome};
use runsheet_app::view::ChecklistPreview;
use runsheet_app::App;
use tauri::State;

use crate::state::blocking;
use crate::wire::{absolute, required, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn list_checklists(app: State<'_, Arc<App>>) -> CmdResult<Vec<ChecklistSummary>> {
    blocking(&app, |a| Ok(a.templates().into_iter().chain(a.checklists()?).collect())).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_checklist_file(path: String, app: State<'_, Arc<App>>) -> CmdResult<ImportOutcome> {
    let path = absolute("path", &path)?;
    blocking(&app, move |a| {
        let (name, bytes) = runsheet_app::library::read_bytes(&path)?;
        a.import_outcome(&name, &bytes)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_checklist_text(file_name: String, text: String, app: State<'_, Arc<App>>) -> CmdResult<ImportOutcome> {
    let name = required("file_name", &file_name)?;
    blocking(&app, move |a| a.import_outcome(&name, text.as_bytes())).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_checklist(checklist_id: String, app: State<'_, Arc<App>>) -> CmdResult<ChecklistPreview> {
    let id = required("checklist_id", &checklist_id)?;
    blocking(&app, move |a| a.checklist_preview(&id)).await
}
