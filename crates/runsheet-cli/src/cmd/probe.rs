//! `runsheet probe run|check|arm` (owned by the probes engineer; stub until issue 3 lands).

use anyhow::{bail, Result};
use clap::Subcommand;

use runsheet_core::Checklist;

use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the probes of a run (all of them when no item is given) and record their evidence.
    Run {
        run: String,
        items: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run a checklist file's probes without a run (preflight).
    Check {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Arm the shell probes of an item for a run.
    Arm { run: String, item: String },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> Result<()> {
    let _ = cmd;
    bail!("`runsheet probe` is not implemented yet")
}

/// `runsheet inspect FILE --suggest`: print suggested probes for the checklist's items (called by inspect.rs).
pub fn inspect_suggest(checklist: &Checklist, json: bool) -> Result<()> {
    let _ = (checklist, json);
    bail!("`runsheet inspect --suggest` is not implemented yet")
}
