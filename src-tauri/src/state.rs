//! Managed state: the few typed handles built once in `setup` and handed to commands by Tauri.
//!
//! Left out: anything lazily initialised (no `Mutex<Option<T>>`): when a handle cannot be built the app reports
//! it and exits at startup instead of failing later in a command.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{CmdResult, WireError};

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

/// Lock a mutex, turning poisoning (a panic in another command) into an Internal error instead of a panic.
pub fn lock<'a, T>(m: &'a Mutex<T>, what: &str) -> CmdResult<MutexGuard<'a, T>> {
    m.lock().map_err(|_| WireError::internal(format!("{what} is unavailable after an earlier failure")))
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

/// Cheap clone of a handle for `spawn_blocking`.
pub type Shared<T> = Arc<T>;
