use std::time::Duration;

/// The benchmark appends as many events as asked to a run of a generated checklist in its own `bench.db`,
/// times each, and verifies the chain afterwards; asked for none, it reports zeros rather than failing.
#[test]
fn append_latency_times_every_append_and_verifies_the_chain() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let r = runsheet_app::bench::append_latency(dir.path(), 9, 4).expect("the benchmark runs");
    assert_eq!(r.sorted.len(), 9, "one timing per event");
    assert_eq!(r.items, 4);
    assert_eq!(r.db, dir.path().join(runsheet_app::bench::BENCH_DB));
    assert!(r.verified, "the appended chain verifies");
    assert!(r.sorted.windows(2).all(|w| w[0] <= w[1]), "timings are sorted");
    assert!(r.quantile(0.5) <= r.quantile(0.95) && r.quantile(0.95) <= r.max(), "quantiles are ordered");
    assert_eq!(r.quantile(1.0), r.max());
    assert!(!dir.path().join("runsheet.db").exists(), "never an installation's database");

    // Signed: every event carries a signature that holds (checked after timing).
    let s = runsheet_app::bench::append_latency_with(dir.path(), 5, 3, true).expect("the signed benchmark runs");
    assert!(s.signed && s.verified && s.sorted.len() == 5, "{s:?}");

    // A second run replaces the scratch database rather than appending to the old one.
    let again = runsheet_app::bench::append_latency(dir.path(), 0, 1).expect("nothing to append is fine");
    assert!(again.sorted.is_empty() && again.verified);
    assert_eq!((again.quantile(0.5), again.max()), (Duration::ZERO, Duration::ZERO));
}
