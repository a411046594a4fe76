//! Verify what Runsheet wrote: a database's hash chains (every run, or one), a signed PDF (signature, coverage,
//! the attached run log's chain), or a JSON run log. A file is recognised by its first bytes, not its name.
//!
//! Left out: the checks themselves (runsheet-store `verify`, runsheet-report `verify_pdf` and `check_run_log`, which
//! rest on runsheet-core `verify_chain`) and how results are printed.

use std::path::Path;

use runsheet_store::Store;
use serde::Serialize;

use crate::{App, Error, Result};

/// A database's verification, per run (front ends name it without depending on runsheet-store).
pub use runsheet_store::VerifyReport as DatabaseReport;
/// A signed PDF's verification: signatures, coverage, the attached run log.
pub use runsheet_report::VerifyReport as PdfReport;

/// The result of checking a JSON run log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogCheck {
    pub run_id: String,
    pub events: usize,
    pub heads: Vec<String>,
    pub ok: bool,
    pub problem: Option<String>,
    /// The log's `format` tag (`runsheet-run-log/2`, `/1` from older builds; `None` for a bare array of events).
    pub format: Option<String>,
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
    /// Check this installation's database: every run, or one (id or unique prefix): each run's hash chain, then
    /// every event's author signature against the run's membership.
    pub fn verify_store(&self, run: Option<&str>) -> Result<Verified> {
        let id = run.map(|r| self.resolve_run(r)).transpose()?;
        let store = self.store()?;
        Ok(Verified::Database(verify_database(&store, id.as_deref())?))
    }

    /// Check a file: a signed PDF, a Runsheet database (a backup), or a JSON run log.
    pub fn verify_file(&self, path: &Path) -> Result<Verified> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), &e))?;
        if bytes.starts_with(b"SQLite format 3") {
            return Ok(Verified::Database(verify_database(&Store::open(path)?, None)?));
        }
        verify_bytes(&path.display().to_string(), &bytes)
    }
}

/// The store's chain check of one run or all, then, for each run whose chain holds, the author signatures of its
/// events (runsheet-report `check_event_authors`): the first refused event becomes the run's problem.
fn verify_database(store: &Store, run: Option<&str>) -> Result<runsheet_store::VerifyReport> {
    let mut report = store.verify(run)?;
    for r in report.runs.iter_mut().filter(|r| r.problem.is_none()) {
        let events = store.events(&r.run_id)?;
        if let Err(e) = runsheet_report::check_event_authors(&events, &|_| true) {
            r.problem = Some(runsheet_core::event::ChainError::Signature { id: e.id, why: e.why });
        }
    }
    Ok(report)
}

/// Check a PDF or a JSON run log given as bytes (a dropped file). `name` is for messages.
pub fn verify_bytes(name: &str, bytes: &[u8]) -> Result<Verified> {
    if bytes.starts_with(b"%PDF") {
        let r = runsheet_report::verify_pdf(bytes).map_err(|e| Error::from(e).context(format!("verifying {name}")))?;
        return Ok(Verified::Pdf(r));
    }
    verify_log(name, bytes).map(Verified::Log)
}

/// Check a JSON run log (`runsheet-run-log/2`, `/1`, or a bare array of events) with the same check a signed PDF's
/// attached log gets: the hash chain, and for `/2` that `run_id`, `head_hashes` and the event order are what the
/// events say. A log without events does not verify.
pub fn verify_log(name: &str, bytes: &[u8]) -> Result<LogCheck> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return Err(Error::invalid(format!("{name} is not a PDF, database or JSON run log")));
    }
    let check = runsheet_report::verify::check_run_log(bytes);
    let ok = check.problems.is_empty();
    Ok(LogCheck {
        run_id: check.run_id.unwrap_or_default(),
        events: check.events,
        heads: check.heads,
        ok,
        problem: (!ok).then(|| format!("run log {name} does not verify: {}", check.problems.join("; "))),
        format: check.format,
    })
}
