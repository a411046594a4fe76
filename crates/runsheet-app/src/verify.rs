//! Verify what Runsheet wrote: a database's hash chains (every run, or one), a signed PDF (signature, coverage,
//! the attached run log's chain), or a JSON run log. A file is recognised by its first bytes, not its name.
//!
//! Left out: the checks themselves (runsheet-core `verify_chain`, runsheet-store `verify`, runsheet-report
//! `verify_pdf`) and how results are printed.

use std::path::Path;

use runsheet_core::event::{verify_chain, Event};
use runsheet_store::Store;
use serde::Serialize;

use crate::{App, Error, ErrorKind, Result};

/// The result of checking a JSON run log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogCheck {
    pub run_id: String,
    pub events: usize,
    pub heads: Vec<String>,
    pub ok: bool,
    pub problem: Option<String>,
}

/// What was verified and how it went.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verified {
    Database(runsheet_store::VerifyReport),
    Pdf(runsheet_report::VerifyReport),
    Log(LogCheck),
}

impl Verified {
    /// True when everything checked out.
    pub fn ok(&self) -> bool {
        match self {
            Verified::Database(r) => r.ok(),
            Verified::Pdf(r) => r.ok,
            Verified::Log(l) => l.ok,
        }
    }

    /// The first problem, in words, when not ok.
    pub fn problem(&self) -> Option<String> {
        match self {
            Verified::Database(r) => r.first_problem().map(|bad| {
                let p = bad.problem.as_ref().map(ToString::to_string).unwrap_or_default();
                format!("run {} in {} does not verify: {p}", bad.run_id, r.database)
            }),
            Verified::Pdf(r) => (!r.ok).then(|| r.problems.first().cloned().unwrap_or_else(|| "unknown problem".into())),
            Verified::Log(l) => l.problem.clone(),
        }
    }
}

impl App {
    /// Check this installation's database: every run, or one (id or unique prefix).
    pub fn verify_store(&self, run: Option<&str>) -> Result<Verified> {
        let id = run.map(|r| self.resolve_run(r)).transpose()?;
        Ok(Verified::Database(self.store()?.verify(id.as_deref())?))
    }

    /// Check a file: a signed PDF, a Runsheet database (a backup), or a JSON run log.
    pub fn verify_file(&self, path: &Path) -> Result<Verified> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), &e))?;
        if bytes.starts_with(b"SQLite format 3") {
            return Ok(Verified::Database(Store::open(path)?.verify(None)?));
        }
        verify_bytes(&path.display().to_string(), &bytes)
    }
}

/// Check a PDF or a JSON run log given as bytes (a dropped file). `name` is for messages.
pub fn verify_bytes(name: &str, bytes: &[u8]) -> Result<Verified> {
    if bytes.starts_with(b"%PDF") {
        let r = runsheet_report::verify_pdf(bytes).map_err(|e| Error::from(e).context(format!("verifying {name}")))?;
        return Ok(Verified::Pdf(r));
    }
    verify_log(name, bytes).map(Verified::Log)
}

/// Check a JSON run log's hash chain.
pub fn verify_log(name: &str, bytes: &[u8]) -> Result<LogCheck> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| Error::invalid(format!("{name} is not a PDF, database or JSON run log")))?;
    let events = value.get("events").cloned().unwrap_or(value);
    let events: Vec<Event> = serde_json::from_value(events)
        .map_err(|e| Error::new(ErrorKind::Invalid, format!("{name}: reading the events of the run log: {e}")))?;
    let run_id = events.first().map(|e| e.run_id.clone()).unwrap_or_default();
    Ok(match verify_chain(&run_id, &events) {
        Ok(heads) => LogCheck { run_id, events: events.len(), heads, ok: true, problem: None },
        Err(e) => LogCheck {
            run_id,
            events: events.len(),
            heads: Vec::new(),
            ok: false,
            problem: Some(format!("run log {name} does not verify: {e}")),
        },
    })
}
