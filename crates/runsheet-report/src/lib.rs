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

pub use event_sig::{verify_event_author, EventSignatureError};
pub use identity::{Identity, KeyStore, KeyringKeyStore, MemoryKeyStore};
pub use input::ReportInput;
pub use render::{render_pdf, Paper, SignerSummary};
pub use verify::{verify_pdf, VerifyReport};

use runsheet_core::event::Event;

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

/// The whole pipeline: fold `events` into a report, render it, attach the events as JSON, sign with `identity`.
/// `now` is the report and signing time.
pub fn export_signed_pdf(
    events: &[Event],
    identity: &Identity,
    now: chrono::DateTime<chrono::Utc>,
    opts: ExportOptions,
) -> Result<Vec<u8>> {
    let input = ReportInput::from_events(events, now)?;
    let signer = identity.summary();
    let pdf = render_pdf(&input, opts.paper, Some(&signer))?;
    let log = run_log_json(events)?;
    let pdf = pades::attach_file(&pdf, RUN_LOG_NAME, "application/json", &log, "Runsheet run log (all events, hash-chained)", now)?;
    pades::sign(&pdf, identity, now, &format!("Deployment log of run {}", input.run_id))
}

/// The attached run log: all events, in fold order, as pretty JSON.
pub fn run_log_json(events: &[Event]) -> Result<Vec<u8>> {
    let mut evs: Vec<&Event> = events.iter().collect();
    evs.sort_by(|a, b| (a.lamport, &a.device, &a.id).cmp(&(b.lamport, &b.device, &b.id)));
    serde_json::to_vec_pretty(&serde_json::json!({ "format": "runsheet-run-log/1", "events": evs }))
        .map_err(|e| Error::Input(format!("serialising the run log: {e}")))
}
