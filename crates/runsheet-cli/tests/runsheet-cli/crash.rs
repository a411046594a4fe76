//! The crash harness: `runsheet run set` is run for 1,000 item changes while processes are SIGKILLed at random
//! moments (`Child::kill` is SIGKILL on Unix). Every change the CLI reported as recorded must be in the database
//! afterwards, and every chain must still verify.
//!
//! Kill moments are drawn uniformly from 0 to 1.5 × the median run time of an unkilled `run set`, so kills land
//! in process start-up, opening/migrating, the write transaction, the commit and the printing of the confirmation.
//! Two workers run at once, so kills also land while the other process holds or waits for the write lock.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::{Home, DEPLOY_MD};

/// xorshift64*: a deterministic, seedable source of kill moments (the seed is printed for reproduction).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Running {
    child: Child,
    kill_at: Option<Instant>,
}

/// Parse the event id out of `recorded RUN ITEM = STATE by NAME (EVENT-ID)`.
fn reported_event(stdout: &str) -> Option<String> {
    let line = stdout.lines().find(|l| l.starts_with("recorded "))?;
    let start = line.rfind('(')? + 1;
    let end = line.rfind(')')?;
    Some(line[start..end].to_string())
}

#[test]
fn sigkill_during_1000_item_changes_loses_no_reported_event() {
    const CHANGES: usize = 1000;
    const WORKERS: usize = 2;
    let h = Home::new();
    let file = h.file("deploy.md", DEPLOY_MD);
    let run = h.ok(&["run", "new", file.to_str().expect("path"), "--title", "crash"]).trim().to_string();
    let show: serde_json::Value = serde_json::from_str(&h.ok(&["run", "show", &run, "--json"])).expect("json");
    let mut items = vec![];
    for p in show["phases"].as_array().into_iter().flatten() {
        for s in p["sections"].as_array().into_iter().flatten() {
            for it in s["items"].as_array().into_iter().flatten() {
                items.push(it["id"].as_str().expect("id").to_string());
            }
        }
    }
    let seed = std::env::var("RUNSHEET_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1) | 1);
    eprintln!("crash harness seed {seed} (set RUNSHEET_CRASH_SEED to reproduce)");
    let mut rng = Rng(seed);

    // Calibrate: the median duration of an unkilled `run set`.
    let mut samples = vec![];
    for i in 0..9 {
        let t = Instant::now();
        h.ok(&["run", "set", &run, &items[i % items.len()], "done"]);
        samples.push(t.elapsed());
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    let window = (median.as_micros() as u64 * 3 / 2).max(1);

    let mut reported: HashSet<String> = HashSet::new();
    let mut killed = 0usize;
    let mut started = 0usize;
    let mut running: Vec<Running> = vec![];
    let deadline = Instant::now() + Duration::from_secs(600);
    while started < CHANGES || !running.is_empty() {
        assert!(Instant::now() < deadline, "the harness must finish within 10 minutes");
        while running.len() < WORKERS && started < CHANGES {
            let item = &items[rng.below(items.len() as u64) as usize];
            let state = ["done", "failed", "blocked", "pending", "n/a"][rng.below(5) as usize];
            let note = format!("change {started}");
            let child = h
                .cmd(&["run", "set", &run, item, state, "--note", &note])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            // Two thirds of the processes get a kill moment; the rest run to completion.
            let kill_at = (rng.below(3) != 0).then(|| Instant::now() + Duration::from_micros(rng.below(window)));
            running.push(Running { child, kill_at });
            started += 1;
        }
        let mut i = 0;
        while i < running.len() {
            let r = &mut running[i];
            let done = r.child.try_wait().expect("try_wait").is_some();
            let due = r.kill_at.is_some_and(|t| Instant::now() >= t);
            if !done && !due {
                i += 1;
                continue;
            }
            if !done {
                let _ = r.child.kill(); // SIGKILL; the process may have just exited, which is fine
                killed += 1;
            }
            let r = running.swap_remove(i);
            let out = r.child.wait_with_output().expect("wait");
            if let Some(id) = reported_event(&String::from_utf8_lossy(&out.stdout)) {
                reported.insert(id);
            }
        }
        // Poll, not synchronise: yield the CPU briefly between checks of the running children.
        std::thread::sleep(Duration::from_micros(200));
    }

    // Every chain verifies, and every reported change is in the database.
    let verify = h.run(&["verify"]);
    assert!(
        verify.status.success(),
        "verify after {killed} kills: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&h.ok(&["run", "export", &run, "--format", "json"])).expect("json log");
    let stored: HashSet<String> = log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["id"].as_str().map(str::to_string))
        .collect();
    let lost: Vec<&String> = reported.iter().filter(|id| !stored.contains(*id)).collect();
    eprintln!(
        "crash harness: {CHANGES} changes started, {killed} SIGKILLed, {} reported as recorded, {} events stored (incl. run_created and 9 calibration changes), {} lost",
        reported.len(),
        stored.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "reported changes missing from the database: {lost:?}");
    assert!(killed > 100, "the harness must actually kill processes (killed {killed})");
    assert!(reported.len() > 100, "and let many of them report (reported {})", reported.len());
    assert!(stored.len() >= reported.len() + 10, "stored events include run_created, calibration and reported ones");
}
