//! The event append benchmark behind the hidden `runsheet bench`: a real database file (WAL, synchronous=FULL) in a
//! scratch directory, a run of a generated checklist, and the latency of each `Store::append` — the one write every
//! workflow ends in. Verified afterwards, so a fast but broken chain cannot pass for a good figure.
//!
//! Left out: printing (the CLI's) and the user's own database, which is never opened here: the benchmark writes its
//! own `bench.db`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use runsheet_core::checklist::{Checklist, Item, Phase, Section};
use runsheet_core::event::{Event, EventBody, ItemState};
use runsheet_report::{verify_event_author, Identity};
use runsheet_store::{NewRun, Store};

use crate::{Error, Result};

/// The scratch database's file name inside the benchmark directory.
pub const BENCH_DB: &str = "bench.db";

/// What one benchmark measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendLatency {
    /// The scratch database.
    pub db: PathBuf,
    /// Items in the generated checklist.
    pub items: usize,
    /// Every append's latency, sorted ascending (one per event).
    pub sorted: Vec<Duration>,
    /// Wall time of all appends together.
    pub total: Duration,
    /// The run's hash chain verified afterwards (and, when signed, every event's signature).
    pub verified: bool,
    /// Every append was signed (per-event author signature, as in a team run).
    pub signed: bool,
}

impl AppendLatency {
    /// The `p`-quantile (0 < p ≤ 1) of the append latencies (zero when nothing was appended).
    pub fn quantile(&self, p: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        // Nearest-rank: the smallest latency with at least p of all at or below it.
        let rank = (self.sorted.len() as f64 * p).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }

    /// The slowest append.
    pub fn max(&self) -> Duration {
        self.sorted.last().copied().unwrap_or(Duration::ZERO)
    }
}

/// Append `events` item changes to a fresh run of an `items`-item checklist in `dir/bench.db` (replaced if it
/// exists) and time each append.
pub fn append_latency(dir: &Path, events: usize, items: usize) -> Result<AppendLatency> {
    append_latency_with(dir, events, items, false)
}

/// [`append_latency`], with every event signed when `signed` (a throwaway identity made in memory, the signer
/// the app installs from a real one): the cost of per-event signatures is the difference of the two.
pub fn append_latency_with(dir: &Path, events: usize, items: usize, signed: bool) -> Result<AppendLatency> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), &e))?;
    let db = dir.join(BENCH_DB);
    for f in [db.clone(), db.with_extension("db-wal"), db.with_extension("db-shm")] {
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing the old {}", f.display()), &e)),
        }
    }
    let mut store = Store::open(&db)?;
    let identity = if signed { Some(Identity::generate("bench", Utc::now())?) } else { None };
    if let Some(id) = identity.clone() {
        store.set_signer(Some(Box::new(move |e: &Event| id.sign_event(e).map_err(|err| err.to_string()))));
    }
    let checklist = generated(items.max(1));
    let cl = store.insert_checklist("bench.md", "# bench\n", &checklist, Utc::now())?;
    let run_id = store.create_run(
        NewRun { checklist_id: cl.id, title: "bench".into(), operator: "bench".into(), ..Default::default() },
        Utc::now(),
    )?;
    let ids: Vec<String> = checklist.items().iter().map(|(_, _, i)| i.id.clone()).collect();
    let mut sorted = Vec::with_capacity(events);
    let total = Instant::now();
    for (n, item) in ids.iter().cycle().take(events).enumerate() {
        let body = EventBody::ItemSet {
            item: item.clone(),
            state: if n % 2 == 0 { ItemState::Done } else { ItemState::Pending },
            reason: None,
            note: Some(format!("note {n}")),
        };
        // The clock is read outside the timed span: the figure is the append alone.
        let at = Utc::now();
        let t = Instant::now();
        store.append(&run_id, "bench", body, at)?;
        sorted.push(t.elapsed());
    }
    let total = total.elapsed();
    sorted.sort();
    let mut verified = store.verify(Some(&run_id))?.ok();
    if let Some(id) = &identity {
        // Checked outside the timings: every event carries a signature that holds.
        verified &= store.events(&run_id)?.iter().all(|e| verify_event_author(e, id.cert_der()).is_ok());
    }
    Ok(AppendLatency { db, items: ids.len(), sorted, total, verified, signed })
}

/// A checklist of `n` items in 3 phases, built in code (the benchmark measures the store, not the importer).
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
                        line: u32::try_from(p * per + i + 1).unwrap_or(u32::MAX),
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
