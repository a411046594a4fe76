//! The deployment-day listing (`runsheet due`, reminders): every open run's phases and sections that have a
//! planned time and are not finished, with their state at a given moment. The placement rule and the states are
//! `runsheet_core::schedule`'s; this module only gathers them across runs.

use chrono::{DateTime, Utc};
use serde::Serialize;

use runsheet_core::schedule::{self, DueState, Scope};

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

impl App {
    /// Every run's unfinished slots at `now`, late first, then by planned time. Runs without a change window
    /// have no planned times and give no rows.
    pub fn due(&self, now: DateTime<Utc>) -> Result<Vec<DueRow>> {
        let mut rows = Vec::new();
        for state in self.run_states()? {
            for d in schedule::due(&state, now) {
                rows.push(DueRow {
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
                });
            }
        }
        let rank = |s: DueState| match s {
            DueState::Late => 0,
            DueState::Due => 1,
            DueState::Upcoming => 2,
        };
        rows.sort_by(|a, b| (rank(a.state), a.planned, &a.run_id).cmp(&(rank(b.state), b.planned, &b.run_id)));
        Ok(rows)
    }
}
