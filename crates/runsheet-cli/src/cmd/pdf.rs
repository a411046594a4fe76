//! `runsheet run export RUN --format pdf` and `runsheet verify FILE.pdf` (owned by the report engineer; stub until
//! issue 4). `cmd/run.rs` and `cmd/verify.rs` dispatch here.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::ctx::Ctx;

/// Paper size of the PDF report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// Called by `runsheet run export RUN --format pdf -o FILE [--paper a4|letter]`.
/// `run_id` is already resolved from a prefix to the full id.
pub fn export(run_id: &str, output: Option<PathBuf>, paper: Paper, ctx: &Ctx) -> Result<()> {
    let _ = (run_id, output, paper, ctx);
    bail!("`runsheet run export --format pdf` is not implemented yet")
}

/// Called by `runsheet verify FILE.pdf`: check the signature and the attached log; say who signed.
pub fn verify(file: PathBuf, ctx: &Ctx) -> Result<()> {
    let _ = (file, ctx);
    bail!("`runsheet verify FILE.pdf` is not implemented yet")
}
