//! `shell` probes: exit codes, arming, a child that sleeps forever, 100 MB of output, secrets as env vars.

use std::time::Duration;

use runsheet_core::probe::{parse, Outcome, EXCERPT_LIMIT};
use runsheet_probes::{ProbeJob, ResolvedSecrets, Runner};
use runsheet_secrets::Sensitive;

use crate::support::*;

#[tokio::test]
async fn exit_codes_and_output() {
    let ev = probe("kind = \"shell\"\ncommand = \"echo hello; echo oops >&2\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(ev.exit_code, Some(0));
    assert_eq!(ev.excerpt, "hello\noops\n");
    let ev = probe("kind = \"shell\"\ncommand = \"exit 3\"\nexpect_exit = 3").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe("kind = \"shell\"\ncommand = \"exit 4\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert_eq!(ev.detail, "exit 4, expected 0");
}

#[tokio::test]
async fn unarmed_shell_probes_do_not_run() {
    let marker = temp_path("armed-marker");
    let spec = parse(&format!("kind = \"shell\"\ncommand = \"touch {}\"", marker.display())).unwrap();
    let ev = Runner::default()
        .run_one(&ProbeJob { item: "deploy".into(), index: 0, spec, armed: false, refusal: None }, &ResolvedSecrets::none())
        .await;
    assert_eq!(ev.outcome, Outcome::Error);
    assert!(ev.detail.contains("runsheet probe arm"), "{}", ev.detail);
    assert!(!marker.exists(), "an unarmed command must not run");
}

#[tokio::test]
async fn forked_child_sleeping_forever_is_killed_with_its_group() {
    let pidfile = temp_path("sleeper.pid");
    let ev = probe(&format!(
        "kind = \"shell\"\ncommand = \"sleep 1000 & echo $! > {}; wait\"\ntimeout = \"1s\"",
        pidfile.display()
    ))
    .await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(1500));
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    let _ = std::fs::remove_file(&pidfile);
    // The sleeper must be gone (reaped by init after SIGKILL): poll with a deadline.
    let gone = wait_for(Duration::from_secs(5), || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
    });
    assert!(gone, "child {pid} survived the probe's timeout");

    // A background child left behind by a command that exits at once is killed too, without waiting.
    let ev = probe("kind = \"shell\"\ncommand = \"sleep 1000 & echo started\"\ntimeout = \"5s\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_within(&ev, Duration::from_millis(2000));
}

#[tokio::test]
async fn hundred_megabytes_of_output_is_capped_while_streaming() {
    let ev = probe("kind = \"shell\"\ncommand = \"head -c 100000000 /dev/zero | tr '\\\\0' x\"\ntimeout = \"20s\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(ev.bytes, 100_000_000, "every byte is counted and hashed");
    assert_eq!(ev.excerpt.len(), EXCERPT_LIMIT);
    assert!(ev.excerpt_truncated);
    // An endless writer ends at the timeout with the same cap.
    let ev = probe("kind = \"shell\"\ncommand = \"yes\"\ntimeout = \"1s\"").await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(1500));
    assert!(ev.excerpt.len() <= EXCERPT_LIMIT);
}

#[tokio::test]
async fn secrets_reach_the_command_as_env_vars_and_are_masked() {
    let mut secrets = ResolvedSecrets::none();
    secrets.insert("deploy_token", Sensitive::new("dT0k-abcdef-123".into()));
    let spec = parse(
        "kind = \"shell\"\ncommand = \"echo token={{secret:deploy_token}}; echo env=$RUNSHEET_SECRET_DEPLOY_TOKEN; echo tbl=$T; cat /proc/$$/cmdline; echo\"\nenv = { T = \"{{secret:deploy_token}}\" }",
    )
    .unwrap();
    let ev = Runner::default().run_one(&ProbeJob { item: "i".into(), index: 0, spec, armed: true, refusal: None }, &secrets).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert!(ev.excerpt.contains("token=[secret:deploy_token]"), "{}", ev.excerpt);
    assert!(ev.excerpt.contains("env=[secret:deploy_token]"), "{}", ev.excerpt);
    assert!(ev.excerpt.contains("tbl=[secret:deploy_token]"), "{}", ev.excerpt);
    assert!(ev.excerpt.contains("${RUNSHEET_SECRET_DEPLOY_TOKEN}"), "argv carries the reference, not the value: {}", ev.excerpt);
    assert!(!serde_json::to_string(&ev.to_value()).unwrap().contains("dT0k-abcdef-123"));
}
