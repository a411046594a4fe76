//! `runsheet signoff RUN ROLE` and `runsheet waive RUN ITEM` (owned by the report engineer; stub until issue 4).

use anyhow::{bail, Result};

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub run: String,
    pub role: String,
    /// Who signs (defaults to $RUNSHEET_OPERATOR, else the OS user name).
    #[arg(long = "as")]
    pub as_: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    pub run: String,
    pub item: String,
    #[arg(long)]
    pub reason: String,
    /// The approver (defaults to $RUNSHEET_OPERATOR, else the OS user name).
    #[arg(long = "as")]
    pub as_: Option<String>,
}

pub fn run(args: Args, _ctx: &Ctx) -> Result<()> {
    let _ = args;
    bail!("`runsheet signoff` is not implemented yet")
}

pub fn waive(args: WaiveArgs, _ctx: &Ctx) -> Result<()> {
    let _ = args;
    bail!("`runsheet waive` is not implemented yet")
}
