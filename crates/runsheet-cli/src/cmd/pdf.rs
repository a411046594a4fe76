//! `runsheet run export RUN --format pdf` and `runsheet verify FILE.pdf`. `cmd/run.rs` and `cmd/verify.rs`
//! dispatch here. The PDF is signed with the exporter's identity from the OS keyring.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

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
    let Some(output) = output else {
        bail!("a PDF is binary: give the output file with -o FILE.pdf");
    };
    let identity = crate::cmd::identity::load()?;
    let state = ctx.store()?.run_state(run_id)?;
    let paper = match paper {
        Paper::A4 => runsheet_report::Paper::A4,
        Paper::Letter => runsheet_report::Paper::Letter,
    };
    let pdf = runsheet_report::export_signed_pdf(&state, &identity, ctx.now(), runsheet_report::ExportOptions { paper })
        .with_context(|| format!("exporting run {run_id} as PDF"))?;
    std::fs::write(&output, &pdf).with_context(|| format!("writing {}", output.display()))?;
    println!(
        "wrote {} ({} KB, {} events, signed by {} sha-256 {})",
        output.display(),
        pdf.len().div_ceil(1024),
        state.timeline.len(),
        identity.subject(),
        identity.fingerprint()
    );
    Ok(())
}

/// Called by `runsheet verify FILE.pdf`: check the signature and the attached log; say who signed.
pub fn verify(file: PathBuf, _ctx: &Ctx) -> Result<()> {
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let r = runsheet_report::verify_pdf(&bytes).with_context(|| format!("verifying {}", file.display()))?;
    if std::env::args().any(|a| a == "--json") {
        crate::cmd::print_json(&r)?;
    } else {
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
        }
        for p in &r.problems {
            println!("problem: {p}");
        }
    }
    if !r.ok {
        bail!("{} does not verify: {}", file.display(), r.problems.first().map(String::as_str).unwrap_or("unknown problem"));
    }
    Ok(())
}
