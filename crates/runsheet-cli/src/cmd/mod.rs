//! One module per command domain. Each exposes a clap `Args`/`Subcommand` type and
//! `pub fn run(args, ctx: &Ctx) -> anyhow::Result<()>`; `main.rs` only dispatches.
//!
//! Owners: store engineer (inspect, checklist, run, verify, backup, bench), probes engineer (probe, secret),
//! report engineer (signoff, identity, pdf).

pub mod backup;
pub mod bench;
pub mod checklist;
pub mod identity;
pub mod inspect;
pub mod pdf;
pub mod probe;
pub mod run;
pub mod secret;
pub mod signoff;
pub mod verify;

use std::path::Path;

use anyhow::{Context, Result};

use runsheet_core::Checklist;

/// Read and parse a checklist file: (file name, source, parsed). Non-UTF-8 files are a clear error.
pub fn read_checklist_file(path: &Path) -> Result<(String, String, Checklist)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading checklist {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    // The importer decodes UTF-8 (with or without BOM), UTF-16 with a BOM and Latin-1, and refuses binary files.
    let source = runsheet_core::import::decode_text(&name, &bytes).with_context(|| format!("reading {}", path.display()))?;
    let checklist = runsheet_core::import::parse(&name, &source).with_context(|| format!("parsing {}", path.display()))?;
    Ok((name, source, checklist))
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
