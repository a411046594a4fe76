//! Commands, one file per domain. A command parses its input, calls the core crates, maps the result; anything
//! longer belongs in a core crate. `Handles` are the long-lived core objects built once at startup.

pub mod dialogs;
pub mod export;
pub mod identity;
pub mod library;
pub mod names;
pub mod probes;
pub mod runs;
pub mod secrets;
pub mod settings;
pub mod signoff;
pub(crate) mod store_api;

use std::sync::{Arc, Mutex};

use tauri::{Manager, Runtime};

use crate::error::{CmdResult, WireError};
use crate::state::{lock, Paths};

/// The store behind one mutex: rusqlite connections are not `Sync`, and writes are serialised anyway.
#[derive(Debug, Clone)]
pub struct StoreHandle(pub Arc<Mutex<runsheet_store::Store>>);

impl StoreHandle {
    /// Runs `f` with the store on the blocking pool, so a slow disk never stalls the IPC thread.
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut runsheet_store::Store) -> CmdResult<T> + Send + 'static,
    ) -> CmdResult<T> {
        let store = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&store, "the store")?;
            f(&mut guard)
        })
        .await?
    }
}

/// Long-lived handles of the core crates, built once in `setup`.
#[derive(Debug)]
pub struct Handles {
    pub store: StoreHandle,
    /// Shared by every probe batch, so the concurrency limit holds across "run all checks" clicks.
    pub runner: runsheet_probes::Runner,
}

impl Handles {
    pub fn open(paths: &Paths) -> anyhow::Result<Self> {
        use anyhow::Context;
        let db = paths.home.join("runsheet.db");
        let store = runsheet_store::Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
        Ok(Self { store: StoreHandle(Arc::new(Mutex::new(store))), runner: runsheet_probes::Runner::default() })
    }

    pub fn manage<R: Runtime>(self, app: &tauri::AppHandle<R>) {
        app.manage(self.store);
        app.manage(self.runner);
    }
}

/// A non-empty, trimmed id or name argument.
pub(crate) fn required(field: &str, value: &str) -> CmdResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(WireError::invalid(format!("{field} must not be empty")));
    }
    Ok(v.to_string())
}
