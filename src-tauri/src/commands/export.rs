//! Export and verify commands: a run as signed PDF, Markdown or JSON to a path the user chose in a save dialog;
//! verifying a PDF (a path, or dropped bytes); opening an exported file with the OS default app.
//!
//! Left out: rendering and signing (runsheet-report). `open_path` only opens files this app exported in this
//! session, so the webview cannot make the app launch arbitrary files.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use std::sync::Mutex;

use super::identity;
use super::settings::{PaperSize, Settings};
use super::{required, StoreHandle};
use crate::error::{CmdResult, WireError};
use crate::state::{lock, Exported};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Pdf,
    Md,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ExportResult {
    pub path: String,
    pub bytes: f64,
    pub signed: bool,
    pub head_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct VerifyResult {
    pub intact: bool,
    pub signer: Option<String>,
    pub fingerprint: Option<String>,
    pub signed_at: Option<String>,
    pub run_title: Option<String>,
    pub head_hash: Option<String>,
    pub messages: Vec<String>,
}

pub(crate) fn absolute(field: &str, path: &str) -> CmdResult<PathBuf> {
    let p = PathBuf::from(required(field, path)?);
    if !p.is_absolute() {
        return Err(WireError::invalid(format!("{field} must be an absolute path: {}", p.display())));
    }
    Ok(p)
}

/// PDFs larger than this are refused for verification (a deployment log is a few hundred KB).
const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

#[tauri::command]
#[specta::specta]
pub async fn export_run(
    run_id: String,
    format: ExportFormat,
    path: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
    exported: State<'_, Exported>,
) -> CmdResult<ExportResult> {
    let run = required("run_id", &run_id)?;
    let dest = absolute("path", &path)?;
    let paper = match lock(&settings, "settings")?.paper_size {
        PaperSize::A4 => runsheet_report::Paper::A4,
        PaperSize::Letter => runsheet_report::Paper::Letter,
    };
    let (events, state) = store
        .with(move |s| {
            let id = s.resolve_run(&run)?;
            let events = s.events(&id)?;
            let state = runsheet_core::run::RunState::fold(events.clone())?;
            Ok((events, state))
        })
        .await?;
    let head_hash = state.heads().first().map(|e| e.hash.clone()).unwrap_or_default();
    let file = dest.clone();
    let (bytes, signed) = tokio::task::spawn_blocking(move || -> CmdResult<(Vec<u8>, bool)> {
        let now = chrono::Utc::now();
        match format {
            ExportFormat::Md => Ok((runsheet_core::run::export_markdown(&state).into_bytes(), false)),
            ExportFormat::Json => Ok((runsheet_report::run_log_json(&state, now)?, false)),
            ExportFormat::Pdf => {
                let id = identity::load()?.ok_or_else(|| {
                    WireError::not_found("no signing identity: create or import one in Settings before exporting a PDF")
                })?;
                let opts = runsheet_report::ExportOptions { paper };
                Ok((runsheet_report::export_signed_pdf(&events, &id, now, opts)?, true))
            }
        }
    })
    .await??;
    let len = bytes.len();
    tokio::task::spawn_blocking(move || write_atomically(&file, &bytes)).await??;
    exported.add(&dest);
    Ok(ExportResult { path: dest.display().to_string(), bytes: len as f64, signed, head_hash })
}

/// Writes next to `dest` then renames, so a failed export never leaves a truncated file behind.
fn write_atomically(dest: &std::path::Path, bytes: &[u8]) -> CmdResult<()> {
    let tmp = dest.with_extension("runsheet-tmp");
    std::fs::write(&tmp, bytes).map_err(|e| WireError::io(format_args!("writing {}", tmp.display()), &e))?;
    std::fs::rename(&tmp, dest).map_err(|e| WireError::io(format_args!("writing {}", dest.display()), &e))
}

fn verify(bytes: &[u8]) -> CmdResult<VerifyResult> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(WireError::invalid("not a PDF file"));
    }
    let r = runsheet_report::verify_pdf(bytes)?;
    let sig = r.signatures.last();
    let log = r.run_log.as_ref();
    let mut messages = r.problems.clone();
    if let Some(l) = log {
        messages.extend(l.problems.iter().cloned());
        messages.push(format!("attached run log: {} events, hash chain {}", l.events, if l.dag_ok { "intact" } else { "BROKEN" }));
    }
    if !r.covers_whole_file {
        messages.push("the signature does not cover the whole file: it was changed after signing".into());
    }
    Ok(VerifyResult {
        intact: r.ok && r.covers_whole_file,
        signer: sig.map(|s| s.signer.clone()),
        fingerprint: sig.map(|s| s.fingerprint.clone()),
        // RFC 3339 for the UI to format; the raw text when it is not a well-formed PDF date.
        signed_at: sig.and_then(|s| s.signed_at().map(|t| t.to_rfc3339()).or_else(|| s.signing_time.clone())),
        run_title: None,
        head_hash: log.and_then(|l| l.heads.first().cloned()),
        messages,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn verify_pdf_file(path: String) -> CmdResult<VerifyResult> {
    let p = absolute("path", &path)?;
    tokio::task::spawn_blocking(move || {
        let meta = std::fs::metadata(&p).map_err(|e| WireError::io(format_args!("reading {}", p.display()), &e))?;
        if meta.len() as usize > MAX_PDF_BYTES {
            return Err(WireError::invalid(format!("{} is larger than 64 MiB", p.display())));
        }
        let bytes = std::fs::read(&p).map_err(|e| WireError::io(format_args!("reading {}", p.display()), &e))?;
        verify(&bytes)
    })
    .await?
}

#[tauri::command]
#[specta::specta]
pub async fn verify_pdf_bytes(file_name: String, base64: String) -> CmdResult<VerifyResult> {
    let name = required("file_name", &file_name)?;
    if base64.len() > MAX_PDF_BYTES / 3 * 4 + 4 {
        return Err(WireError::invalid(format!("{name} is larger than 64 MiB")));
    }
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|e| WireError::invalid(format!("{name}: not base64: {e}")))?;
    tokio::task::spawn_blocking(move || verify(&bytes)).await?
}

#[tauri::command]
#[specta::specta]
pub fn open_path(path: String, exported: State<'_, Exported>) -> CmdResult<()> {
    let p = absolute("path", &path)?;
    if !exported.contains(&p) {
        return Err(WireError::not_found(format!("{} was not exported by Runsheet in this session", p.display())));
    }
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("explorer");
        c.arg(&p);
        c
    } else {
        let mut c = std::process::Command::new(opener);
        c.arg(&p);
        c
    };
    cmd.spawn().map(drop).map_err(|e| WireError::io(format_args!("opening {}", p.display()), &e))
}
