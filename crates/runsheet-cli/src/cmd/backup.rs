//! `runsheet backup FILE`: an online backup of the database (SQLite backup API) that `verify` accepts.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub file: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    let db = app.db_path();
    app.backup(&args.file).with_context(|| format!("backing up {}", db.display()))?;
    println!("backed up {} to {}", db.display(), args.file.display());
    Ok(())
}
