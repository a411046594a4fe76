//! Tests of the deployment-day clock (`schedule.rs`) against a controllable clock: slots from timing hints, and
//! what is upcoming, due or late, from data.

use chrono::{DateTime, Duration, TimeZone, Utc};
use runsheet_core::event::{Event, EventBody, ItemState, Parent};
use runsheet_core::run::RunState;
use runsheet_core::schedule::{self, Anchor, DueState, Scope};

/// The window: 22:00 to 23:00.
fn t() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 22, 0, 0)
        .single()
        .unwrap_or_default()
}

const MD: &str = "# Release 4.2

## Pre-Deployment Verification (T-1 hour)
- [ ] Freeze merges
- [ ] Announce in #deploys

## Database Backup (T-30 minutes)
- [ ] Snapshot the primary

## Deployment (T+0)
### Migrate (T+0 to T+20m)
- [ ] Run migrations
### Switch traffic
- [ ] Flip the load balancer

## Rollback Procedures
### Immediate Rollback (< 5 minutes)
- [ ] Rollback if error rate > 5% for 5 minutes

## Post-Deployment
### Immediate (within 1 hour)
- [ ] Watch error rates
### First Day
- [ ] Review overnight alerts
### First Week
- [ ] Close the change ticket
";

fn run(window_end: Option<DateTime<Utc>>) -> RunState {
    let checklist = runsheet_core::import::parse("release.md", MD).expect("parse");
    let created = Event::new(
        "e0".into(),
        "run1".into(),
        "dev".into(),
        &[],
        t() - Duration::hours(3),
        "alice".into(),
        EventBody::RunCreated {
            title: "Release 4.2".into(),
            version: None,
            environment: None,
            window_start: Some(t()),
            window_end,
            operator: "alice".into(),
            checklist_id: "c1".into(),
            checklist: Box::new(checklist),
        },
    );
    RunState::fold(vec![created]).expect("fold")
}

fn set(state: &mut RunState, text: &str, to: ItemState) {
    let id = state
        .checklist
        .items()
        .into_iter()
        .find(|(_, _, i)| i.text.contains(text))
        .map(|(_, _, i)| i.id.clone())
        .expect("item");
    let parents: Vec<Parent> = state.heads().into_iter().map(Parent::from).collect();
    let e = Event::new(
        format!("e{}", state.timeline.len()),
        "run1".into(),
        "dev".into(),
        &parents,
        t(),
        "alice".into(),
        EventBody::ItemSet {
            item: id,
            state: to,
            reason: None,
            note: None,
        },
    );
    state.apply(e);
}

fn at(minutes: i64) -> DateTime<Utc> {
    t() + Duration::minutes(minutes)
}

#[test]
fn hints_become_slots_on_the_window_with_follow_ups_after_its_end() {
    let state = run(Some(at(60)));
    let slots = schedule::slots(&state.checklist, t(), state.meta.window_end);
    let got: Vec<(&str, Scope, Anchor, i64, i64)> = slots
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.scope,
                s.anchor,
                (s.start - t()).num_minutes(),
                (s.end - t()).num_minutes(),
            )
        })
        .collect();
    let want = vec![
        // A point hint lasts until the next slot starts.
        (
            "Pre-Deployment Verification",
            Scope::Phase,
            Anchor::WindowStart,
            -60,
            -30,
        ),
        ("Database Backup", Scope::Phase, Anchor::WindowStart, -30, 0),
        // T+0 and its first section both start at T; the phase ends where the next later slot starts.
        ("Deployment", Scope::Phase, Anchor::WindowStart, 0, 60),
        ("Migrate", Scope::Section, Anchor::WindowStart, 0, 20),
        // Follow-ups count from the window's end (23:00); the rollback phase has no slot.
        ("Immediate", Scope::Section, Anchor::WindowEnd, 60, 120),
        (
            "First Day",
            Scope::Section,
            Anchor::WindowEnd,
            60,
            60 + 24 * 60,
        ),
        (
            "First Week",
            Scope::Section,
            Anchor::WindowEnd,
            60,
            60 + 7 * 24 * 60,
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn without_a_window_end_follow_ups_count_from_its_start() {
    let state = run(None);
    let slots = schedule::slots(&state.checklist, t(), None);
    let immediate = slots.iter().find(|s| s.title == "Immediate").expect("slot");
    assert_eq!((immediate.start, immediate.end), (t(), at(60)));
}

#[test]
fn due_and_late_follow_the_clock_and_finished_slots_drop_out() {
    let mut state = run(Some(at(60)));
    let rows = |state: &RunState, now| -> Vec<(String, DueState, i64, usize)> {
        schedule::due(state, now)
            .into_iter()
            .map(|d| (d.slot.title, d.state, d.late_minutes, d.open_items))
            .collect()
    };
    // 20:30: nothing started yet.
    let early = rows(&state, at(-90));
    assert!(early.iter().all(|r| r.1 == DueState::Upcoming), "{early:?}");
    assert_eq!(early.len(), 7);

    // 21:40: verification (21:00 until the backup's 21:30) is 10 minutes late; the backup is due.
    let r = rows(&state, at(-20));
    assert_eq!(
        r[0],
        ("Pre-Deployment Verification".into(), DueState::Late, 10, 2)
    );
    assert_eq!(r[1], ("Database Backup".into(), DueState::Due, 0, 1));
    assert_eq!(r[2].1, DueState::Upcoming);

    // Doing an item leaves the slot open; doing the last one takes it out; a skipped item counts as settled.
    set(&mut state, "Freeze merges", ItemState::Done);
    assert_eq!(rows(&state, at(-20))[0].3, 1);
    set(&mut state, "Announce", ItemState::Skipped);
    assert_eq!(rows(&state, at(-20))[0].0, "Database Backup");

    // A failed item is still open.
    set(&mut state, "Snapshot", ItemState::Failed);
    assert_eq!(
        rows(&state, at(-20))[0],
        ("Database Backup".into(), DueState::Due, 0, 1)
    );

    // Next morning 09:00: the one-hour follow-up (23:00 to 00:00) is 9 h late; the first day and the first week
    // both started at 23:00 and are due.
    let morning = rows(&state, at(11 * 60));
    let immediate = morning.iter().find(|r| r.0 == "Immediate").expect("row");
    assert_eq!((immediate.1, immediate.2), (DueState::Late, 9 * 60));
    assert_eq!(
        morning.iter().find(|r| r.0 == "First Day").map(|r| r.1),
        Some(DueState::Due)
    );
    assert_eq!(
        morning.iter().find(|r| r.0 == "First Week").map(|r| r.1),
        Some(DueState::Due)
    );
    // The rollback item never comes due.
    assert!(morning.iter().all(|r| !r.0.contains("Rollback")));
}

#[test]
fn a_run_without_a_change_window_has_no_clock() {
    let mut state = run(None);
    state.meta.window_start = None;
    assert!(schedule::due(&state, at(0)).is_empty());
}

#[test]
fn anchors_are_read_from_the_hint_as_written() {
    let cases = [
        ("T-1 hour", Anchor::WindowStart),
        ("T+15 minutes", Anchor::WindowStart),
        ("T0", Anchor::WindowStart),
        ("T minus 2 hours", Anchor::WindowStart),
        ("H-2", Anchor::WindowStart),
        ("D-1", Anchor::WindowStart),
        ("Day -1", Anchor::WindowStart),
        ("T-2h to T-1h", Anchor::WindowStart),
        ("within 1 hour", Anchor::WindowEnd),
        ("First Day", Anchor::WindowEnd),
        ("Week 2-3", Anchor::WindowEnd),
        ("Day 1", Anchor::WindowEnd),
        ("Hour 1", Anchor::WindowEnd),
    ];
    for (label, want) in cases {
        let t = runsheet_core::Timing {
            label: label.into(),
            offset_minutes: Some(0),
            end_offset_minutes: None,
        };
        assert_eq!(schedule::anchor(&t), want, "{label}");
    }
}

#[test]
fn a_first_period_heading_reimports_unchanged() {
    let c = runsheet_core::import::parse("release.md", MD).expect("parse");
    let again = runsheet_core::import::parse(
        "again.md",
        &runsheet_core::render::checklist_to_markdown(&c),
    )
    .expect("reparse");
    let titles = |c: &runsheet_core::Checklist| -> Vec<(String, Option<String>)> {
        c.phases
            .iter()
            .flat_map(|p| {
                p.sections
                    .iter()
                    .map(|s| (s.title.clone(), s.timing.as_ref().map(|t| t.label.clone())))
            })
            .collect()
    };
    assert_eq!(titles(&c), titles(&again));
    assert!(titles(&c).contains(&("First Day".into(), Some("First Day".into()))));
}

#[test]
fn chart_spans_give_sections_their_phase_slot_and_phases_their_sections_span() {
    let state = run(Some(at(60)));
    let spans = schedule::planned_spans(&state.checklist, 60);
    let by_title = |title: &str| -> Option<(i64, i64)> {
        let phase = state.checklist.phases.iter().find(|p| p.title == title).map(|p| p.id.clone());
        let section = state.checklist.phases.iter().flat_map(|p| &p.sections).find(|s| s.title == title).map(|s| s.id.clone());
        phase.or(section).and_then(|id| spans.get(&id).copied())
    };
    assert_eq!(by_title("Switch traffic"), Some((0, 60)), "a section without a hint takes its phase's slot");
    assert_eq!(by_title("Post-Deployment"), Some((60, 60 + 7 * 24 * 60)), "a phase without one spans its sections");
    assert_eq!(by_title("Rollback Procedures"), None, "rollback is never planned");
}

/// Item texts of `MD` by part: the deployment proper, the rollback item, the follow-ups.
const DEPLOYMENT: [&str; 5] = ["Freeze merges", "Announce", "Snapshot", "Run migrations", "Flip the load balancer"];
const ROLLBACK: &str = "Rollback if error rate";
const FOLLOW_UPS: [&str; 3] = ["Watch error rates", "Review overnight alerts", "Close the change ticket"];

#[test]
fn follow_up_items_are_those_under_a_hint_counted_from_the_window_end() {
    let md = "# R\n\n## Deploy (T+0)\n### Step\n- [ ] Ship\n\n## Rollback Procedures (within 1 hour)\n- [ ] Revert\n\n\
              ## Post-Deployment (First Month)\n### Dashboards\n- [ ] Check dashboards\n  - [ ] Nested check\n\
              ### Wrap-up (T+30 minutes)\n- [ ] Close the bridge\n";
    let c = runsheet_core::import::parse("r.md", md).expect("parse");
    let texts: Vec<String> = {
        let ids = schedule::follow_up_items(&c);
        c.items().into_iter().filter(|(_, _, i)| ids.contains(&i.id)).map(|(_, _, i)| i.text.clone()).collect()
    };
    // A section without a hint inherits its phase's (nested items too); a section's own T-relative hint wins over
    // its phase's; a rollback phase holds no follow-ups whatever its hint says.
    assert_eq!(texts, vec!["Check dashboards".to_string(), "Nested check".to_string()]);
}

#[test]
fn a_run_with_only_follow_ups_open_is_monitoring() {
    use runsheet_core::run::RunStatus;
    use ItemState::{Blocked, Done, Failed, NotApplicable, Pending, Skipped};
    // (what is set, in order, and the status after it, and why)
    type Case = (Vec<(&'static str, ItemState)>, RunStatus, &'static str);
    let cases: Vec<Case> = vec![
        (vec![], RunStatus::NotStarted, "nothing done"),
        (vec![("Freeze", Done)], RunStatus::InProgress, "deployment items still pending"),
        (
            DEPLOYMENT.iter().map(|t| (*t, Done)).chain([(ROLLBACK, NotApplicable)]).collect(),
            RunStatus::Monitoring,
            "the deployment is settled and follow-ups are open",
        ),
        (
            DEPLOYMENT.iter().map(|t| (*t, Done)).collect(),
            RunStatus::InProgress,
            "an open rollback item is not a follow-up",
        ),
        (
            DEPLOYMENT.iter().map(|t| (*t, Skipped)).chain([(ROLLBACK, NotApplicable), (FOLLOW_UPS[0], Done)]).collect(),
            RunStatus::Monitoring,
            "one follow-up done, two open",
        ),
        (
            DEPLOYMENT.iter().map(|t| (*t, Done)).chain([(ROLLBACK, NotApplicable), ("Snapshot", Failed)]).collect(),
            RunStatus::InProgress,
            "a failure with follow-ups pending is not monitoring",
        ),
        (
            DEPLOYMENT.iter().map(|t| (*t, Done)).chain([(ROLLBACK, NotApplicable), (FOLLOW_UPS[1], Blocked)]).collect(),
            RunStatus::Blocked,
            "a blocked follow-up blocks the run",
        ),
        (
            DEPLOYMENT
                .iter()
                .chain(FOLLOW_UPS.iter())
                .map(|t| (*t, Done))
                .chain([(ROLLBACK, NotApplicable)])
                .collect(),
            RunStatus::Complete,
            "follow-ups closed: complete",
        ),
        (
            DEPLOYMENT
                .iter()
                .chain(FOLLOW_UPS.iter())
                .map(|t| (*t, Done))
                .chain([(ROLLBACK, NotApplicable), (FOLLOW_UPS[2], Pending)])
                .collect(),
            RunStatus::Monitoring,
            "a follow-up reopened: monitoring again",
        ),
        (
            FOLLOW_UPS.iter().map(|t| (*t, Done)).collect(),
            RunStatus::InProgress,
            "follow-ups done before the deployment: still in progress",
        ),
    ];
    for (sets, want, why) in cases {
        let mut state = run(Some(at(60)));
        for (text, to) in sets {
            set(&mut state, text, to);
        }
        assert_eq!(state.status(), want, "{why}");
        assert_eq!(RunStatus::parse(want.as_str()), Some(want), "as_str reads back");
    }
}
