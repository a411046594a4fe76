//! Runsheet's store: one SQLite database (WAL, forward-only embedded migrations) holding the checklist library,
//! runs and their append-only, hash-chained events.
//!
//! The store makes the ids (UUID v7 for runs and events, the device id once per database), reads the run state by
//! folding events with `runsheet_core::run`, validates every new event with `RunState::check` and appends it in
//! one `BEGIN IMMEDIATE` transaction with `synchronous=FULL`, so an event `append` returned survives SIGKILL and
//! power loss. It leaves out everything about meaning: rules live in `runsheet-core`, and no clock is read here
//! (callers pass `now`). Secrets never reach it: probe evidence arrives already masked.
//!
//! Concurrency: [`Store`] is `Send` but not `Sync` (a rusqlite connection); a GUI holds it behind a mutex. Several
//! processes may open the same file: writers serialise on SQLite's lock (busy timeout 5 s).

mod checklists;
mod error;
mod migrate;
mod runs;
mod team;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use checklists::ChecklistSummary;
pub use error::{Result, StoreError};
pub use migrate::SCHEMA_VERSION;
pub use runs::{NewRun, RunSummary};
pub use team::{MergeOutcome, SharedRun, Signer};
pub use verify::{RunReport, VerifyReport};

/// The database file name inside the home directory.
pub const DB_FILE: &str = "runsheet.db";

/// An open Runsheet database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    device: String,
    /// The state of the run appended to last, so a long-lived store (the desktop) folds only new events.
    cache: std::cell::RefCell<Option<runs::Cached>>,
    /// Signs every event this store writes, when set (see [`Store::set_signer`]).
    signer: Option<Signer>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device", &self.device)
            .field("signer", &self.signer.as_ref().map(|_| "set"))
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The home directory: `$RUNSHEET_HOME`, else the platform app-data dir (`~/.local/share/runsheet` on Linux).
    pub fn default_home() -> Result<PathBuf> {
        if let Some(h) = std::env::var_os("RUNSHEET_HOME").filter(|h| !h.is_empty()) {
            return Ok(PathBuf::from(h));
        }
        dirs::data_dir().map(|d| d.join("runsheet")).ok_or(StoreError::NoHome)
    }

    /// Open (creating if needed) `runsheet.db` in [`Store::default_home`].
    pub fn open_default() -> Result<Store> {
        Store::open(&Store::default_home()?.join(DB_FILE))
    }

    /// Open (creating if needed, with its parent directory) the database at `path` and migrate it to the current
    /// schema. A damaged file gives [`StoreError::Damaged`] naming the file; nothing here panics.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite_at(path, e))?;
        let path = path.to_path_buf();
        let at = |e: rusqlite::Error| StoreError::from_sqlite_at(&path, e);
        conn.busy_timeout(Duration::from_secs(5)).map_err(at)?;
        // The first statement reads the header: a file that is not a database fails here.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(at)?;
        // FULL: a commit reaches the disk before `append` returns (measured cost: see the bench in the CLI).
        conn.pragma_update(None, "synchronous", "FULL").map_err(at)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(at)?;
        check_integrity(&conn).map_err(|detail| StoreError::Damaged { path: path.clone(), detail })?;
        migrate::migrate(&conn, &path)?;
        let device = migrate::device_id(&conn).map_err(at)?;
        let store = Store { conn, path, device, cache: Default::default(), signer: None };
        store.refresh_missing_summaries()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This installation's device id (made once per database, stamped on every event it writes).
    pub fn device_id(&self) -> &str {
        &self.device
    }

    /// Write an online backup of the whole database to `dest` (SQLite backup API, consistent while others write).
    /// The copy is written next to `dest` and renamed into place, so `dest` is never half-written.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let err = |source: rusqlite::Error| StoreError::Backup { path: dest.to_path_buf(), source };
        let tmp = dest.with_extension("tmp-backup");
        let _ = std::fs::remove_file(&tmp);
        {
            let mut out = Connection::open(&tmp).map_err(err)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut out).map_err(err)?;
            backup.run_to_completion(256, Duration::ZERO, None).map_err(err)?;
            drop(backup);
            // A single self-contained file: no -wal beside it.
            out.pragma_update(None, "journal_mode", "DELETE").map_err(err)?;
        }
        std::fs::rename(&tmp, dest).map_err(|source| StoreError::Io { path: dest.to_path_buf(), source })?;
        Ok(())
    }

    fn sql_err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite_at(&self.path, e)
    }
}

/// A cheap structural check on open (`PRAGMA quick_check`), so a truncated file is reported as damaged up front
/// instead of failing half-way through a command.
fn check_integrity(conn: &Connection) -> std::result::Result<(), String> {
    let mut stmt = conn.prepare("PRAGMA quick_check(1)").map_err(|e| e.to_string())?;
    let first: String = stmt.query_row([], |r| r.get(0)).map_err(|e| e.to_string())?;
    if first == "ok" {
        Ok(())
    } else {
        Err(first)
    }
}
