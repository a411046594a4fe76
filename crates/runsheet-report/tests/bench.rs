//! Benchmark (ignored by default; run in release):
//! `cargo test --release -p runsheet-report --test bench -- --ignored --nocapture`
//! A 1,000-item run with evidence on every item → rendered, log attached, signed, then verified.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use runsheet_report::{export_signed_pdf, verify_pdf, ExportOptions, Identity, Paper};

#[test]
#[ignore = "benchmark: run explicitly in release"]
fn thousand_items_with_evidence_to_signed_pdf() {
    let events = common::run_with(124, true, true);
    let items = common::checklist(124).items().len();
    let id = Identity::generate("Bench", common::t0()).unwrap();
    let now = common::t0() + chrono::TimeDelta::hours(3);
    // Warm-up (font parsing caches, page faults), then the measured run.
    let _ = export_signed_pdf(&common::state(&events), &id, now, ExportOptions { paper: Paper::A4 }).unwrap();
    let t = Instant::now();
    let pdf = export_signed_pdf(&common::state(&events), &id, now, ExportOptions { paper: Paper::A4 }).unwrap();
    let export = t.elapsed();
    let t = Instant::now();
    let rep = verify_pdf(&pdf).unwrap();
    let verify = t.elapsed();
    assert!(rep.ok, "{:?}", rep.problems);
    let pages = pdf.windows(b"/Type/Page".len()).filter(|w| *w == b"/Type/Page").count();
    println!(
        "BENCH items={items} events={} export+sign={:.0} ms verify={:.0} ms size={} KB (~{pages} page objects)",
        events.len(),
        export.as_secs_f64() * 1000.0,
        verify.as_secs_f64() * 1000.0,
        pdf.len() / 1024
    );
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-1000.pdf"), &pdf).unwrap();
}
