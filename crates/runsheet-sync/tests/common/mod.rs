//! A real PostgreSQL 15 on loopback for tests and the benchmark: initdb + pg_ctl as the `postgres` user on a temp
//! dir, scram-sha-256, a free port, stopped by a Drop guard even when the test fails.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::TimeZone;
use runsheet_core::event::{Event, EventBody, Parent};

pub const BIN: &str = "/usr/lib/postgresql/15/bin";
pub const OWNER_PW: &str = "owner-secret";

#[derive(Debug)]
pub struct Pg {
    dir: PathBuf,
    pub port: u16,
}

/// None (with a printed line) when PostgreSQL 15 is not installed and CI is not set; with CI set, it is required.
pub fn start() -> Option<Pg> {
    if !Path::new(BIN).join("initdb").exists() {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
            panic!("CI is set but {BIN} is missing: install postgresql-15");
        }
        println!("skipped: {BIN} is missing (install postgresql-15 to run the team sync tests)");
        return None;
    }
    let dir = tempfile::Builder::new().prefix("runsheet-pg").tempdir().unwrap().keep();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir));
    let pw = dir.join("pw");
    std::fs::write(&pw, OWNER_PW).unwrap();
    run(Command::new("chown").arg("postgres").arg(&pw));
    let data = dir.join("data");
    let pg = Pg { dir: dir.clone(), port };
    run(Command::new("runuser").args(["-u", "postgres", "--"]).arg(format!("{BIN}/initdb")).args([
        "-A", "scram-sha-256", "-U", "postgres", "--pwfile",
    ]).arg(&pw).arg("-D").arg(&data));
    pg.start_again();
    Some(pg)
}

fn run(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

impl Pg {
    pub fn url(&self, user: &str, pw: &str) -> String {
        format!("postgresql://{user}:{pw}@127.0.0.1:{}/postgres", self.port)
    }
    pub fn owner(&self) -> String {
        self.url("postgres", OWNER_PW)
    }
    /// Start the server (again) on its data directory and port: after [`Pg::stop`], a restart.
    pub fn start_again(&self) {
        let opts = format!("-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={}", self.port, self.dir.display());
        run(Command::new("runuser").args(["-u", "postgres", "--"]).arg(format!("{BIN}/pg_ctl"))
            .arg("-D").arg(self.dir.join("data")).arg("-l").arg(self.dir.join("log")).args(["-w", "-o", &opts, "start"]));
    }
    /// An immediate stop (as a crash would).
    pub fn stop(&self) {
        let _ = Command::new("runuser").args(["-u", "postgres", "--"]).arg(format!("{BIN}/pg_ctl"))
            .arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "-w", "stop"]).output();
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A chain of `n` numbered events of `run` written by `device` (the first a run_created when `root`).
pub fn chain(run: &str, device: &str, n: u64, parent: Option<Parent>) -> Vec<Event> {
    let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().unwrap();
    let mut out: Vec<Event> = Vec::new();
    let mut prev = parent;
    for i in 1..=n {
        let parents: Vec<Parent> = prev.iter().cloned().collect();
        let e = Event::new(format!("{device}-{i}"), run.into(), device.into(), &parents, at, "alice".into(),
            EventBody::NoteAdded { item: "i1".into(), note: format!("note {i}") }).with_device_seq(i);
        prev = Some(Parent::from(&e));
        out.push(e);
    }
    out
}

pub fn known(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(d, s)| (d.to_string(), *s)).collect()
}
