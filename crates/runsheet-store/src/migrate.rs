//! Embedded, forward-only schema migrations: `migrations/NNNN_*.sql`, each applied together with its
//! `PRAGMA user_version` bump in one transaction. A shipped migration is never edited; add a file instead.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Result, StoreError};

/// Every migration, in order; index + 1 is the schema version it produces.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_append_only_and_run_summary.sql"),
    include_str!("../migrations/0003_team.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let at = |e| StoreError::from_sqlite_at(path, e);
    loop {
        // IMMEDIATE: two processes opening a fresh file at once serialise here, and the loser re-reads the version.
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(at)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(at)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION });
        }
        let Some(sql) = usize::try_from(version).ok().and_then(|v| MIGRATIONS.get(v)) else {
            return Ok(()); // up to date; dropping `tx` ends the empty transaction
        };
        tx.execute_batch(sql).map_err(at)?;
        tx.pragma_update(None, "user_version", version + 1).map_err(at)?;
        tx.commit().map_err(at)?;
    }
}

/// This database's device id, made on first use (UUID v7) and kept in `settings`.
pub(crate) fn device_id(conn: &Connection) -> rusqlite::Result<String> {
    let existing: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('device_id', ?1)",
        [uuid::Uuid::now_v7().to_string()],
    )?;
    conn.query_row("SELECT value FROM settings WHERE key = 'device_id'", [], |r| r.get(0))
}
