//! Runsheet's application layer: every workflow is written here once — import, run creation, item changes, notes,
//! probe planning, running and evidence recording, arming, sign-off, waivers, roles, settings, exports (Markdown,
//! JSON, PDF), verify, signing identities and secrets. The `runsheet` CLI and the desktop commands are adapters:
//! they parse input, call an [`App`] method and print or serialise the result.
//!
//! Left out on purpose: Tauri, clap, terminals and windows. Nothing here prints, prompts or reads arguments.
//! Rules themselves (what an event may do, four-eyes, gates) are `runsheet_core`'s; storage is `runsheet_store`'s;
//! this crate orchestrates them so that no front end has to.

pub mod bench;
pub mod bundle;
pub mod due;
mod error;
pub mod export;
pub mod identity;
pub mod library;
pub mod probes;
pub mod rollback;
pub mod runs;
pub mod secrets;
pub mod signoff;
pub mod sync;
pub mod team;
pub mod verify;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Utc};
use runsheet_store::Store;

pub use error::{Error, ErrorKind, Result};
/// Probe results as they come back, and the default number run at once: front ends print and default them
/// without a dependency on runsheet-probes.
pub use runsheet_probes::{ProbeResult, DEFAULT_CONCURRENCY};
/// Secret values cross into the app wrapped, so front ends need no dependency on runsheet-secrets.
pub use runsheet_secrets::Sensitive;

/// Keyring services of one installation: probe secrets and signing identities live apart, so no probe can ever
/// be handed the signing key (names starting with `runsheet` are refused as probe secrets besides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Services {
    /// Probe secrets (`{{secret:NAME}}`).
    pub secrets: String,
    /// Signing identities (key and certificate).
    pub identity: String,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            secrets: runsheet_secrets::DEFAULT_SERVICE.to_string(),
            identity: runsheet_report::identity::IDENTITY_SERVICE.to_string(),
        }
    }
}

impl Services {
    /// The product's services, unless `RUNSHEET_SECRET_SERVICE` (or its older desktop spelling
    /// `RUNSHEET_KEYRING_SERVICE`) names another for the secrets: tests do, so they never touch a user's entries.
    /// Identities then live in that service name plus `-identity`, so both front ends of one test share them.
    pub fn from_env() -> Services {
        let custom = ["RUNSHEET_SECRET_SERVICE", "RUNSHEET_KEYRING_SERVICE"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()));
        match custom {
            Some(s) => Services { identity: format!("{s}-identity"), secrets: s },
            None => Services::default(),
        }
    }
}

/// One Runsheet installation: its data directory (database) and keyring services. `Send + Sync`: the desktop
/// shares one behind an `Arc` and calls it from the blocking pool; the CLI makes one per invocation.
#[derive(Debug)]
pub struct App {
    home: PathBuf,
    services: Services,
    /// Opened on first use, so commands that never need the database (inspect, secrets, identity) work even when
    /// the file is damaged. rusqlite connections are not `Sync`: one writer behind a mutex.
    store: OnceLock<Mutex<Store>>,
    /// Shared by every probe batch of this process, so the concurrency limit holds across batches.
    runner: runsheet_probes::Runner,
    /// Whether the store's signer was installed from the identity (see `team.rs`).
    signer_ready: std::sync::atomic::AtomicBool,
}

impl App {
    /// The data directory: `$RUNSHEET_HOME`, else the platform app-data dir (`~/.local/share/runsheet` on Linux).
    pub fn default_home() -> Result<PathBuf> {
        Ok(Store::default_home()?)
    }

    /// An installation at `home` with the keyring services of [`Services::from_env`].
    pub fn new(home: impl Into<PathBuf>) -> App {
        App::with_services(home, Services::from_env())
    }

    /// The installation at [`App::default_home`].
    pub fn open_default() -> Result<App> {
        Ok(App::new(App::default_home()?))
    }

    /// An installation with other keyring services (tests use their own so they can run in parallel).
    pub fn with_services(home: impl Into<PathBuf>, services: Services) -> App {
        App {
            home: home.into(),
            services,
            store: OnceLock::new(),
            runner: runsheet_probes::Runner::default(),
            signer_ready: Default::default(),
        }
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.home.join(runsheet_store::DB_FILE)
    }

    /// Open the database now (the desktop does at start, so a damaged file is reported before any command).
    pub fn open_store(&self) -> Result<()> {
        self.store().map(|_| ())
    }

    /// The store, opened on first use and locked for the caller.
    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>> {
        let cell = match self.store.get() {
            Some(c) => c,
            None => {
                let opened = Store::open(&self.db_path())?;
                // Another thread may have opened it meanwhile; either connection is as good.
                self.store.get_or_init(|| Mutex::new(opened))
            }
        };
        cell.lock().map_err(|_| Error::internal("the store is unavailable after an earlier failure"))
    }

    /// This installation's device id (stamped on every event it writes).
    pub fn device_id(&self) -> Result<String> {
        Ok(self.store()?.device_id().to_string())
    }

    pub(crate) fn runner(&self) -> &runsheet_probes::Runner {
        &self.runner
    }

    /// The clock every workflow reads; one place, so tests and benchmarks reason about time in one spot.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Write an online backup of the database to `dest`.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        Ok(self.store()?.backup(dest)?)
    }
}

/// Who does something: the operator name a front end resolved (`--as`, settings, the OS user).
pub type Actor<'a> = &'a str;

/// A non-empty, trimmed argument, or an `Invalid` error naming the field.
pub fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    Ok(v.to_string())
}
