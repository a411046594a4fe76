//! Settings commands: operator name and paper size (the desktop settings file), the signing identity (create,
//! import PKCS#12, export the certificate — kept by the app in its own keyring service), and the benchmark hooks
//! (`perf_samples`, `mark_painted`).
//!
//! Left out: key generation, PKCS#12 parsing and the keyring (runsheet-app `identity`).

use std::sync::{Arc, Mutex};

use runsheet_app::{App, Sensitive};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::state::{blocking, lock, PaperSize, Paths, Perf, Settings};
use crate::wire::{absolute, required, CmdResult, Identity, WireError};

/// A partial update: absent fields stay as they are.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SettingsPatch {
    #[serde(default)]
    pub operator_name: Option<String>,
    #[serde(default)]
    pub paper_size: Option<PaperSize>,
}

/// Settings as the UI sees them: the persisted ones plus the signing identity (None when there is none or the
/// keyring is unavailable: the Settings screen then offers to make one).
#[derive(Debug, Clone, Serialize, Type)]
pub struct SettingsView {
    pub operator_name: String,
    pub paper_size: PaperSize,
    pub identity: Option<Identity>,
}

async fn view(app: &Arc<App>, s: Settings) -> CmdResult<SettingsView> {
    let identity = blocking(app, |a| Ok(a.identity_summary().ok().flatten().map(Identity::from))).await?;
    Ok(SettingsView { operator_name: s.operator_name, paper_size: s.paper_size, identity })
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(settings: State<'_, Mutex<Settings>>, app: State<'_, Arc<App>>) -> CmdResult<SettingsView> {
    let s = lock(&settings, "settings")?.clone();
    view(&app, s).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    patch: SettingsPatch,
    settings: State<'_, Mutex<Settings>>,
    paths: State<'_, Paths>,
    app: State<'_, Arc<App>>,
) -> CmdResult<SettingsView> {
    let next = {
        let mut current = lock(&settings, "settings")?;
        let mut next = current.clone();
        if let Some(name) = patch.operator_name {
            let name = required("operator name", &name)?;
            if name.chars().count() > 120 {
                return Err(WireError::invalid("operator name is longer than 120 characters"));
            }
            next.operator_name = name;
        }
        next.paper_size = patch.paper_size.unwrap_or(next.paper_size);
        next.save(&paths)?;
        *current = next.clone();
        next
    };
    view(&app, next).await
}

/// Durations (ms) of recent item-state writes, IPC entry to committed store write; read by bench/desktop.
#[tauri::command]
#[specta::specta]
pub fn perf_samples(perf: State<'_, Perf>) -> Vec<f64> {
    perf.samples()
}

/// Called by the UI once its first frame has painted, and again once the run opened at launch (`RUNSHEET_OPEN_RUN`)
/// has painted. When `RUNSHEET_PAINT_MARKER` names a file, the wall-clock time (microseconds since the Unix epoch)
/// is appended there as one line for bench/desktop; otherwise it does nothing.
#[tauri::command]
#[specta::specta]
pub fn mark_painted() -> CmdResult<()> {
    let Some(path) = std::env::var_os("RUNSHEET_PAINT_MARKER") else { return Ok(()) };
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| WireError::internal(format!("clock before 1970: {e}")))?
        .as_micros();
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{micros}\n").as_bytes()))
        .map_err(|e| runsheet_app::Error::io("writing the paint marker", &e).into())
}

/// Making an identity replaces the stored one, as the Settings screen has always done (it asks first).
#[tauri::command]
#[specta::specta]
pub async fn create_identity(common_name: String, app: State<'_, Arc<App>>) -> CmdResult<Identity> {
    let cn = required("common_name", &common_name)?;
    blocking(&app, move |a| a.create_identity(&cn, true).map(Identity::from)).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_identity(path: String, password: String, app: State<'_, Arc<App>>) -> CmdResult<Identity> {
    let p = absolute("path", &path)?;
    let password = Sensitive::new(password);
    blocking(&app, move |a| {
        let bytes = std::fs::read(&p).map_err(|e| runsheet_app::Error::io(format!("reading {}", p.display()), &e))?;
        a.import_identity(&bytes, password.expose(), true).map(Identity::from)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn export_certificate(path: String, app: State<'_, Arc<App>>) -> CmdResult<()> {
    let p = absolute("path", &path)?;
    blocking(&app, move |a| a.export_certificate(&p).map(drop)).await
}
