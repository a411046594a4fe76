//! One run's clock (`run_clock`) at chosen moments: now against T, and its rows from `App::due`.

use chrono::{Duration, TimeZone, Utc};
use runsheet_app::due::ClockState;

use crate::support::home;

const TIMED: &str = "# Shop release

## Preparation (T-60 minutes)

- [ ] Announce the window

## Deployment (T+0 minutes)

- [ ] Deploy the canary

## Verification (T+120 minutes)

- [ ] Error rate below 1%
";

#[test]
fn the_clock_counts_from_t_and_lists_this_runs_rows_late_first() {
    let h = home("run-clock");
    let c = h.app.import_bytes("timed.md", TIMED.as_bytes()).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 12, 2, 18, 0, 0).single().unwrap();
    let new = |title: &str| runsheet_app::runs::NewRun {
        checklist: c.id.clone(),
        title: title.into(),
        window_start: Some(t),
        window_end: Some(t + Duration::hours(4)),
        ..Default::default()
    };
    let run = h.app.create_run(new("Clock"), "op").unwrap();
    let other = h.app.create_run(new("Other"), "op").unwrap();

    let before = h.app.run_clock(&run, t - Duration::seconds(90)).unwrap();
    assert_eq!(before.t_minutes, Some(-2), "90 s before T is T-2 minutes rounded down, not T-1");

    let at = h.app.run_clock(&run, t + Duration::minutes(90)).unwrap();
    assert_eq!(at.t_minutes, Some(90));
    let rows: Vec<(&str, ClockState)> = at.rows.iter().map(|r| (r.title.as_str(), r.state)).collect();
    assert_eq!(
        rows,
        [("Preparation", ClockState::Late), ("Deployment", ClockState::Due), ("Verification", ClockState::Upcoming)],
        "late first, then by planned time; only this run's rows"
    );
    assert!(at.rows[0].late_minutes >= 90, "preparation ended at T at the latest: {}", at.rows[0].late_minutes);
    assert!(h.app.run_clock(&other, t).unwrap().rows.iter().all(|r| !r.id.is_empty()));
}
