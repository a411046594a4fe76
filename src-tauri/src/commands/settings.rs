//! Settings commands: operator name and paper size (a small JSON file in the data directory), and the
//! benchmark hooks (`perf_samples`, `mark_painted`).
//!
//! Left out: the signing identity, whose key lives in the OS keyring and is managed by runsheet-report.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use super::identity::{self, Identity};
use crate::error::{CmdResult, WireError};
use crate::state::{lock, Paths, Perf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

/// Persisted desktop settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Settings {
    pub operator_name: String,
    pub paper_size: PaperSize,
}

impl Settings {
    /// Read from disk; a missing file gives defaults (the OS user name as operator), a damaged one an error.
    pub fn load(paths: &Paths) -> anyhow::Result<Self> {
        use anyhow::Context;
        let file = paths.settings_file();
        match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("reading settings {}", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading settings {}", file.display())),
        }
    }

    fn save(&self, paths: &Paths) -> CmdResult<()> {
        let file = paths.settings_file();
        let tmp = file.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(self).map_err(|e| WireError::internal(format!("encoding settings: {e}")))?;
        // Write then rename, so a crash never leaves a half-written settings file.
        std::fs::write(&tmp, json).map_err(|e| WireError::io(format_args!("writing {}", tmp.display()), &e))?;
        std::fs::rename(&tmp, &file).map_err(|e| WireError::io(format_args!("replacing {}", file.display()), &e))
    }
}

impl Default for Settings {
    fn default() -> Self {
        let user = ["RUNSHEET_OPERATOR", "USER", "USERNAME", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "operator".to_string());
        Self { operator_name: user, paper_size: PaperSize::A4 }
    }
}

/// A partial update: absent fields stay as they are.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SettingsPatch {
    #[serde(default)]
    pub operator_name: Option<String>,
    #[serde(default)]
    pub paper_size: Option<PaperSize>,
}

/// Settings as the UI sees them: the persisted ones plus the signing identity from the keyring (None when there
/// is none or the keyring is unavailable).
#[derive(Debug, Clone, Serialize, Type)]
pub struct SettingsView {
    pub operator_name: String,
    pub paper_size: PaperSize,
    pub identity: Option<Identity>,
}

async fn view(s: Settings) -> CmdResult<SettingsView> {
    let identity = tokio::task::spawn_blocking(|| identity::load().ok().flatten().map(|i| identity::summary(&i))).await?;
    Ok(SettingsView { operator_name: s.operator_name, paper_size: s.paper_size, identity })
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(settings: State<'_, Mutex<Settings>>) -> CmdResult<SettingsView> {
    let s = lock(&settings, "settings")?.clone();
    view(s).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    patch: SettingsPatch,
    settings: State<'_, Mutex<Settings>>,
    paths: State<'_, Paths>,
) -> CmdResult<SettingsView> {
    let next = apply(patch, &settings, &paths)?;
    view(next).await
}

fn apply(patch: SettingsPatch, settings: &Mutex<Settings>, paths: &Paths) -> CmdResult<Settings> {
    let mut current = lock(settings, "settings")?;
    let mut next = current.clone();
    if let Some(name) = patch.operator_name {
        let name = name.trim();
        if name.is_empty() {
            return Err(WireError::invalid("operator name must not be empty"));
        }
        if name.chars().count() > 120 {
            return Err(WireError::invalid("operator name is longer than 120 characters"));
        }
        next.operator_name = name.to_string();
    }
    if let Some(p) = patch.paper_size {
        next.paper_size = p;
    }
    next.save(paths)?;
    *current = next.clone();
    Ok(next)
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
        .map_err(|e| WireError::io("writing the paint marker", &e))
}

#[tauri::command]
#[specta::specta]
pub async fn create_identity(common_name: String) -> CmdResult<Identity> {
    let cn = super::required("common_name", &common_name)?;
    tokio::task::spawn_blocking(move || {
        let id = runsheet_report::Identity::generate(&cn, chrono::Utc::now())?;
        id.save(&identity::key_store()?)?;
        Ok(identity::summary(&id))
    })
    .await?
}

#[tauri::command]
#[specta::specta]
pub async fn import_identity(path: String, password: String) -> CmdResult<Identity> {
    let p = super::export::absolute("path", &path)?;
    let password = runsheet_secrets::Sensitive::new(password);
    tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(&p).map_err(|e| WireError::io(format_args!("reading {}", p.display()), &e))?;
        let id = runsheet_report::Identity::from_pkcs12(&bytes, password.expose())?;
        id.save(&identity::key_store()?)?;
        Ok(identity::summary(&id))
    })
    .await?
}

#[tauri::command]
#[specta::specta]
pub async fn export_certificate(path: String) -> CmdResult<()> {
    let p = super::export::absolute("path", &path)?;
    tokio::task::spawn_blocking(move || {
        let id = identity::load()?.ok_or_else(|| WireError::not_found("no signing identity: create or import one first"))?;
        std::fs::write(&p, id.cert_pem()?).map_err(|e| WireError::io(format_args!("writing {}", p.display()), &e))
    })
    .await?
}
