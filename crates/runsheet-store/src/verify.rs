//! `verify`: check every run's hash chain as stored, in recording order, naming the first bad event. Edited rows
//! show as hash mismatches, deleted ones as missing parents (or a short chain against the run's recorded event
//! count and head), reordered ones as parents that come after their children or wrong Lamport counters.

use rusqlite::params;
use serde::Serialize;

use runsheet_core::event::{verify_chain, ChainError, Event};

use crate::error::Result;
use crate::runs::load_events;
use crate::Store;

/// The outcome for one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    pub run_id: String,
    pub title: String,
    pub events: usize,
    /// Head hashes when the chain verifies.
    pub heads: Vec<String>,
    /// The first problem found, if any.
    pub problem: Option<ChainError>,
}

/// The outcome of `verify`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    pub database: String,
    pub runs: Vec<RunReport>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.runs.iter().all(|r| r.problem.is_none())
    }

    /// The first bad run, if any.
    pub fn first_problem(&self) -> Option<&RunReport> {
        self.runs.iter().find(|r| r.problem.is_some())
    }
}

impl Store {
    /// Verify one run (full id or unique prefix) or, with `None`, every run in the database.
    pub fn verify(&self, run: Option<&str>) -> Result<VerifyReport> {
        let runs: Vec<(String, String, i64, Option<String>)> = match run {
            Some(prefix) => {
                let id = self.resolve_run(prefix)?;
                self.conn
                    .query_row("SELECT id, title, event_count, head FROM runs WHERE id = ?1", params![id], |r| {
                        Ok(vec![(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)])
                    })
                    .map_err(|e| self.sql_err(e))?
            }
            None => {
                let mut stmt = self
                    .conn
                    .prepare("SELECT id, title, event_count, head FROM runs ORDER BY created_at, id")
                    .map_err(|e| self.sql_err(e))?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .map_err(|e| self.sql_err(e))?;
                rows.collect::<rusqlite::Result<_>>().map_err(|e| self.sql_err(e))?
            }
        };
        let mut reports = Vec::new();
        for (run_id, title, count, head) in runs {
            let rows = load_events(&self.conn, &run_id).map_err(|e| self.sql_err(e))?;
            let n = rows.len();
            let mut events: Vec<Event> = Vec::with_capacity(n);
            let mut problem = None;
            for (position, row) in rows.into_iter().enumerate() {
                match row {
                    Ok(e) => events.push(e),
                    // A row whose columns no longer read back as an event was edited.
                    Err(_) => {
                        let id = self.event_id_at(&run_id, position)?;
                        problem = Some(ChainError::HashMismatch { id, position });
                        break;
                    }
                }
            }
            let mut heads = Vec::new();
            if problem.is_none() {
                match verify_chain(&run_id, &events) {
                    Ok(h) => heads = h,
                    Err(e) => problem = Some(e),
                }
            }
            if problem.is_none() {
                let expected = usize::try_from(count).unwrap_or(0);
                let head = head.unwrap_or_default();
                if n != expected {
                    problem = Some(ChainError::CountMismatch { run_id: run_id.clone(), found: n, expected, head });
                } else if events.last().map(|e| e.hash.as_str()) != Some(head.as_str()) {
                    problem = Some(ChainError::HeadMismatch { run_id: run_id.clone(), expected: head });
                }
            }
            reports.push(RunReport { run_id, title, events: n, heads, problem });
        }
        Ok(VerifyReport { database: self.path.display().to_string(), runs: reports })
    }

    fn event_id_at(&self, run_id: &str, position: usize) -> Result<String> {
        self.conn
            .query_row(
                "SELECT id FROM events WHERE run_id = ?1 ORDER BY seq LIMIT 1 OFFSET ?2",
                params![run_id, i64::try_from(position).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }
}
