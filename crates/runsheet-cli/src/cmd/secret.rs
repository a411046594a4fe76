//! `runsheet secret set|list|rm` (owned by the probes engineer; stub until issue 3 lands).

use anyhow::{bail, Result};
use clap::Subcommand;

use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store a secret; the value is read from stdin or a no-echo prompt, never from argv.
    Set { name: String },
    /// List secret names (never values).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a secret.
    Rm { name: String },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> Result<()> {
    let _ = cmd;
    bail!("`runsheet secret` is not implemented yet")
}
