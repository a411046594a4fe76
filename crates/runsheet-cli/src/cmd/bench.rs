//! Hidden `runsheet bench`: event append latency against a real database file in a temporary directory
//! (WAL, synchronous=FULL, the same `Store::append` the commands use). Prints p50/p95/max.

use std::time::Instant;

use anyhow::{Context, Result};

use runsheet_core::checklist::{Checklist, Item, Phase, Section};
use runsheet_core::event::{EventBody, ItemState};
use runsheet_store::{NewRun, Store};

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

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("runsheet-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);
    let store = Store::open(&db)?;
    let checklist = generated(args.items.max(1));
    let cl = store.insert_checklist("bench.md", "# bench\n", &checklist, ctx.now())?;
    let run_id = store.create_run(
        NewRun { checklist_id: cl.id, title: "bench".into(), operator: "bench".into(), ..Default::default() },
        ctx.now(),
    )?;
    let ids: Vec<String> = checklist.items().iter().map(|(_, _, i)| i.id.clone()).collect();
    let mut times = Vec::with_capacity(args.events);
    let total = Instant::now();
    for n in 0..args.events {
        let body = EventBody::ItemSet {
            item: ids[n % ids.len()].clone(),
            state: if n % 2 == 0 { ItemState::Done } else { ItemState::Pending },
            reason: None,
            note: Some(format!("note {n}")),
        };
        let t = Instant::now();
        store.append(&run_id, "bench", body, ctx.now())?;
        times.push(t.elapsed());
    }
    let elapsed = total.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let report = store.verify(Some(&run_id))?;
    println!(
        "event append ({} events, {}-item run, file-backed WAL, synchronous=FULL, {}): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms, total {:.2} s; verify {}",
        times.len(),
        ids.len(),
        db.display(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        times.last().map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
        elapsed.as_secs_f64(),
        if report.ok() { "ok" } else { "FAILED" },
    );
    drop(store);
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// A checklist of `n` items in 3 phases, built in code (the bench measures the store, not the importer).
fn generated(n: usize) -> Checklist {
    let per = n.div_ceil(3);
    let phases = (0..3)
        .map(|p| Phase {
            id: format!("p{p}"),
            title: format!("Phase {p}"),
            line: 0,
            timing: None,
            rollback: false,
            sections: vec![Section {
                id: format!("p{p}-s"),
                title: String::new(),
                line: 0,
                level: 0,
                timing: None,
                rollback: false,
                items: (0..per)
                    .filter(|i| p * per + i < n)
                    .map(|i| Item {
                        id: format!("p{p}-i{i}"),
                        line: (p * per + i + 1) as u32,
                        text: format!("Item {i} of phase {p}"),
                        checked: false,
                        children: vec![],
                        commands: vec![],
                        probes: vec![],
                    })
                    .collect(),
                commands: vec![],
            }],
        })
        .collect();
    Checklist { title: "bench".into(), metadata: Default::default(), phases, signoffs: vec![] }
}
