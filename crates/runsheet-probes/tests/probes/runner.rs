//! The runner: concurrency limit, cancellation, retries with backoff.

use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_core::probe::{parse, Outcome};
use runsheet_probes::{ProbeJob, ResolvedSecrets, Runner};

use crate::support::*;

fn job(toml: &str) -> ProbeJob {
    ProbeJob { item: "i".into(), index: 0, spec: parse(toml).unwrap(), armed: true, refusal: None }
}

#[tokio::test]
async fn hanging_targets_run_concurrently() {
    let hang = http_server(Behavior::Hang, None).await;
    let ok = http_server(Behavior::Respond(200, "text/plain", "ok".into()), None).await;
    let mut jobs = Vec::new();
    for i in 0..40 {
        let addr = if i % 4 == 0 { hang } else { ok };
        jobs.push(job(&format!("kind = \"http\"\nurl = \"http://{addr}/\"\ntimeout = \"1s\"")));
    }
    let t = Instant::now();
    let results = Runner::new(16).run(jobs, Arc::new(ResolvedSecrets::none())).await;
    assert!(t.elapsed() < Duration::from_millis(1800), "took {:?}", t.elapsed());
    assert_eq!(results.iter().filter(|r| r.evidence.outcome == Outcome::Timeout).count(), 10);
    assert_eq!(results.iter().filter(|r| r.evidence.outcome == Outcome::Pass).count(), 30);
}

#[tokio::test]
async fn concurrency_limit_is_respected() {
    let hang = http_server(Behavior::Hang, None).await;
    let jobs: Vec<_> = (0..4).map(|_| job(&format!("kind = \"http\"\nurl = \"http://{hang}/\"\ntimeout = \"500ms\""))).collect();
    let t = Instant::now();
    Runner::new(2).run(jobs, Arc::new(ResolvedSecrets::none())).await;
    assert!(t.elapsed() >= Duration::from_millis(1000), "4 hanging probes, 2 at a time: {:?}", t.elapsed());
}

#[tokio::test]
async fn cancellation_stops_running_probes() {
    let runner = Runner::default();
    let token = runner.cancel_token();
    let t = Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel();
    });
    let results = runner.run(vec![job("kind = \"shell\"\ncommand = \"sleep 30\"\ntimeout = \"30s\"")], Arc::new(ResolvedSecrets::none())).await;
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(results[0].evidence.outcome, Outcome::Error);
    assert_eq!(results[0].evidence.detail, "cancelled");
}

#[tokio::test]
async fn retries_with_backoff_until_a_pass() {
    let flag = temp_path("retry-flag");
    // Fails the first time (creates the flag), passes the second.
    let toml = format!(
        "kind = \"shell\"\ncommand = \"test -e {f} || {{ touch {f}; exit 1; }}\"\nretries = 2",
        f = flag.display()
    );
    let ev = Runner::default().run_one(&job(&toml), &ResolvedSecrets::none()).await;
    let _ = std::fs::remove_file(&flag);
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(ev.attempts, 2);
    let ev = Runner::default().run_one(&job("kind = \"shell\"\ncommand = \"exit 1\"\nretries = 2"), &ResolvedSecrets::none()).await;
    assert_eq!((ev.outcome, ev.attempts), (Outcome::Fail, 3));
}
