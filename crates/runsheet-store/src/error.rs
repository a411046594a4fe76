//! The store's error type: what failed and with what, plus a stable `code()` the UI branches on.

use std::path::{Path, PathBuf};

use runsheet_core::event::ChainError;
use runsheet_core::import::ImportError;
use runsheet_core::run::RunError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database {} is damaged ({detail}); restore a backup made with `runsheet backup` (copy it to {}) or move the file away",
        path.display(),
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    #[error("database {} was written by a newer runsheet (schema {found}, this one knows up to {supported})", path.display())]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("no home directory: set RUNSHEET_HOME")]
    NoHome,
    #[error("creating directory {}", path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("database {}: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("database {} is busy (another runsheet is writing); try again", path.display())]
    Busy { path: PathBuf },
    #[error("backing up to {}: {source}", path.display())]
    Backup { path: PathBuf, source: rusqlite::Error },
    #[error("stored {what} is not valid JSON: {source}")]
    Json { what: String, source: serde_json::Error },
    #[error("importing {name}: {source}")]
    Import { name: String, source: ImportError },
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("no {what} matches `{id}`")]
    NotFound { what: &'static str, id: String },
    #[error("`{prefix}` matches several {what}s: {}", matches.join(", "))]
    Ambiguous { what: &'static str, prefix: String, matches: Vec<String> },
    /// A sign-off rule refuses the change (strict gate, four-eyes, open items, stale evidence...).
    #[error("{what}: {}", blockers.join("; "))]
    Refused { what: String, blockers: Vec<String> },
    #[error("run {run_id}: stored events do not verify: {source}")]
    Chain { run_id: String, source: ChainError },
    /// The signer set with `Store::set_signer` could not sign a new event; nothing was recorded.
    #[error("signing event {id}: {why}")]
    Sign { id: String, why: String },
    /// An event arriving from another store (`Store::merge_events`) is refused; nothing of its batch was stored.
    #[error("event {id} refused: {why}")]
    Merge { id: String, why: String },
    /// A different event under an id this store already holds: the event was altered somewhere.
    #[error("tamper alarm: event {id} differs from the stored event with that id (stored hash {stored}, received {received})")]
    Tamper { id: String, stored: String, received: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// Classify a SQLite error at `path`: damaged files and lock timeouts get their own variants.
    pub fn from_sqlite_at(path: &Path, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            match f.code {
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    let detail = msg.clone().unwrap_or_else(|| f.to_string());
                    return StoreError::Damaged { path: path.to_path_buf(), detail };
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    return StoreError::Busy { path: path.to_path_buf() }
                }
                _ => {}
            }
        }
        StoreError::Sqlite { path: path.to_path_buf(), source: e }
    }

    /// A stable code for wire errors (`{ code, message }`): the UI branches on this, never on the message.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Damaged { .. } | StoreError::Chain { .. } => "Damaged",
            StoreError::TooNew { .. } => "TooNew",
            StoreError::Busy { .. } => "Busy",
            StoreError::Import { .. } => "Invalid",
            StoreError::Run(e) => e.code(),
            StoreError::NotFound { .. } => "NotFound",
            StoreError::Refused { .. } => "Refused",
            StoreError::Ambiguous { .. } => "Ambiguous",
            StoreError::Sign { .. } => "Internal",
            StoreError::Merge { .. } => "Invalid",
            StoreError::Tamper { .. } => "Damaged",
            StoreError::NoHome
            | StoreError::CreateDir { .. }
            | StoreError::Io { .. }
            | StoreError::Sqlite { .. }
            | StoreError::Backup { .. }
            | StoreError::Json { .. } => "Io",
        }
    }
}
