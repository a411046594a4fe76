//! Managed state, built once in `setup`: the application (`Arc<runsheet_app::App>`, its database opened at start
//! so a damaged file is reported then), the desktop settings file, and two small session records (timings for the
//! benchmark, paths this session exported). Also the one way commands call the app: on the blocking pool.
//!
//! Left out: anything lazily initialised (no `Mutex<Option<T>>`) and every workflow (runsheet-app).

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use runsheet_app::App;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::wire::{CmdResult, WireError};

/// Where Runsheet keeps its data: `$RUNSHEET_HOME` if set, else the platform app-data directory.
#[derive(Debug, Clone)]
pub struct Paths {
    pub home: PathBuf,
}

impl Paths {
    pub fn resolve(app_data_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        use anyhow::Context;
        let home = match std::env::var_os("RUNSHEET_HOME").filter(|v| !v.is_empty()) {
            Some(h) => PathBuf::from(h),
            None => app_data_dir.context("the platform has no app data directory; set RUNSHEET_HOME")?,
        };
        std::fs::create_dir_all(&home).with_context(|| format!("creating data directory {}", home.display()))?;
        Ok(Self { home })
    }
    pub fn settings_file(&self) -> PathBuf {
        self.home.join("desktop-settings.json")
    }
}

/// Run `f` with the app on the blocking pool, so a slow disk or keyring never stalls the IPC thread.
pub async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> runsheet_app::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let app = Arc::clone(app);
    Ok(tokio::task::spawn_blocking(move || f(&app)).await??)
}

/// Lock a mutex, turning poisoning (a panic in another command) into an Internal error instead of a panic.
pub fn lock<'a, T>(m: &'a Mutex<T>, what: &str) -> CmdResult<MutexGuard<'a, T>> {
    m.lock().map_err(|_| WireError::internal(format!("{what} is unavailable after an earlier failure")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

/// Persisted desktop settings (a small JSON file in the data directory).
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

    /// Written beside and renamed into place, so a crash never leaves a half-written settings file.
    pub fn save(&self, paths: &Paths) -> CmdResult<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| WireError::internal(format!("encoding settings: {e}")))?;
        Ok(runsheet_app::export::write_atomically(&paths.settings_file(), &json)?)
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

/// The operator recorded as the actor of changes: from settings, never a value the webview sends.
pub fn operator(settings: &Mutex<Settings>) -> CmdResult<String> {
    Ok(lock(settings, "settings")?.operator_name.clone())
}

/// Timings the benchmark reads back: how long `set_item_state` took from the IPC call to the committed write.
#[derive(Debug, Default)]
pub struct Perf {
    samples: Mutex<VecDeque<f64>>,
}

impl Perf {
    const KEEP: usize = 10_000;
    pub fn record(&self, ms: f64) {
        if let Ok(mut s) = self.samples.lock() {
            if s.len() == Self::KEEP {
                s.pop_front();
            }
            s.push_back(ms);
        }
    }
    pub fn samples(&self) -> Vec<f64> {
        self.samples.lock().map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
}

/// Paths the app itself wrote (exports), the only ones `open_path` will hand to the OS: the webview cannot make
/// the app open arbitrary files.
#[derive(Debug, Default)]
pub struct Exported {
    paths: Mutex<HashSet<PathBuf>>,
}

impl Exported {
    pub fn add(&self, p: &Path) {
        if let Ok(mut s) = self.paths.lock() {
            s.insert(p.to_path_buf());
        }
    }
    pub fn contains(&self, p: &Path) -> bool {
        self.paths.lock().map(|s| s.contains(p)).unwrap_or(false)
    }
}
