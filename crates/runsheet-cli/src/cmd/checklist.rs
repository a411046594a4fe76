//! `runsheet checklist import FILE` and `runsheet checklist list [--json]`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use crate::cmd::print_json;
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
            // Parsed before anything is stored, so a bad file never reaches the database.
            let summary = ctx.app()?.import_file(&file)?;
            println!("{}", summary.id);
            Ok(())
        }
        Command::List { json } => {
            let list = ctx.app()?.stored_checklists()?;
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
