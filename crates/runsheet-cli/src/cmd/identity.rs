//! `runsheet identity show|create|import|export-cert` (owned by the report engineer; stub until issue 4).

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Subcommand;

use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the signing identity (subject, fingerprint, validity).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Create a self-signed identity.
    Create,
    /// Import an identity from a PKCS#12 file.
    Import { file: PathBuf },
    /// Write the certificate (PEM) to FILE.
    ExportCert { file: PathBuf },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> Result<()> {
    let _ = cmd;
    bail!("`runsheet identity` is not implemented yet")
}
