//! Runs and their events: create a run (freezing its checklist), read a run's state by folding its events, and
//! append a validated event in one IMMEDIATE transaction that has committed (synchronous=FULL) before `append`
//! returns.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::Serialize;

use runsheet_core::event::{Event, EventBody, GateMode, Parent};
use runsheet_core::run::{Progress, RunState, RunStatus};
use runsheet_core::signoff;

use crate::checklists::{parse_checklist, parse_time};
use crate::error::{Result, StoreError};
use crate::Store;

/// What a new run needs besides its checklist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewRun {
    /// Checklist id or unique id prefix in the library.
    pub checklist_id: String,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// The operator creating the run (also the actor of its `run_created` event).
    pub operator: String,
}

/// A run in the list: metadata, status and progress, without folding its events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: String,
    pub title: String,
    pub checklist_id: String,
    pub created_at: DateTime<Utc>,
    /// Time of the last recorded event.
    pub updated_at: DateTime<Utc>,
    pub status: RunStatus,
    pub progress: Progress,
    pub events: u64,
    /// Hash of the last recorded event.
    pub head: Option<String>,
}

pub(crate) const EVENT_COLUMNS: &str = "id, run_id, device, lamport, parents, at, actor, body, hash, device_seq, author";

impl Store {
    /// Create a run from a library checklist: freezes a copy of it in the `run_created` event. Returns the run id.
    pub fn create_run(&self, new: NewRun, now: DateTime<Utc>) -> Result<String> {
        let checklist_id = self.resolve_checklist(&new.checklist_id)?;
        let parsed: String = self
            .conn
            .query_row("SELECT parsed FROM checklists WHERE id = ?1", [&checklist_id], |r| r.get(0))
            .map_err(|e| self.sql_err(e))?;
        let checklist = parse_checklist(&checklist_id, &parsed)?;
        let body = EventBody::RunCreated {
            title: new.title.trim().to_string(),
            version: new.version.filter(|v| !v.trim().is_empty()),
            environment: new.environment.filter(|v| !v.trim().is_empty()),
            window_start: new.window_start,
            window_end: new.window_end,
            operator: new.operator.trim().to_string(),
            checklist_id: checklist_id.clone(),
            checklist: Box::new(checklist),
        };
        RunState::check_new(&body)?;
        let run_id = uuid::Uuid::now_v7().to_string();
        let event = Event::new(
            uuid::Uuid::now_v7().to_string(),
            run_id.clone(),
            self.device.clone(),
            &[],
            now,
            new.operator.trim().to_string(),
            body,
        );
        self.write_store(|tx| {
            let event = self.number_and_sign(tx, event)?;
            let state = RunState::created(event.clone())?;
            let sql = |e| self.sql_err(e);
            tx.execute(
                "INSERT INTO runs (id, checklist_id, title, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![run_id, checklist_id, state.meta.title, now.to_rfc3339()],
            )
            .map_err(sql)?;
            insert_event(tx, &event).map_err(sql)?;
            update_summary(tx, &state, &event).map_err(sql)
        })?;
        Ok(run_id)
    }

    /// Resolve a run id or unique id prefix to the full id.
    pub fn resolve_run(&self, prefix: &str) -> Result<String> {
        self.resolve("run", "runs", prefix)
    }

    /// Every run, newest first, with status and progress.
    pub fn list_runs(&self) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, title, checklist_id, created_at, updated_at, status, progress, event_count, head
                 FROM runs ORDER BY created_at DESC, id DESC",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })
            .map_err(|e| self.sql_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, checklist_id, created, updated, status, progress, events, head) =
                row.map_err(|e| self.sql_err(e))?;
            let created_at = parse_time(&created)?;
            let progress: Progress = serde_json::from_str(&progress).unwrap_or_default();
            out.push(RunSummary {
                id,
                title,
                checklist_id,
                created_at,
                updated_at: updated.as_deref().map(parse_time).transpose()?.unwrap_or(created_at),
                status: parse_status(&status),
                progress,
                events: u64::try_from(events).unwrap_or(0),
                head,
            });
        }
        Ok(out)
    }

    /// The run's events in recording order (the order `verify` checks).
    pub fn events(&self, run_id: &str) -> Result<Vec<Event>> {
        load_events(&self.conn, run_id).map_err(|e| self.sql_err(e))?.into_iter().collect()
    }

    /// The run's state: the fold of its events. `run_id` must be a full id (see [`Store::resolve_run`]).
    pub fn run_state(&self, run_id: &str) -> Result<RunState> {
        let events = self.events(run_id)?;
        if events.is_empty() {
            return Err(StoreError::NotFound { what: "run", id: run_id.to_string() });
        }
        Ok(RunState::fold(events)?)
    }

    /// Validate `body` against the run's current state, then record it as a new event whose parents are the
    /// current heads. Returns the event only after the transaction has committed.
    pub fn append(&self, run_id: &str, actor: &str, body: EventBody, now: DateTime<Utc>) -> Result<Event> {
        let mut appended = None;
        self.write_store(|tx| {
            // Read inside the write transaction: nobody can append between our read and our insert.
            let (mut state, _) = self.state_in(tx, run_id)?;
            let body = canonical_role(&state, body);
            let strict = state.settings.gate_mode == GateMode::Strict;
            if matches!(body, EventBody::SignedOff { .. }) || (strict && matches!(body, EventBody::ItemSet { .. })) {
                enforce_rules(&state, &body, now)?;
            }
            state.check(&body)?;
            let parents: Vec<Parent> = state.heads().into_iter().map(Parent::from).collect();
            let event = Event::new(
                uuid::Uuid::now_v7().to_string(),
                run_id.to_string(),
                self.device.clone(),
                &parents,
                now,
                actor.trim().to_string(),
                body,
            );
            let event = self.number_and_sign(tx, event)?;
            // Four-eyes by key: only now is the signing certificate known.
            if let (EventBody::SignedOff { role, name, .. }, Some(author)) = (&event.body, &event.author) {
                let blockers = signoff::key_blockers(&state, role, &author.fingerprint);
                if !blockers.is_empty() {
                    return Err(StoreError::Refused {
                        what: format!("{name} cannot sign off `{role}`"),
                        blockers: blockers.iter().map(ToString::to_string).collect(),
                    });
                }
            }
            insert_event(tx, &event).map_err(|e| self.sql_err(e))?;
            let seq = tx.last_insert_rowid();
            state.apply(event.clone());
            update_summary(tx, &state, &event).map_err(|e| self.sql_err(e))?;
            appended = Some((event, state, seq));
            Ok(())
        })?;
        let (event, state, last_seq) =
            appended.ok_or(StoreError::NotFound { what: "run", id: run_id.to_string() })?;
        // Only a committed state is cached.
        *self.cache.borrow_mut() = Some(Cached { run_id: run_id.to_string(), last_seq, state });
        Ok(event)
    }

    /// The run's state inside a transaction: the cached state plus the events recorded since (by this or any
    /// other process), or a full fold when there is no usable cache. Returns the state and the last `seq`.
    fn state_in(&self, conn: &Connection, run_id: &str) -> Result<(RunState, i64)> {
        if let Some(c) = self.cache.borrow_mut().take().filter(|c| c.run_id == run_id) {
            let newer = load_events_after(conn, run_id, c.last_seq).map_err(|e| self.sql_err(e))?;
            let (mut state, mut last_seq) = (c.state, c.last_seq);
            let mut usable = true;
            for (seq, event) in newer {
                let event = event?;
                // Events merged in below the fold position would need a refold: fall back to the full fold.
                if state.timeline.last().is_some_and(|l| event.fold_key() <= l.fold_key()) {
                    usable = false;
                    break;
                }
                state.apply(event);
                last_seq = seq;
            }
            if usable {
                return Ok((state, last_seq));
            }
        }
        let rows = load_events_after(conn, run_id, 0).map_err(|e| self.sql_err(e))?;
        let last_seq = rows.last().map(|(s, _)| *s).unwrap_or(0);
        let events: Vec<Event> = rows.into_iter().map(|(_, e)| e).collect::<Result<_>>()?;
        if events.is_empty() {
            return Err(StoreError::NotFound { what: "run", id: run_id.to_string() });
        }
        Ok((RunState::fold(events)?, last_seq))
    }


    /// Give a new event of this device its `device_seq` (the next of this device's gapless numbers, read inside
    /// the write transaction so two processes never take the same one) and, when a signer is set, its author
    /// signature over the resulting hash.
    fn number_and_sign(&self, tx: &Transaction<'_>, event: Event) -> Result<Event> {
        let last: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(device_seq), 0) FROM events WHERE device = ?1 AND device_seq IS NOT NULL",
                [&self.device],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))?;
        let next = u64::try_from(last).unwrap_or(0) + 1;
        let mut event = event.with_device_seq(next);
        if let Some(sign) = &self.signer {
            let author = sign(&event).map_err(|why| StoreError::Sign { id: event.id.clone(), why })?;
            event.author = Some(author);
        }
        Ok(event)
    }

    /// Recompute the cached status/progress of runs migrated from schema 1 (which had no such columns).
    pub(crate) fn refresh_missing_summaries(&self) -> Result<()> {
        let ids: Vec<String> = {
            let mut stmt =
                self.conn.prepare("SELECT id FROM runs WHERE progress = '{}'").map_err(|e| self.sql_err(e))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.sql_err(e))?;
            rows.collect::<rusqlite::Result<_>>().map_err(|e| self.sql_err(e))?
        };
        for id in ids {
            let state = self.run_state(&id)?;
            let Some(last) = state.timeline.last().cloned() else { continue };
            self.write(|tx| {
                let progress = serde_json::to_string(&state.progress()).unwrap_or_else(|_| "{}".into());
                tx.execute(
                    "UPDATE runs SET status = ?2, progress = ?3, updated_at = COALESCE(updated_at, ?4) WHERE id = ?1",
                    params![id, state.status().as_str(), progress, last.at.to_rfc3339()],
                )?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction and commit; SQLite errors are classified against this file.
    pub(crate) fn write(&self, f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>) -> Result<()> {
        self.write_store(|tx| f(tx).map_err(|e| self.sql_err(e)))
    }

    pub(crate) fn write_store(&self, f: impl FnOnce(&Transaction<'_>) -> Result<()>) -> Result<()> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).map_err(|e| self.sql_err(e))?;
        f(&tx)?; // on error, dropping `tx` rolls back
        tx.commit().map_err(|e| self.sql_err(e))
    }
}

/// The sign-off rules of `runsheet_core::signoff` that make a change impossible (not merely unwise): a strict phase
/// gate refuses item changes, and a sign-off is refused while anything blocks it (four-eyes, open items, missing,
/// stale or failing evidence). Advisory gate warnings are the caller's to show ([`Store::gate`]).
fn enforce_rules(state: &RunState, body: &EventBody, now: DateTime<Utc>) -> Result<()> {
    match body {
        EventBody::ItemSet { item, .. } => {
            if let signoff::GateVerdict::Refused { blockers } = signoff::gate_check(state, item) {
                return Err(StoreError::Refused {
                    what: format!("item {item} cannot change (strict phase gate)"),
                    blockers: blockers.iter().map(ToString::to_string).collect(),
                });
            }
        }
        EventBody::SignedOff { role, name, .. } => {
            let blockers = signoff::blockers(state, role, name, now);
            if !blockers.is_empty() {
                return Err(StoreError::Refused {
                    what: format!("{name} cannot sign off `{role}`"),
                    blockers: blockers.iter().map(ToString::to_string).collect(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

impl Store {
    /// The phase gate verdict for changing `item` now (advisory warnings included), for callers to show.
    /// `now` is kept for callers; gates depend on item states only.
    pub fn gate(&self, run_id: &str, item: &str, _now: DateTime<Utc>) -> Result<signoff::GateVerdict> {
        let (state, last_seq) = self.state_in(&self.conn, run_id)?;
        let verdict = signoff::gate_check(&state, item);
        // `state_in` took the cached state: put it back, it is still current.
        *self.cache.borrow_mut() = Some(Cached { run_id: run_id.to_string(), last_seq, state });
        Ok(verdict)
    }
}

/// A sign-off is recorded under the role's canonical name (`RunState::role` matches case-insensitively), so the
/// event log reads the same whoever typed the role and however.
fn canonical_role(state: &RunState, body: EventBody) -> EventBody {
    match body {
        EventBody::SignedOff { role, name, comment } => {
            let role = state.role(&role).map_or(role, |r| r.name.clone());
            EventBody::SignedOff { role, name, comment }
        }
        other => other,
    }
}

pub(crate) fn insert_event(conn: &Connection, e: &Event) -> rusqlite::Result<()> {
    let parents = serde_json::to_string(&e.parents).unwrap_or_else(|_| "[]".into());
    let body = serde_json::to_string(&e.body).unwrap_or_else(|_| "{}".into());
    // `at` is stored exactly as serde writes it so the row reads back into an identical event.
    let at = serde_json::to_value(e.at).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let author = e.author.as_ref().and_then(|a| serde_json::to_string(a).ok());
    conn.execute(
        "INSERT INTO events (id, run_id, device, lamport, parents, at, actor, kind, item, body, hash, device_seq, author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            e.id,
            e.run_id,
            e.device,
            i64::try_from(e.lamport).unwrap_or(i64::MAX),
            parents,
            at,
            e.actor,
            e.body.kind(),
            e.body.item(),
            body,
            e.hash,
            e.device_seq.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            author
        ],
    )?;
    Ok(())
}

fn update_summary(tx: &Connection, state: &RunState, last: &Event) -> rusqlite::Result<()> {
    let progress = serde_json::to_string(&state.progress()).unwrap_or_else(|_| "{}".into());
    tx.execute(
        "UPDATE runs SET event_count = event_count + 1, head = ?2, status = ?3, progress = ?4, updated_at = ?5
         WHERE id = ?1",
        params![state.run_id, last.hash, state.status().as_str(), progress, last.at.to_rfc3339()],
    )?;
    Ok(())
}

/// The run state a store keeps between appends.
#[derive(Debug)]
pub(crate) struct Cached {
    run_id: String,
    last_seq: i64,
    state: RunState,
}

/// A run's events recorded after `seq`, with their `seq`, in recording order.
fn load_events_after(conn: &Connection, run_id: &str, seq: i64) -> rusqlite::Result<Vec<(i64, Result<Event>)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS}, seq FROM events WHERE run_id = ?1 AND seq > ?2 ORDER BY seq"
    ))?;
    let rows = stmt.query_map(params![run_id, seq], |r| Ok((r.get::<_, i64>(11)?, row_to_event(r)?)))?;
    rows.collect()
}

/// Load a run's events in recording order. The outer error is SQLite's; each inner one is a row that does not
/// read back into an event (reported, not panicked on: `verify` names it).
pub(crate) fn load_events(conn: &Connection, run_id: &str) -> rusqlite::Result<Vec<Result<Event>>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE run_id = ?1 ORDER BY seq"))?;
    let rows = stmt.query_map([run_id], row_to_event)?;
    rows.collect()
}

/// Read a row selected with [`EVENT_COLUMNS`] back into an event.
pub(crate) fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Event>> {
    let id: String = r.get(0)?;
    let parents: String = r.get(4)?;
    let body: String = r.get(7)?;
    let device_seq: Option<i64> = r.get(9)?;
    let author: Option<String> = r.get(10)?;
    let json = |what: &str, s: &str| -> Result<serde_json::Value> {
        serde_json::from_str(s).map_err(|source| StoreError::Json { what: format!("event {id} {what}"), source })
    };
    let build = || -> Result<Event> {
        let mut value = serde_json::json!({
            "id": id,
            "run_id": r.get::<_, String>(1).unwrap_or_default(),
            "device": r.get::<_, String>(2).unwrap_or_default(),
            "lamport": r.get::<_, i64>(3).unwrap_or_default(),
            "parents": json("parents", &parents)?,
            "at": r.get::<_, String>(5).unwrap_or_default(),
            "actor": r.get::<_, String>(6).unwrap_or_default(),
            "body": json("body", &body)?,
            "hash": r.get::<_, String>(8).unwrap_or_default(),
        });
        if let Some(map) = value.as_object_mut() {
            // Absent fields stay absent: an older event must read back exactly as it was hashed.
            if let Some(seq) = device_seq {
                map.insert("device_seq".into(), seq.into());
            }
            if let Some(author) = &author {
                map.insert("author".into(), json("author", author)?);
            }
        }
        serde_json::from_value(value).map_err(|source| StoreError::Json { what: format!("event {id}"), source })
    };
    Ok(build())
}

/// The cached status column: names as `RunStatus::as_str` writes them, older rows' names included; anything
/// else reads as not started (the next append rewrites it).
fn parse_status(s: &str) -> RunStatus {
    RunStatus::parse(s).unwrap_or(RunStatus::NotStarted)
}
