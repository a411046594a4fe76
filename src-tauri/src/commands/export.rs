//! Export and verify commands: a run as signed PDF, Markdown or JSON to the path the user chose in a save dialog;
//! verifying a PDF (a path, or dropped bytes); opening an exported file with the OS default app.
//!
//! Left out: rendering, signing and verification (runsheet-app `export`, `verify`, `view::pdf_check`).
//! `open_path` only opens files this app exported in this session, so the webview cannot launch arbitrary files.

use std::sync::{Arc, Mutex};

use runsheet_app::export::{Format, Paper};
use runsheet_app::verify::{verify_bytes, Verified};
use runsheet_app::view::{pdf_check, PdfCheck};
use runsheet_app::App;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::state::{blocking, lock, Exported, PaperSize, Settings};
use crate::wire::{absolute, required, CmdResult, WireError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Pdf,
    Md,
    Json,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportResult {
    pub path: String,
    pub bytes: f64,
    pub signed: bool,
    pub head_hash: String,
}

/// PDFs larger than this are refused for verification (a deployment log is a few hundred KB).
const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

#[tauri::command]
#[specta::specta]
pub async fn export_run(
    run_id: String,
    format: ExportFormat,
    path: String,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
    exported: State<'_, Exported>,
) -> CmdResult<ExportResult> {
    let run = required("run_id", &run_id)?;
    let dest = absolute("path", &path)?;
    let paper = match lock(&settings, "settings")?.paper_size {
        PaperSize::A4 => Paper::A4,
        PaperSize::Letter => Paper::Letter,
    };
    let format = match format {
        ExportFormat::Pdf => Format::Pdf,
        ExportFormat::Md => Format::Md,
        ExportFormat::Json => Format::Json,
    };
    let file = dest.clone();
    let out = blocking(&app, move |a| a.export_to(&run, format, paper, &file)).await?;
    exported.add(&dest);
    Ok(ExportResult {
        path: dest.display().to_string(),
        bytes: out.bytes.len() as f64,
        signed: out.signer.is_some(),
        head_hash: out.head_hash.unwrap_or_default(),
    })
}

fn pdf_only(v: Verified) -> CmdResult<PdfCheck> {
    match v {
        Verified::Pdf(r) => Ok(pdf_check(&r)),
        Verified::Database(_) | Verified::Log(_) => Err(WireError::invalid("not a PDF file")),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn verify_pdf_file(path: String) -> CmdResult<PdfCheck> {
    let p = absolute("path", &path)?;
    // Read here rather than `App::verify_file`, which also opens databases: this screen checks PDFs only, and a
    // file that is not one must never be opened (and migrated) as a store.
    let bytes = tokio::task::spawn_blocking(move || -> runsheet_app::Result<(String, Vec<u8>)> {
        let what = || format!("reading {}", p.display());
        let meta = std::fs::metadata(&p).map_err(|e| runsheet_app::Error::io(what(), &e))?;
        if meta.len() > MAX_PDF_BYTES as u64 {
            return Err(runsheet_app::Error::invalid(format!("{} is larger than 64 MiB", p.display())));
        }
        Ok((p.display().to_string(), std::fs::read(&p).map_err(|e| runsheet_app::Error::io(what(), &e))?))
    });
    let (name, bytes) = bytes.await??;
    check_pdf(name, bytes).await
}

async fn check_pdf(name: String, bytes: Vec<u8>) -> CmdResult<PdfCheck> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(WireError::invalid(format!("{name} is not a PDF file")));
    }
    pdf_only(tokio::task::spawn_blocking(move || verify_bytes(&name, &bytes)).await??)
}

#[tauri::command]
#[specta::specta]
pub async fn verify_pdf_bytes(file_name: String, base64: String) -> CmdResult<PdfCheck> {
    let name = required("file_name", &file_name)?;
    if base64.len() > MAX_PDF_BYTES / 3 * 4 + 4 {
        return Err(WireError::invalid(format!("{name} is larger than 64 MiB")));
    }
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|e| WireError::invalid(format!("{name}: not base64: {e}")))?;
    check_pdf(name, bytes).await
}

#[tauri::command]
#[specta::specta]
pub fn open_path(path: String, exported: State<'_, Exported>) -> CmdResult<()> {
    let p = absolute("path", &path)?;
    if !exported.contains(&p) {
        return Err(WireError::not_found(format!("{} was not exported by Runsheet in this session", p.display())));
    }
    let opener = if cfg!(target_os = "macos") { "open" } else if cfg!(windows) { "explorer" } else { "xdg-open" };
    std::process::Command::new(opener)
        .arg(&p)
        .spawn()
        .map(drop)
        .map_err(|e| runsheet_app::Error::io(format!("opening {}", p.display()), &e).into())
}
