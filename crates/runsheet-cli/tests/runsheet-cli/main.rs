//! Integration tests of the `runsheet` binary: each test runs the built executable with `RUNSHEET_HOME` in a
//! temporary directory. Modules mirror `src/` (`cmd` for the commands, `rollback` for `trigger`/`decide`, `crash`
//! for the SIGKILL harness), plus `run_log` for the JSON run log against its schema, `team` for team sync against a
//! real PostgreSQL.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cmd;
mod crash;
#[path = "../../../../tests/support/http_server.rs"]
mod http_server;
#[path = "../../../runsheet-sync/tests/common/mod.rs"]
mod pg_support;
mod rollback;
mod run_log;
#[path = "../../../../tests/support/seeds.rs"]
mod seed_support;
mod team;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_runsheet");

/// A scratch home for one test.
#[derive(Debug)]
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Home {
        Home::new()
    }
}

impl Home {
    pub fn new() -> Home {
        Home { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("home").join("runsheet.db")
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("RUNSHEET_HOME", self.path().join("home"))
            .env("RUNSHEET_OPERATOR", "alice")
            .env_remove("RUST_BACKTRACE")
            .stdin(std::process::Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run runsheet")
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "runsheet {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Run and require failure with exit code `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "runsheet {args:?} should exit {code}; stderr: {stderr}");
        assert!(!stderr.contains("panicked"), "no panic: {stderr}");
        stderr
    }

    /// Write a file into the scratch dir.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).expect("write file");
        p
    }
}

/// A small checklist with phases, nesting and a sign-off line.
pub const DEPLOY_MD: &str = "\
# Deploy web service

## Preparation

- [ ] Announce the change window
- [ ] Back up the database
  - [ ] Verify the backup restores

## Deployment

- [ ] Deploy the new version
- [ ] Health check passes

## Sign-off

- [ ] Technical Lead: ______ Date: ____
";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
