//! Native file dialogs, opened from Rust so the webview needs no dialog permission and gets back only the one
//! path the user picked.
//!
//! Test seam (documented in src-tauri/README.md): WebDriver cannot drive a native dialog, so when
//! `RUNSHEET_E2E_DIALOG_DIR` is set the dialogs are not shown: open answers `$RUNSHEET_E2E_DIALOG_DIR/open/<the
//! only file there>` and save answers `$RUNSHEET_E2E_DIALOG_DIR/<default name>`. Nothing else changes.

use serde::Deserialize;
use specta::Type;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::wire::{CmdResult, WireError};

#[derive(Debug, Clone, Deserialize, Type)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

fn e2e_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("RUNSHEET_E2E_DIALOG_DIR").filter(|v| !v.is_empty()).map(Into::into)
}

fn path_string(p: tauri_plugin_dialog::FilePath) -> CmdResult<String> {
    p.into_path().map(|p| p.display().to_string()).map_err(|e| WireError::invalid(format!("picked a non-file path: {e}")))
}

#[tauri::command]
#[specta::specta]
pub async fn open_file_dialog<R: Runtime>(title: String, filters: Vec<FileFilter>, app: AppHandle<R>) -> CmdResult<Option<String>> {
    if let Some(dir) = e2e_dir() {
        let mut files: Vec<_> = std::fs::read_dir(dir.join("open"))
            .map_err(|e| WireError::from(runsheet_app::Error::io("reading the e2e dialog dir", &e)))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        return Ok(files.pop().map(|p| p.display().to_string()));
    }
    let mut d = app.dialog().file().set_title(title);
    for f in &filters {
        let exts: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
        d = d.add_filter(&f.name, &exts);
    }
    let picked = tokio::task::spawn_blocking(move || d.blocking_pick_file()).await?;
    picked.map(path_string).transpose()
}

#[tauri::command]
#[specta::specta]
pub async fn save_file_dialog<R: Runtime>(
    title: String,
    default_name: String,
    filters: Vec<FileFilter>,
    app: AppHandle<R>,
) -> CmdResult<Option<String>> {
    let name = std::path::Path::new(default_name.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| WireError::invalid("default_name must be a file name"))?;
    if let Some(dir) = e2e_dir() {
        return Ok(Some(dir.join(name).display().to_string()));
    }
    let mut d = app.dialog().file().set_title(title).set_file_name(name);
    for f in &filters {
        let exts: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
        d = d.add_filter(&f.name, &exts);
    }
    let picked = tokio::task::spawn_blocking(move || d.blocking_save_file()).await?;
    picked.map(path_string).transpose()
}
