//! The store's side of team runs: per-device numbering bookkeeping (`known_seqs`), the outbox of events not yet
//! acknowledged by the team server, shared-run records, the settings team sync keeps, and `merge_events`, which
//! stores events made on other laptops as a set union.
//!
//! What it deliberately leaves out: cryptography and membership. The store signs new events only through the
//! signer the application installs ([`Store::set_signer`]), and `merge_events` checks structure only (hash,
//! parents, Lamport counters, run ids, numbering); the application checks signatures and membership before it
//! hands events here. Nothing here talks to a network.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use runsheet_core::event::{Event, EventAuthor, EventBody};
use runsheet_core::run::RunState;

use crate::checklists::parse_time;
use crate::error::{Result, StoreError};
use crate::runs::{insert_event, load_events, row_to_event, EVENT_COLUMNS};
use crate::Store;

/// Signs a new event (its hash, `device_seq` already set): the application builds it from the identity, so the
/// store stays free of crypto. An `Err` message says why signing failed; the event is then not recorded.
pub type Signer = Box<dyn Fn(&Event) -> std::result::Result<EventAuthor, String> + Send>;

/// A run shared with a team, as `team status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedRun {
    pub run_id: String,
    pub title: String,
    pub shared_at: DateTime<Utc>,
    /// The highest of this device's `device_seq` the server acknowledged for this run.
    pub pushed_seq: u64,
    /// How many of this device's events of the run wait to be pushed.
    pub outbox: u64,
    /// When the run last synced without error.
    pub last_sync: Option<DateTime<Utc>>,
    /// The error of the latest sync attempt, if it failed (cleared by a successful one).
    pub last_error: Option<String>,
    /// When that failed attempt was made.
    pub last_error_at: Option<DateTime<Utc>>,
}

/// What [`Store::merge_events`] did with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MergeOutcome {
    /// Events new to this store, now stored.
    pub stored: usize,
    /// Events this store already held (same id, same hash), or repeated within the batch.
    pub known: usize,
}

/// The setting that holds the device id: made once, never changed through [`Store::settings_set`].
const DEVICE_ID_KEY: &str = "device_id";

impl Store {
    /// Sign every event this store writes from now on (`create_run`, `append`), after its `device_seq` is set and
    /// before it is inserted. `None` stops signing.
    pub fn set_signer(&mut self, signer: Option<Signer>) {
        self.signer = signer;
    }

    /// Whether new events are signed.
    pub fn has_signer(&self) -> bool {
        self.signer.is_some()
    }

    /// Whether someone joined the run (it holds a `member_joined` event): a shared run.
    pub fn is_shared(&self, run_id: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE run_id = ?1 AND kind = 'member_joined')",
                [run_id],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }

    /// The first `member_joined` event `device` wrote in the run (a device introduces only itself), if any.
    pub fn member_joined(&self, run_id: &str, device: &str) -> Result<Option<Event>> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events
                     WHERE run_id = ?1 AND device = ?2 AND kind = 'member_joined' ORDER BY lamport, id LIMIT 1"
                ),
                params![run_id, device],
                row_to_event,
            )
            .optional()
            .map_err(|e| self.sql_err(e))?;
        row.transpose()
    }

    /// The highest `device_seq` held for the run, per device (devices with only unnumbered events are left out).
    /// An unknown run gives an empty map: a pull then asks for everything.
    pub fn known_seqs(&self, run_id: &str) -> Result<BTreeMap<String, u64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT device, MAX(device_seq) FROM events WHERE run_id = ?1 AND device_seq IS NOT NULL GROUP BY device",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([run_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.sql_err(e))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (device, seq) = row.map_err(|e| self.sql_err(e))?;
            out.insert(device, u64::try_from(seq).unwrap_or(0));
        }
        Ok(out)
    }

    /// This device's numbered events of the run above the run's pushed mark, in `device_seq` order. For a run
    /// that is not shared the mark is 0 (every numbered event); for an unknown run the outbox is empty.
    pub fn outbox(&self, run_id: &str) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE run_id = ?1 AND device = ?2 AND device_seq IS NOT NULL
                   AND device_seq > COALESCE((SELECT pushed_seq FROM shared_runs WHERE run_id = ?1), 0)
                 ORDER BY device_seq"
            ))
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt.query_map(params![run_id, self.device], row_to_event).map_err(|e| self.sql_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(|e| self.sql_err(e))??);
        }
        Ok(out)
    }

    /// Record that the server holds this device's events of the run up to `up_to_seq`. The mark never goes down:
    /// a late acknowledgement of an older push changes nothing. The run must be shared.
    pub fn ack_pushed(&self, run_id: &str, up_to_seq: u64) -> Result<()> {
        let seq = i64::try_from(up_to_seq).unwrap_or(i64::MAX);
        let mut changed = 0;
        self.write(|tx| {
            changed = tx.execute(
                "UPDATE shared_runs SET pushed_seq = MAX(pushed_seq, ?2) WHERE run_id = ?1",
                params![run_id, seq],
            )?;
            Ok(())
        })?;
        self.require_shared(run_id, changed)
    }

    /// Mark the run shared with the team (idempotent: sharing again keeps the first time and the pushed mark).
    pub fn mark_shared(&self, run_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.write_store(|tx| {
            let exists: bool = tx
                .query_row("SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)", [run_id], |r| r.get(0))
                .map_err(|e| self.sql_err(e))?;
            if !exists {
                return Err(StoreError::NotFound { what: "run", id: run_id.to_string() });
            }
            tx.execute(
                "INSERT OR IGNORE INTO shared_runs (run_id, shared_at) VALUES (?1, ?2)",
                params![run_id, now.to_rfc3339()],
            )
            .map_err(|e| self.sql_err(e))?;
            Ok(())
        })
    }

    /// Every shared run, first shared first, with its outbox size and last sync.
    pub fn shared_runs(&self) -> Result<Vec<SharedRun>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.run_id, r.title, s.shared_at, s.pushed_seq, s.last_sync, s.last_error, s.last_error_at,
                        (SELECT COUNT(*) FROM events e WHERE e.run_id = s.run_id AND e.device = ?1
                            AND e.device_seq IS NOT NULL AND e.device_seq > s.pushed_seq)
                 FROM shared_runs s JOIN runs r ON r.id = s.run_id
                 ORDER BY s.shared_at, s.run_id",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([&self.device], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })
            .map_err(|e| self.sql_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (run_id, title, shared_at, pushed, last_sync, last_error, last_error_at, outbox) =
                row.map_err(|e| self.sql_err(e))?;
            out.push(SharedRun {
                run_id,
                title,
                shared_at: parse_time(&shared_at)?,
                pushed_seq: u64::try_from(pushed).unwrap_or(0),
                outbox: u64::try_from(outbox).unwrap_or(0),
                last_sync: last_sync.as_deref().map(parse_time).transpose()?,
                last_error,
                last_error_at: last_error_at.as_deref().map(parse_time).transpose()?,
            });
        }
        Ok(out)
    }

    /// Record a sync attempt of a shared run: with `error` `None` it succeeded at `at` (and clears the last
    /// error); with an error, `last_sync` keeps the last success and the error is kept with its time.
    pub fn record_sync(&self, run_id: &str, at: DateTime<Utc>, error: Option<&str>) -> Result<()> {
        let mut changed = 0;
        self.write(|tx| {
            changed = match error {
                None => tx.execute(
                    "UPDATE shared_runs SET last_sync = ?2, last_error = NULL, last_error_at = NULL WHERE run_id = ?1",
                    params![run_id, at.to_rfc3339()],
                )?,
                Some(err) => tx.execute(
                    "UPDATE shared_runs SET last_error = ?2, last_error_at = ?3 WHERE run_id = ?1",
                    params![run_id, err, at.to_rfc3339()],
                )?,
            };
            Ok(())
        })?;
        self.require_shared(run_id, changed)
    }

    fn require_shared(&self, run_id: &str, changed: usize) -> Result<()> {
        if changed == 0 {
            return Err(StoreError::NotFound { what: "shared run", id: run_id.to_string() });
        }
        Ok(())
    }

    /// A setting of this installation (the team URL, the member name...). Never a password: those go to the
    /// keyring.
    pub fn settings_get(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Set a setting (insert or replace). The device id is made once and cannot be changed here.
    pub fn settings_set(&self, key: &str, value: &str) -> Result<()> {
        if key == DEVICE_ID_KEY {
            return Err(StoreError::Refused {
                what: format!("setting `{key}`"),
                blockers: vec!["the device id is made once per database and never changed".into()],
            });
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                params![key, value],
            )?;
            Ok(())
        })
    }

    /// Store events made elsewhere (any device, any order within the batch) in one transaction, as a set union.
    ///
    /// Each event's hash is recomputed; an id already stored with the same hash is known (a replay stores
    /// nothing), with another hash it is a [`StoreError::Tamper`]. A new event's parents must be stored (in the
    /// same run) or in the batch, its Lamport counter must be 1 + the maximum of its parents', its run must be
    /// stored or created by a `run_created` in the batch, and its `(device, device_seq)` must not name another
    /// event. A run created by the batch gets its checklist added to the library (from the frozen copy) when
    /// this store lacks it. Events are inserted parents first, so `verify` reads them in a valid order, and the
    /// summaries of the touched runs are recomputed. Any refusal stores nothing.
    ///
    /// Signatures and membership are not checked here: the application does that before calling.
    pub fn merge_events(&self, events: Vec<Event>) -> Result<MergeOutcome> {
        let mut outcome = MergeOutcome::default();
        self.write_store(|tx| {
            outcome = self.merge_in(tx, events)?;
            Ok(())
        })?;
        // The cached fold may miss the merged events below its position; refold on next use.
        *self.cache.borrow_mut() = None;
        Ok(outcome)
    }

    fn merge_in(&self, tx: &Transaction<'_>, events: Vec<Event>) -> Result<MergeOutcome> {
        let sql = |e| self.sql_err(e);
        let refuse = |e: &Event, why: String| StoreError::Merge { id: e.id.clone(), why };
        let mut outcome = MergeOutcome::default();

        // 1. Intact events, each id once; a known id is either the same event (known) or a tamper alarm.
        let mut fresh: Vec<Event> = Vec::new();
        let mut by_id: HashMap<String, String> = HashMap::new();
        for e in events {
            if !e.verify_hash() {
                return Err(refuse(&e, "its hash does not match its content (the event was altered)".into()));
            }
            if let Some(h) = by_id.get(&e.id) {
                if *h != e.hash {
                    return Err(StoreError::Tamper { id: e.id.clone(), stored: h.clone(), received: e.hash.clone() });
                }
                outcome.known += 1;
                continue;
            }
            by_id.insert(e.id.clone(), e.hash.clone());
            let stored: Option<String> = tx
                .query_row("SELECT hash FROM events WHERE id = ?1", [&e.id], |r| r.get(0))
                .optional()
                .map_err(sql)?;
            match stored {
                Some(h) if h == e.hash => outcome.known += 1,
                Some(h) => return Err(StoreError::Tamper { id: e.id.clone(), stored: h, received: e.hash.clone() }),
                None => fresh.push(e),
            }
        }
        if fresh.is_empty() {
            return Ok(outcome);
        }

        // 2. Structure of every new event against the store and the rest of the batch.
        let batch: HashMap<&str, &Event> = fresh.iter().map(|e| (e.hash.as_str(), e)).collect();
        let mut creates: BTreeSet<&str> = BTreeSet::new();
        let mut numbers: HashMap<(&str, u64), &str> = HashMap::new();
        for e in &fresh {
            if let Some(seq) = e.device_seq {
                if let Some(other) = numbers.insert((e.device.as_str(), seq), e.id.as_str()) {
                    return Err(refuse(e, format!("device {} gave number {seq} to event {other} as well", e.device)));
                }
                let taken: Option<String> = tx
                    .query_row(
                        "SELECT id FROM events WHERE device = ?1 AND device_seq = ?2",
                        params![e.device, i64::try_from(seq).unwrap_or(i64::MAX)],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(sql)?;
                if let Some(other) = taken {
                    return Err(refuse(
                        e,
                        format!("device {} already gave number {seq} to stored event {other} (a forked or forged device)", e.device),
                    ));
                }
            }
            let run_stored: bool = tx
                .query_row("SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)", [&e.run_id], |r| r.get(0))
                .map_err(sql)?;
            if let EventBody::RunCreated { .. } = e.body {
                if !e.parents.is_empty() {
                    return Err(refuse(e, "a run_created event must have no parents".into()));
                }
                if run_stored || !creates.insert(e.run_id.as_str()) {
                    return Err(refuse(e, format!("run {} was already created by another event", e.run_id)));
                }
            } else if e.parents.is_empty() {
                return Err(refuse(e, "it has no parents but is not a run_created event".into()));
            }
            let mut expected = 1;
            for p in &e.parents {
                let (run, lamport) = match batch.get(p.as_str()) {
                    Some(parent) => (parent.run_id.clone(), parent.lamport),
                    None => {
                        let stored: Option<(String, i64)> = tx
                            .query_row("SELECT run_id, lamport FROM events WHERE hash = ?1", [p], |r| {
                                Ok((r.get(0)?, r.get(1)?))
                            })
                            .optional()
                            .map_err(sql)?;
                        let (run, lamport) = stored.ok_or_else(|| {
                            refuse(e, format!("its parent {p} is neither stored here nor in the batch"))
                        })?;
                        (run, u64::try_from(lamport).unwrap_or(0))
                    }
                };
                if run != e.run_id {
                    return Err(refuse(e, format!("it belongs to run {} but its parent {p} to run {run}", e.run_id)));
                }
                expected = expected.max(lamport + 1);
            }
            if e.lamport != expected {
                return Err(refuse(e, format!("its Lamport counter is {} where its parents make it {expected}", e.lamport)));
            }
        }
        for e in &fresh {
            let run_stored: bool = tx
                .query_row("SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)", [&e.run_id], |r| r.get(0))
                .map_err(sql)?;
            if !run_stored && !creates.contains(e.run_id.as_str()) {
                return Err(refuse(e, format!("run {} is not in this store and the batch does not create it", e.run_id)));
            }
        }

        // 3. Insert parents first: a parent's Lamport counter is below its children's, so fold order is a valid
        //    topological order, and a new run's run_created (counter 1) comes first.
        fresh.sort_by(|a, b| a.fold_key().cmp(&b.fold_key()));
        let mut added: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for e in &fresh {
            if let EventBody::RunCreated { title, checklist_id, checklist, .. } = &e.body {
                let parsed = serde_json::to_string(checklist)
                    .map_err(|source| StoreError::Json { what: format!("checklist {checklist_id}"), source })?;
                let source = runsheet_core::render::checklist_to_markdown(checklist);
                let source_hash = hex::encode(Sha256::digest(source.as_bytes()));
                tx.execute(
                    "INSERT OR IGNORE INTO checklists (id, title, file_name, source, source_hash, imported_at, parsed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        checklist_id,
                        checklist.title,
                        format!("received with run {}.md", e.run_id),
                        source,
                        source_hash,
                        e.at.to_rfc3339(),
                        parsed
                    ],
                )
                .map_err(sql)?;
                tx.execute(
                    "INSERT INTO runs (id, checklist_id, title, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![e.run_id, checklist_id, title.trim(), e.at.to_rfc3339()],
                )
                .map_err(sql)?;
            }
            insert_event(tx, e).map_err(sql)?;
            let entry = added.entry(e.run_id.clone()).or_insert((0, String::new()));
            entry.0 += 1;
            entry.1.clone_from(&e.hash);
            outcome.stored += 1;
        }

        // 4. Summaries of the touched runs, from a full fold (merged events may sort anywhere).
        for (run_id, (count, head)) in added {
            let events: Vec<Event> = load_events(tx, &run_id).map_err(sql)?.into_iter().collect::<Result<_>>()?;
            let state = RunState::fold(events)?;
            let progress = serde_json::to_string(&state.progress()).unwrap_or_else(|_| "{}".into());
            let updated = state.timeline.iter().map(|e| e.at).max().unwrap_or(state.meta.created_at);
            tx.execute(
                "UPDATE runs SET event_count = event_count + ?2, head = ?3, status = ?4, progress = ?5, updated_at = ?6
                 WHERE id = ?1",
                params![
                    run_id,
                    i64::try_from(count).unwrap_or(i64::MAX),
                    head,
                    state.status().as_str(),
                    progress,
                    updated.to_rfc3339()
                ],
            )
            .map_err(sql)?;
        }
        Ok(outcome)
    }
}
