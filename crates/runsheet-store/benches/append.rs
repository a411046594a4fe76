//! Event append latency against a real database file (WAL, synchronous=FULL, the same `Store::append` the CLI
//! and the desktop use), for runs of a realistic size. Not a timed test: run `cargo bench -p runsheet-store` and
//! read the figures. `RUNSHEET_BENCH_DIR` chooses the directory (default: the system temp dir, often tmpfs-free
//! disk; put it on the disk you care about).

use std::time::{Duration, Instant};

use chrono::Utc;
use runsheet_core::checklist::{Checklist, Item, Phase, Section};
use runsheet_core::event::{EventBody, ItemState};
use runsheet_store::{NewRun, Store};

fn checklist(n: usize) -> Checklist {
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
                        text: format!("Item {i} of phase {p}: check the thing and write down what you saw"),
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
    Checklist { title: "bench".into(), metadata: Default::default(), phases, signoffs: vec![], contacts: vec![] }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn main() {
    let base = std::env::var_os("RUNSHEET_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("runsheet-append-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    for (items, events) in [(150usize, 1000usize), (1000, 1000)] {
        let db = dir.join(format!("bench-{items}.db"));
        let store = Store::open(&db).expect("open");
        let cl = store.insert_checklist("bench.md", "# bench\n", &checklist(items), Utc::now()).expect("checklist");
        let run = store
            .create_run(
                NewRun { checklist_id: cl.id, title: "bench".into(), operator: "bench".into(), ..Default::default() },
                Utc::now(),
            )
            .expect("run");
        let ids: Vec<String> = checklist(items).items().iter().map(|(_, _, i)| i.id.clone()).collect();
        let mut times = Vec::with_capacity(events);
        let start = Instant::now();
        for n in 0..events {
            let body = EventBody::ItemSet {
                item: ids[n % ids.len()].clone(),
                state: if n % 2 == 0 { ItemState::Done } else { ItemState::Failed },
                reason: None,
                note: Some(format!("note {n}")),
            };
            let t = Instant::now();
            store.append(&run, "bench", body, Utc::now()).expect("append");
            times.push(t.elapsed());
        }
        let total = start.elapsed();
        times.sort();
        let ok = store.verify(Some(&run)).expect("verify").ok();
        println!(
            "append: {items}-item run, {events} events: p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms  total {:.2} s  verify {}",
            pct(&times, 0.50),
            pct(&times, 0.95),
            pct(&times, 1.0),
            total.as_secs_f64(),
            if ok { "ok" } else { "FAILED" }
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
