//! `runsheet checklist import FILE` and `runsheet checklist list [--json]`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use crate::cmd::{print_json, read_checklist_file};
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a Markdown checklist into the library; prints its id.
    Import { file: PathBuf },
    /// List imported checklists.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Import { file } => {
            let summary = import(&file, ctx)?;
            println!("{}", summary.id);
            Ok(())
        }
        Command::List { json } => {
            let list = ctx.store()?.list_checklists()?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!("no checklists yet: runsheet checklist import FILE");
            }
            for c in list {
                println!("{}  {}  ({} items, {})", c.id, c.title, c.items, c.file_name);
            }
            Ok(())
        }
    }
}

/// Import a checklist file into the library (parsing it first, so a bad file never reaches the database).
pub fn import(file: &std::path::Path, ctx: &Ctx) -> Result<runsheet_store::ChecklistSummary> {
    let (name, source, checklist) = read_checklist_file(file)?;
    Ok(ctx.store()?.insert_checklist(&name, &source, &checklist, ctx.now())?)
}
