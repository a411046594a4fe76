//! `disk`, `env` and `file` probes.

use runsheet_core::probe::Outcome;

use crate::support::*;

#[tokio::test]
async fn disk_env_and_file() {
    let ev = probe("kind = \"disk\"\npath = \"/\"\nmin_free = \"1KB\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe("kind = \"disk\"\npath = \"/\"\nmin_free = \"1000000TB\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    let ev = probe("kind = \"disk\"\npath = \"/no/such/dir\"").await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");

    let ev = probe("kind = \"env\"\nname = \"PATH\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let path = std::env::var("PATH").unwrap();
    assert!(!ev.detail.contains(&path), "env values are not recorded");
    let ev = probe("kind = \"env\"\nname = \"RUNSHEET_SURELY_UNSET_VAR\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");

    let ev = probe("kind = \"file\"\npath = \"/etc/hostname\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe("kind = \"file\"\npath = \"/no/such/file\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
}
