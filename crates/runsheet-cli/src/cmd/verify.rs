//! `runsheet verify [RUN | FILE.db | FILE.pdf | FILE.json]`: check hash chains; exit non-zero naming the first
//! bad event. A `.pdf` goes to the report engineer's `pdf.rs`; a JSON run log (from `run export --format json`) and
//! another database file (a backup) are checked here, the log with runsheet-report's run log reader.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use runsheet_store::{Store, VerifyReport};

use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run id (or prefix), a database file (e.g. a backup), a signed PDF or a JSON run log; every run in the
    /// database when omitted.
    pub target: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let Some(target) = args.target else {
        return report(ctx.store()?.verify(None)?, args.json);
    };
    let path = Path::new(&target);
    if path.is_file() {
        let mut head = [0u8; 16];
        let n = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .with_context(|| format!("reading {}", path.display()))?;
        let head = &head[..n];
        if head.starts_with(b"%PDF") {
            return crate::cmd::pdf::verify(PathBuf::from(path), ctx);
        }
        if head.starts_with(b"SQLite format 3") {
            let store = Store::open(path)?;
            return report(store.verify(None)?, args.json);
        }
        return verify_json_log(path, args.json);
    }
    let run_id = ctx.resolve_run(&target)?;
    report(ctx.store()?.verify(Some(&run_id))?, args.json)
}

fn report(r: VerifyReport, json: bool) -> Result<()> {
    if json {
        print_json(&r)?;
    } else {
        for run in &r.runs {
            match &run.problem {
                None => println!("ok    {}  {} events  {}", run.run_id, run.events, run.title),
                Some(p) => println!("BAD   {}  {}", run.run_id, p),
            }
        }
        if r.runs.is_empty() {
            println!("no runs in {}", r.database);
        }
    }
    if let Some(bad) = r.first_problem() {
        let problem = bad.problem.as_ref().map(ToString::to_string).unwrap_or_default();
        bail!("run {} in {} does not verify: {problem}", bad.run_id, r.database);
    }
    Ok(())
}

/// A JSON run log as `run export --format json` writes it (`runsheet-run-log/2`, or `/1` from older builds), or a
/// bare array of events: checked by the same code that checks a PDF's attached log.
fn verify_json_log(path: &Path, json: bool) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
        bail!("{} is not a PDF, database or JSON run log", path.display());
    }
    let check = runsheet_report::verify::check_run_log(&bytes);
    if !check.problems.is_empty() {
        bail!("run log {} does not verify: {}", path.display(), check.problems.join("; "));
    }
    let run_id = check.run_id.unwrap_or_default();
    if json {
        print_json(&serde_json::json!({
            "run_id": run_id,
            "format": check.format,
            "events": check.events,
            "heads": check.heads,
            "ok": true,
        }))?;
    } else {
        println!("ok    {run_id}  {} events  head {}", check.events, check.heads.join(","));
    }
    Ok(())
}
