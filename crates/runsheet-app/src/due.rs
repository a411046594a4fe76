//! The deployment-day listing (`runsheet due`, reminders): every open run's phases and sections that have a
//! planned time and are not finished, with their state at a given moment. The placement rule and the states are
//! `runsheet_core::schedule`'s; this module only gathers them across runs, and for one run as its clock (the
//! desktop's run header: now against T, what is late, what is due next).

use chrono::{DateTime, Utc};
use serde::Serialize;

use runsheet_core::schedule::{self, DueState, Scope};

use runsheet_core::run::RunState;

use crate::{App, Result};

/// One unfinished phase or section of a run, as `runsheet due --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueRow {
    pub run_id: String,
    pub run_title: String,
    pub scope: Scope,
    /// The phase's or section's id.
    pub id: String,
    pub title: String,
    /// The timing hint as written (`T-1 hour`, `First Day`).
    pub label: String,
    /// When it is planned to start, and when it should be finished.
    pub planned: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    pub state: DueState,
    /// Minutes past `planned_end` (0 unless late).
    pub late_minutes: i64,
    /// Counted from the end of the change window (`within 1 hour`, `First Week`).
    pub follow_up: bool,
    /// Items under it not yet done, skipped, n/a or waived.
    pub open_items: usize,
}

/// The unfinished slots of one run at `now` as rows, late first, then by planned time.
pub fn due_rows(state: &RunState, now: DateTime<Utc>) -> Vec<DueRow> {
    let mut rows: Vec<DueRow> = schedule::due(state, now)
        .into_iter()
        .map(|d| DueRow {
            run_id: state.run_id.clone(),
            run_title: state.meta.title.clone(),
            scope: d.slot.scope,
            follow_up: d.slot.follow_up(),
            id: d.slot.id,
            title: d.slot.title,
            label: d.slot.label,
            planned: d.slot.start,
            planned_end: d.slot.end,
            state: d.state,
            late_minutes: d.late_minutes,
            open_items: d.open_items,
        })
        .collect();
    sort(&mut rows);
    rows
}

/// What comes due next in a run at `now`: its first row in [`due_rows`]' order (what is late, then what is due,
/// then the earliest upcoming); None when nothing planned is left open.
pub fn next_due(state: &RunState, now: DateTime<Utc>) -> Option<DueRow> {
    due_rows(state, now).into_iter().next()
}

fn sort(rows: &mut [DueRow]) {
    let rank = |s: DueState| match s {
        DueState::Late => 0,
        DueState::Due => 1,
        DueState::Upcoming => 2,
    };
    rows.sort_by(|a, b| (rank(a.state), a.planned, &a.run_id).cmp(&(rank(b.state), b.planned, &b.run_id)));
}

/// A run as `runsheet run list` shows it: the store's summary and what comes due next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunListRow {
    #[serde(flatten)]
    pub summary: runsheet_store::RunSummary,
    pub next_due: Option<DueRow>,
}

impl App {
    /// Every run's unfinished slots at `now`, late first, then by planned time. Runs without a change window
    /// have no planned times and give no rows.
    pub fn due(&self, now: DateTime<Utc>) -> Result<Vec<DueRow>> {
        let mut rows: Vec<DueRow> = self.run_states()?.iter().flat_map(|s| due_rows(s, now)).collect();
        sort(&mut rows);
        Ok(rows)
    }

    /// Every run, newest first, with what comes due next in it at `now`.
    pub fn run_list_rows(&self, now: DateTime<Utc>) -> Result<Vec<RunListRow>> {
        let store = self.store()?;
        store
            .list_runs()?
            .into_iter()
            .map(|summary| {
                let next_due = next_due(&store.run_state(&summary.id)?, now);
                Ok(RunListRow { summary, next_due })
            })
            .collect()
    }
}

/// Where an unfinished phase or section stands (runsheet-core `DueState`, same spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Upcoming,
    Due,
    Late,
}

/// One unfinished phase or section of a run on its clock (a `DueRow` of that run).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockRow {
    /// `phase` or `section`.
    pub scope: String,
    pub id: String,
    pub title: String,
    /// The timing hint as written (`T-1 hour`, `First Day`).
    pub label: String,
    /// RFC 3339.
    pub planned: String,
    pub planned_end: String,
    pub state: ClockState,
    /// Minutes past `planned_end` (0 unless late).
    pub late_minutes: i64,
    pub follow_up: bool,
    pub open_items: u32,
}

/// A run's clock at `now`: now against T (the change window's start) and its unfinished slots from
/// [`App::due`], late first, then by planned time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunClock {
    /// RFC 3339.
    pub now: String,
    /// RFC 3339; None for a run without a change window (it then has no rows either).
    pub window_start: Option<String>,
    /// Whole minutes from T to now: negative before T (T-minus), zero or positive after (T-plus).
    pub t_minutes: Option<i64>,
    pub rows: Vec<ClockRow>,
}

impl App {
    /// The clock of run `run` at `now`.
    pub fn run_clock(&self, run: &str, now: DateTime<Utc>) -> Result<RunClock> {
        let state = self.run(run)?;
        let rows = self
            .due(now)?
            .into_iter()
            .filter(|r| r.run_id == state.run_id)
            .map(|r| ClockRow {
                scope: match r.scope {
                    Scope::Phase => "phase".into(),
                    Scope::Section => "section".into(),
                },
                id: r.id,
                title: r.title,
                label: r.label,
                planned: r.planned.to_rfc3339(),
                planned_end: r.planned_end.to_rfc3339(),
                state: match r.state {
                    DueState::Upcoming => ClockState::Upcoming,
                    DueState::Due => ClockState::Due,
                    DueState::Late => ClockState::Late,
                },
                late_minutes: r.late_minutes,
                follow_up: r.follow_up,
                open_items: u32::try_from(r.open_items).unwrap_or(u32::MAX),
            })
            .collect();
        let start = state.meta.window_start;
        Ok(RunClock {
            now: now.to_rfc3339(),
            window_start: start.map(|s| s.to_rfc3339()),
            t_minutes: start.map(|s| (now - s).num_seconds().div_euclid(60)),
            rows,
        })
    }
}
