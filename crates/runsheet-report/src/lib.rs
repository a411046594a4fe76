//! Runsheet's deployment log as a signed PDF: rendering with printpdf ([`render`]), the JSON run log attached
//! inside the PDF and a PAdES baseline B-B signature over the whole file ([`pades`]), verification of both
//! ([`verify`]), and the signing identity (ECDSA P-256 key + X.509 certificate, [`identity`]).
//!
//! What it leaves out: storage of runs (runsheet-store) and of the private key (the caller hands in a
//! [`identity::KeyStore`], the OS keyring in practice), and the sign-off rules (runsheet_core::signoff).

pub mod event_sig;
pub mod fonts;
pub mod identity;
pub mod input;
pub mod markdown;
pub mod pades;
mod pdfobj;
pub mod render;
pub mod verify;

pub use event_sig::{check_event_authors, verify_event_author, EventSignatureError, VerifiedAuthor};
pub use identity::{Identity, KeyStore, KeyringKeyStore, MemoryKeyStore};
pub use input::ReportInput;
pub use render::{render_pdf, Paper, SignerSummary};
pub use verify::{verify_pdf, VerifyReport};

use runsheet_core::event::Event;
use runsheet_core::run::RunState;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("font: {0}")]
    Font(String),
    #[error("invalid report input: {0}")]
    Input(String),
    #[error("malformed pdf: {0}")]
    Pdf(String),
    #[error("signing: {0}")]
    Sign(String),
    #[error("signing identity: {0}")]
    Identity(String),
    #[error("no signing identity (run `runsheet identity create` or `runsheet identity import FILE.p12`)")]
    NoIdentity,
    #[error("key store: {0}")]
    KeyStore(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Name of the attached run log inside the PDF.
pub const RUN_LOG_NAME: &str = "runsheet-run-log.json";

/// Options of [`export_signed_pdf`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    pub paper: Paper,
}

/// The whole pipeline: read the run's state into a report, render it, attach its events (the state's timeline,
/// in fold order) as JSON, sign with `identity`. `now` is the report and signing time.
pub fn export_signed_pdf(
    state: &RunState,
    identity: &Identity,
    now: chrono::DateTime<chrono::Utc>,
    opts: ExportOptions,
) -> Result<Vec<u8>> {
    let input = ReportInput::from_state(state, now)?;
    let signer = identity.summary();
    let pdf = render_pdf(&input, opts.paper, Some(&signer))?;
    let log = run_log_json(state, now)?;
    let pdf = pades::attach_file(&pdf, RUN_LOG_NAME, "application/json", &log, "Runsheet run log (all events, hash-chained)", now)?;
    pades::sign(&pdf, identity, now, &format!("Deployment log of run {}", input.run_id))
}

/// The `format` tag of the run log this build writes. Readers ([`verify::read_run_log`]) also take
/// [`RUN_LOG_FORMAT_V1`] files.
pub const RUN_LOG_FORMAT: &str = "runsheet-run-log/2";
/// The earlier tag: `{ format, events }` inside PDFs, `{ format, run, events }` from the CLI.
pub const RUN_LOG_FORMAT_V1: &str = "runsheet-run-log/1";

/// The one JSON run log, written here only: the CLI's `run export --format json`, the desktop's JSON export and the
/// attachment inside the signed PDF are this document, byte for byte, for the same run and `now`.
///
/// `{ format, run_id, exported_at, head_hashes, run, events }`: `events` (every event, in fold order) is the record
/// that verification re-hashes; `run` is the folded view at `now` ([`RunState::to_json`]), informative only, so a
/// reader must not trust it over the events. Pretty JSON ending in a newline; the shape is
/// `docs/schema/run-log.schema.json`.
pub fn run_log_json(state: &RunState, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<u8>> {
    // A struct rather than `json!`, so the keys keep this order whatever serde_json's map type is.
    #[derive(serde::Serialize)]
    struct RunLog<'a> {
        format: &'static str,
        run_id: &'a str,
        exported_at: chrono::DateTime<chrono::Utc>,
        head_hashes: Vec<&'a str>,
        run: serde_json::Value,
        events: &'a [Event],
    }
    let mut head_hashes: Vec<&str> = state.heads().into_iter().map(|e| e.hash.as_str()).collect();
    head_hashes.sort_unstable();
    let log = RunLog {
        format: RUN_LOG_FORMAT,
        run_id: &state.run_id,
        exported_at: now,
        head_hashes,
        run: state.to_json(now),
        events: &state.timeline,
    };
    let mut out = serde_json::to_vec_pretty(&log)
        .map_err(|e| Error::Input(format!("serialising the run log of run {}: {e}", state.run_id)))?;
    out.push(b'\n');
    Ok(out)
}
