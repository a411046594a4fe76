//! The deployment-day clock: a checklist's timing hints placed on a run's change window, and what is upcoming, due
//! or late at a given moment.
//!
//! One rule for every reader (the `runsheet due` listing, the run view's clock and the PDF's planned-versus-actual
//! timeline): a hint written relative to T (`T-1 hour`, `H-2`, `D-1`, `Day -1`) counts from the start of the change
//! window; a period hint (`within 1 hour`, `First Day`, `Week 2-3`, `Day 1`) is a follow-up and counts from the end
//! of the window (its start when the run has no end). A slot ends at its hint's own end (`T-2h to T-1h`,
//! `within 1 hour`), else where the next slot in document order starts, else [`DEFAULT_SLOT_MINUTES`] later.
//! Rollback phases and sections have no slot: they happen only if something goes wrong.
//!
//! What it leaves out: reading the clock (callers pass `now`) and notifications.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::checklist::{Checklist, Item, Timing};
use crate::run::RunState;

/// How long a slot lasts when neither its hint nor a later slot says.
pub const DEFAULT_SLOT_MINUTES: i64 = 15;

/// What a timing hint counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// T: the start of the change window.
    WindowStart,
    /// The end of the change window: follow-ups.
    WindowEnd,
}

/// Which part of the checklist a slot belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Phase,
    Section,
}

/// A phase or section placed on the clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    pub scope: Scope,
    /// The phase's or section's id.
    pub id: String,
    /// The id of the phase it stands in (its own id for a phase).
    pub phase: String,
    pub title: String,
    /// The hint as written (`T-1 hour`).
    pub label: String,
    pub anchor: Anchor,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    /// A follow-up: something to do after the change window (`within 1 hour`, `First Week`).
    pub fn follow_up(&self) -> bool {
        self.anchor == Anchor::WindowEnd
    }
}

/// What a hint counts from: T-relative forms (`T-…`, `H-…`, `D-…`, `Day -1`) from the window's start, period
/// forms (`within …`, `First Day`, `Week 2`, `Day 1`) from its end.
pub fn anchor(timing: &Timing) -> Anchor {
    let lower = timing.label.trim().to_lowercase();
    let signed = |rest: &str| {
        let rest = rest.trim_start();
        rest.starts_with(['-', '+', '−']) || (!rest.is_empty() && rest.chars().all(|c| c == '0'))
    };
    let relative = lower.strip_prefix("day ").is_some_and(signed)
        || lower.strip_prefix(['t', 'h', 'd']).is_some_and(|rest| {
            signed(rest)
                || rest.trim_start().starts_with("minus")
                || rest.trim_start().starts_with("plus")
        });
    if relative {
        Anchor::WindowStart
    } else {
        Anchor::WindowEnd
    }
}

/// The ids of the follow-up items of `checklist` (nested ones included): items of a phase or section whose
/// hint counts from the window's end ([`anchor`]); a section without a hint inherits its phase's. Rollback
/// phases and sections hold no follow-ups. Needs no change window: the hint's wording alone decides.
pub fn follow_up_items(checklist: &Checklist) -> std::collections::BTreeSet<String> {
    fn walk(items: &[Item], out: &mut std::collections::BTreeSet<String>) {
        for it in items {
            out.insert(it.id.clone());
            walk(&it.children, out);
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for p in checklist.phases.iter().filter(|p| !p.rollback) {
        for s in p.sections.iter().filter(|s| !s.rollback) {
            let hint = s.timing.as_ref().or(p.timing.as_ref());
            if hint.is_some_and(|t| anchor(t) == Anchor::WindowEnd) {
                walk(&s.items, &mut out);
            }
        }
    }
    out
}

/// The slots of `checklist` on a change window (`start`, optional `end`), in document order. Hints that cannot
/// be placed on a minute scale get no slot.
pub fn slots(checklist: &Checklist, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Vec<Slot> {
    let end = end.filter(|e| *e >= start).unwrap_or(start);
    // (slot without its end, the hint's own end if any)
    let mut placed: Vec<(Slot, Option<DateTime<Utc>>)> = Vec::new();
    let mut place = |scope, id: &str, phase: &str, title: &str, timing: Option<&Timing>| {
        let Some(t) = timing else { return };
        let Some(offset) = t.offset_minutes else {
            return;
        };
        let a = anchor(t);
        let base = if a == Anchor::WindowStart { start } else { end };
        let at = base + Duration::minutes(offset);
        let own_end = t
            .end_offset_minutes
            .filter(|e| *e > offset)
            .map(|e| base + Duration::minutes(e));
        let slot = Slot {
            scope,
            id: id.to_string(),
            phase: phase.to_string(),
            title: title.to_string(),
            label: t.label.clone(),
            anchor: a,
            start: at,
            end: at,
        };
        placed.push((slot, own_end));
    };
    for p in checklist.phases.iter().filter(|p| !p.rollback) {
        place(Scope::Phase, &p.id, &p.id, &p.title, p.timing.as_ref());
        for s in p.sections.iter().filter(|s| !s.rollback) {
            place(Scope::Section, &s.id, &p.id, &s.title, s.timing.as_ref());
        }
    }
    let starts: Vec<DateTime<Utc>> = placed.iter().map(|(s, _)| s.start).collect();
    placed
        .into_iter()
        .enumerate()
        .map(|(n, (mut slot, own_end))| {
            let next = starts[n + 1..].iter().copied().find(|s| *s > slot.start);
            slot.end = own_end
                .or(next)
                .unwrap_or(slot.start + Duration::minutes(DEFAULT_SLOT_MINUTES));
            slot
        })
        .collect()
}

/// The slots as minutes from T (the start of the window), for charts: `window_minutes` is the window's length
/// (0 when it has no end). Returns (slot, start, end) in document order.
pub fn offsets(checklist: &Checklist, window_minutes: i64) -> Vec<(Slot, i64, i64)> {
    let t = DateTime::<Utc>::UNIX_EPOCH;
    slots(checklist, t, Some(t + Duration::minutes(window_minutes.max(0))))
        .into_iter()
        .map(|s| {
            let (start, end) = ((s.start - t).num_minutes(), (s.end - t).num_minutes());
            (s, start, end)
        })
        .collect()
}

/// [`planned_spans`] of a run: its frozen checklist on its own change window (length 0 without an end).
pub fn run_spans(state: &RunState) -> std::collections::BTreeMap<String, (i64, i64)> {
    let window = match (state.meta.window_start, state.meta.window_end) {
        (Some(s), Some(e)) => (e - s).num_minutes(),
        _ => 0,
    };
    planned_spans(&state.checklist, window)
}

/// The planned span (minutes from T) of a phase, and of each section: its own slot, else its phase's; a phase
/// without a hint of its own spans its sections' slots (`## Post-Deployment` with `### First Day` under it).
pub fn planned_spans(checklist: &Checklist, window_minutes: i64) -> std::collections::BTreeMap<String, (i64, i64)> {
    let mut spans = std::collections::BTreeMap::new();
    for (slot, start, end) in offsets(checklist, window_minutes) {
        spans.insert(slot.id, (start, end));
    }
    for p in &checklist.phases {
        if !spans.contains_key(&p.id) {
            let inner = p.sections.iter().filter_map(|s| spans.get(&s.id).copied());
            if let Some(span) = inner.reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))) {
                spans.insert(p.id.clone(), span);
            }
            continue;
        }
        if let Some(span) = spans.get(&p.id).copied() {
            for s in p.sections.iter().filter(|s| !s.rollback) {
                spans.entry(s.id.clone()).or_insert(span);
            }
        }
    }
    spans
}

/// Where an unfinished slot stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// Its start is still ahead.
    Upcoming,
    /// Between its start and its end.
    Due,
    /// Past its end with items still open.
    Late,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Due => "due",
            Self::Late => "late",
        }
    }
}

/// An unfinished slot of a run at a moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueSlot {
    #[serde(flatten)]
    pub slot: Slot,
    pub state: DueState,
    /// Minutes past the slot's end (0 unless late).
    pub late_minutes: i64,
    /// Items under the slot not yet done, skipped, n/a or waived.
    pub open_items: usize,
}

/// The run's unfinished slots at `now`, in document order; empty when the run has no change window. A slot whose
/// items are all settled (or that has none) is finished and left out.
pub fn due(state: &RunState, now: DateTime<Utc>) -> Vec<DueSlot> {
    let Some(start) = state.meta.window_start else {
        return Vec::new();
    };
    let open = |items: &[Item]| {
        fn count(state: &RunState, items: &[Item]) -> usize {
            items
                .iter()
                .map(|it| {
                    let settled = state.waivers.contains_key(&it.id)
                        || state
                            .items
                            .get(&it.id)
                            .is_some_and(|s| s.state.is_settled());
                    usize::from(!settled) + count(state, &it.children)
                })
                .sum()
        }
        count(state, items)
    };
    slots(&state.checklist, start, state.meta.window_end)
        .into_iter()
        .filter_map(|slot| {
            let phase = state.checklist.phases.iter().find(|p| p.id == slot.phase)?;
            let open_items = match slot.scope {
                Scope::Phase => phase
                    .sections
                    .iter()
                    .filter(|s| !s.rollback)
                    .map(|s| open(&s.items))
                    .sum(),
                Scope::Section => open(&phase.sections.iter().find(|s| s.id == slot.id)?.items),
            };
            if open_items == 0 {
                return None;
            }
            let (state, late_minutes) = if now < slot.start {
                (DueState::Upcoming, 0)
            } else if now <= slot.end {
                (DueState::Due, 0)
            } else {
                (DueState::Late, (now - slot.end).num_minutes())
            };
            Some(DueSlot {
                slot,
                state,
                late_minutes,
                open_items,
            })
        })
        .collect()
}
