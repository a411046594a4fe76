//! The checklist library: imported Markdown sources and their parsed form. Parsing is `runsheet_core::import`'s
//! job; this module stores the result and finds it again.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use runsheet_core::Checklist;

use crate::error::{Result, StoreError};
use crate::Store;

/// A checklist in the library, without its tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistSummary {
    pub id: String,
    pub title: String,
    /// The file name it was imported from (no directory).
    pub file_name: String,
    pub imported_at: DateTime<Utc>,
    pub phases: usize,
    pub items: usize,
    pub signoffs: usize,
}

impl ChecklistSummary {
    fn new(id: String, file_name: String, imported_at: DateTime<Utc>, c: &Checklist) -> Self {
        ChecklistSummary {
            id,
            title: c.title.clone(),
            file_name,
            imported_at,
            phases: c.phases.len(),
            items: c.items().len(),
            signoffs: c.signoffs.len(),
        }
    }
}

impl Store {
    /// Parse `source` (named `file_name` in errors) and add it to the library. Importing the very same source
    /// under the same name again returns the existing entry instead of a duplicate.
    pub fn import_checklist(&self, file_name: &str, source: &str, now: DateTime<Utc>) -> Result<ChecklistSummary> {
        let checklist = runsheet_core::import::parse(file_name, source)
            .map_err(|source| StoreError::Import { name: file_name.to_string(), source })?;
        self.insert_checklist(file_name, source, &checklist, now)
    }

    /// Add an already parsed checklist (the desktop's preview path, and tests). `source` is kept verbatim.
    pub fn insert_checklist(
        &self,
        file_name: &str,
        source: &str,
        checklist: &Checklist,
        now: DateTime<Utc>,
    ) -> Result<ChecklistSummary> {
        let source_hash = hex::encode(Sha256::digest(source.as_bytes()));
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM checklists WHERE source_hash = ?1 AND file_name = ?2 ORDER BY imported_at LIMIT 1",
                params![source_hash, file_name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_err(e))?;
        if let Some(id) = existing {
            return self.checklist_summary(&id);
        }
        let id = uuid::Uuid::now_v7().to_string();
        let parsed = serde_json::to_string(checklist)
            .map_err(|source| StoreError::Json { what: "checklist".into(), source })?;
        self.conn
            .execute(
                "INSERT INTO checklists (id, title, file_name, source, source_hash, imported_at, parsed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, checklist.title, file_name, source, source_hash, now.to_rfc3339(), parsed],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(ChecklistSummary::new(id, file_name.to_string(), now, checklist))
    }

    /// Every checklist in the library, oldest import first.
    pub fn list_checklists(&self) -> Result<Vec<ChecklistSummary>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, file_name, imported_at, parsed FROM checklists ORDER BY imported_at, id")
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))
            .map_err(|e| self.sql_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, file_name, at, parsed) = row.map_err(|e| self.sql_err(e))?;
            let c = parse_checklist(&id, &parsed)?;
            out.push(ChecklistSummary::new(id, file_name, parse_time(&at)?, &c));
        }
        Ok(out)
    }

    /// One checklist: its summary, parsed tree and original source. `id` may be a unique prefix.
    pub fn get_checklist(&self, id: &str) -> Result<(ChecklistSummary, Checklist, String)> {
        let id = self.resolve_checklist(id)?;
        let (file_name, at, parsed, source): (String, String, String, String) = self
            .conn
            .query_row(
                "SELECT file_name, imported_at, parsed, source FROM checklists WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| self.sql_err(e))?;
        let c = parse_checklist(&id, &parsed)?;
        Ok((ChecklistSummary::new(id, file_name, parse_time(&at)?, &c), c, source))
    }

    fn checklist_summary(&self, id: &str) -> Result<ChecklistSummary> {
        Ok(self.get_checklist(id)?.0)
    }

    /// Resolve a checklist id or unique id prefix to the full id.
    pub fn resolve_checklist(&self, prefix: &str) -> Result<String> {
        self.resolve("checklist", "checklists", prefix)
    }

    /// Resolve an id or unique prefix in `table` (a fixed table name, never user input).
    pub(crate) fn resolve(&self, what: &'static str, table: &str, prefix: &str) -> Result<String> {
        let prefix = prefix.trim();
        if prefix.is_empty() {
            return Err(StoreError::NotFound { what, id: String::new() });
        }
        let sql = format!("SELECT id FROM {table} WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 6");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql_err(e))?;
        let ids: Vec<String> = stmt
            .query_map([prefix], |r| r.get(0))
            .map_err(|e| self.sql_err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql_err(e))?;
        if ids.iter().any(|i| i == prefix) {
            return Ok(prefix.to_string());
        }
        match ids.len() {
            0 => Err(StoreError::NotFound { what, id: prefix.to_string() }),
            1 => Ok(ids.into_iter().next().unwrap_or_default()),
            _ => Err(StoreError::Ambiguous { what, prefix: prefix.to_string(), matches: ids }),
        }
    }
}

pub(crate) fn parse_checklist(id: &str, json: &str) -> Result<Checklist> {
    serde_json::from_str(json).map_err(|source| StoreError::Json { what: format!("checklist {id}"), source })
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Json {
        what: format!("timestamp `{s}`"),
        source: serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
    })
}
