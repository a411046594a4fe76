//! Exports of a run, one writer each: Markdown (the checklist with states, re-importable, or a deployment log),
//! the JSON run log (the same document the signed PDF carries inside), and the signed PDF.
//!
//! Left out: rendering and signing (runsheet-report, runsheet-core `run::export_markdown`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{App, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The frozen checklist with states, re-importable.
    Md,
    /// A deployment log in Markdown (timeline, issues, sign-off).
    MdLog,
    /// The JSON run log.
    Json,
    /// The signed PDF deployment log.
    Pdf,
}

pub use runsheet_report::Paper;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    pub run_id: String,
    pub bytes: Vec<u8>,
    /// Head hash of the exported history.
    pub head_hash: Option<String>,
    pub events: usize,
    /// Subject and certificate fingerprint of the signer (PDF only).
    pub signer: Option<(String, String)>,
}

impl App {
    /// Export a run in `format`. A PDF is signed with this installation's identity (`NotFound` when there is none).
    pub fn export(&self, run: &str, format: Format, paper: Paper) -> Result<Exported> {
        let state = self.run(run)?;
        let now = self.now();
        let events: Vec<_> = state.timeline.clone();
        let head_hash = state.heads().first().map(|e| e.hash.clone());
        let (bytes, signer) = match format {
            Format::Md => (runsheet_core::run::export_markdown(&state).into_bytes(), None),
            Format::MdLog => {
                let input = runsheet_report::ReportInput::from_state(&state, now)?;
                (runsheet_report::markdown::deployment_log(&input).into_bytes(), None)
            }
            Format::Json => {
                (runsheet_report::run_log_json(&state, now)?, None)
            }
            Format::Pdf => {
                let identity = self.require_identity()?;
                let opts = runsheet_report::ExportOptions { paper };
                let pdf = runsheet_report::export_signed_pdf(&state, &identity, now, opts)
                    .map_err(|e| Error::from(e).context(format!("exporting run {} as PDF", state.run_id)))?;
                (pdf, Some((identity.subject(), identity.fingerprint())))
            }
        };
        Ok(Exported { run_id: state.run_id, bytes, head_hash, events: events.len(), signer })
    }

    /// Export a run to a file (written next to it and renamed into place, so it is never half-written).
    pub fn export_to(&self, run: &str, format: Format, paper: Paper, path: &Path) -> Result<Exported> {
        let out = self.export(run, format, paper)?;
        write_atomically(path, &out.bytes)?;
        Ok(out)
    }
}

/// Write `bytes` to `path` through a temporary file beside it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let tmp = path.with_extension(format!(
        "{}.partial",
        path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(what(), &e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(what(), &e)
    })
}
