//! `runsheet verify [RUN | FILE.db | FILE.pdf | FILE.json]`: check hash chains (and a PDF's signature); exit non-zero
//! naming the first problem. The app checks and recognises a file by its first bytes; this file prints the result.

use std::path::Path;

use anyhow::{bail, Result};

use runsheet_app::verify::{DatabaseReport, LogCheck, PdfReport, Verified};

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
    let app = ctx.app()?;
    let verified = match args.target.as_deref() {
        None => app.verify_store(None)?,
        Some(target) if Path::new(target).is_file() => app.verify_file(Path::new(target))?,
        Some(run) => app.verify_store(Some(run))?,
    };
    match &verified {
        Verified::Database(r) => database(r, args.json)?,
        Verified::Pdf(r) => pdf(r, args.json)?,
        Verified::Log(l) => log(l, args.json)?,
    }
    if let Some(problem) = verified.problem() {
        match (&verified, args.target) {
            (Verified::Pdf(_), Some(file)) => bail!("{file} does not verify: {problem}"),
            _ => bail!(problem),
        }
    }
    Ok(())
}

fn database(r: &DatabaseReport, json: bool) -> Result<()> {
    if json {
        return print_json(r);
    }
    for run in &r.runs {
        match &run.problem {
            None => println!("ok    {}  {} events  {}", run.run_id, run.events, run.title),
            Some(p) => println!("BAD   {}  {}", run.run_id, p),
        }
    }
    if r.runs.is_empty() {
        println!("no runs in {}", r.database);
    }
    Ok(())
}

/// The signatures, their coverage and the attached run log: who signed, and what does not hold.
fn pdf(r: &PdfReport, json: bool) -> Result<()> {
    if json {
        return print_json(r);
    }
    for s in &r.signatures {
        let ok = s.digest_matches && s.signature_valid;
        println!(
            "{} signature by {} (certificate sha-256 {}){}",
            if ok { "ok   " } else { "BAD  " },
            s.signer,
            s.fingerprint,
            s.signed_at()
                .map(|t| format!(", signed {}", t.to_rfc3339()))
                .or_else(|| s.signing_time.as_deref().map(|t| format!(", signed {t}")))
                .unwrap_or_default()
        );
    }
    println!("{} signature covers the whole file", if r.covers_whole_file { "ok   " } else { "BAD  " });
    if let Some(l) = &r.run_log {
        println!(
            "{} attached run log: {} events, run {}, head {}",
            if l.dag_ok { "ok   " } else { "BAD  " },
            l.events,
            l.run_id.as_deref().unwrap_or("-"),
            l.heads.join(" ")
        );
        // Checked from the attached log alone: each event's author signature against the run's members.
        if !l.authors.is_empty() {
            println!("ok    {} event signatures verified against the run's member certificates", l.authors.len());
        }
    }
    for p in &r.problems {
        println!("problem: {p}");
    }
    Ok(())
}

/// A JSON run log: printed only when it verifies (otherwise the error says why).
fn log(l: &LogCheck, json: bool) -> Result<()> {
    if !l.ok {
        return Ok(());
    }
    if json {
        print_json(&serde_json::json!({
            "run_id": l.run_id,
            "format": l.format,
            "events": l.events,
            "heads": l.heads,
            "ok": true,
        }))
    } else {
        println!("ok    {}  {} events  head {}", l.run_id, l.events, l.heads.join(","));
        Ok(())
    }
}
