//! `runsheet inspect FILE [--json] [--suggest]`: parse a checklist file and print its tree (no database needed).

use std::path::PathBuf;

use anyhow::Result;

use runsheet_core::{Checklist, Item};

use crate::cmd::read_checklist_file;
use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
    /// Also print suggested probes for items (implemented by the probes engineer in cmd/probe.rs).
    #[arg(long)]
    pub suggest: bool,
}

pub fn run(args: Args, _ctx: &Ctx) -> Result<()> {
    let (_, _, checklist) = read_checklist_file(&args.file)?;
    if args.suggest {
        return crate::cmd::probe::inspect_suggest(&checklist, args.json);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&checklist)?);
    } else {
        print!("{}", tree(&checklist));
    }
    Ok(())
}

/// The human-readable tree: phases, sections, items with their ids and lines, sign-offs.
pub fn tree(c: &Checklist) -> String {
    fn item(out: &mut String, it: &Item, depth: usize) {
        let mark = if it.checked { "x" } else { " " };
        out.push_str(&format!("{}- [{mark}] {}  ({} , line {})\n", "  ".repeat(depth + 2), it.text, it.id, it.line));
        for cmd in &it.commands {
            out.push_str(&format!("{}$ {}\n", "  ".repeat(depth + 4), cmd.text.lines().next().unwrap_or("")));
        }
        for p in &it.probes {
            out.push_str(&format!("{}probe: {}\n", "  ".repeat(depth + 4), p.spec.check.kind()));
        }
        for ch in &it.children {
            item(out, ch, depth + 1);
        }
    }
    let mut out = format!("# {}\n", c.title);
    for p in &c.phases {
        out.push_str(&format!("## {}{}\n", p.title, if p.rollback { "  [rollback]" } else { "" }));
        for s in &p.sections {
            if !s.title.is_empty() {
                out.push_str(&format!("  ### {}\n", s.title));
            }
            for it in &s.items {
                item(&mut out, it, 0);
            }
        }
    }
    if !c.signoffs.is_empty() {
        out.push_str("sign-offs:\n");
        for s in &c.signoffs {
            out.push_str(&format!("  {} (line {})\n", s.role, s.line));
        }
    }
    out
}
