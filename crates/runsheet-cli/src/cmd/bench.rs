//! Hidden `runsheet bench`: event append latency against a real database file in a temporary directory
//! (WAL, synchronous=FULL, the same `Store::append` every command ends in), measured by `runsheet_app::bench`.
//! Prints p50/p95/max.

use anyhow::Result;

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of events to append.
    #[arg(long, default_value_t = 1000)]
    pub events: usize,
    /// Items in the generated checklist.
    #[arg(long, default_value_t = 150)]
    pub items: usize,
    /// Directory for the scratch database (default: a new directory under the system temp dir).
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
}

pub fn run(args: Args, _ctx: &Ctx) -> Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("runsheet-bench-{}", std::process::id()))
    });
    // Unsigned first, then the same appends each signed (team runs): the difference is the cost of signing.
    let plain = runsheet_app::bench::append_latency_with(&dir, args.events, args.items, false);
    let signed = plain.is_ok().then(|| runsheet_app::bench::append_latency_with(&dir, args.events, args.items, true));
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (plain, signed) = (plain?, signed.transpose()?);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "event append ({} events, {}-item run, file-backed WAL, synchronous=FULL, {}): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms, total {:.2} s; verify {}",
        plain.sorted.len(),
        plain.items,
        plain.db.display(),
        ms(plain.quantile(0.50)),
        ms(plain.quantile(0.95)),
        ms(plain.max()),
        plain.total.as_secs_f64(),
        if plain.verified { "ok" } else { "FAILED" },
    );
    if let Some(s) = signed {
        println!(
            "event append, each signed (ECDSA P-256): p50 {:.2} ms, p95 {:.2} ms ({:+.2} ms), max {:.2} ms, total {:.2} s; verify {}",
            ms(s.quantile(0.50)),
            ms(s.quantile(0.95)),
            ms(s.quantile(0.95)) - ms(plain.quantile(0.95)),
            ms(s.max()),
            s.total.as_secs_f64(),
            if s.verified { "ok" } else { "FAILED" },
        );
    }
    Ok(())
}
