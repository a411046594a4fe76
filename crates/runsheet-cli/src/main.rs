//! The `runsheet` command: a thin layer of clap parsing over the application crate, `runsheet_app`.
//!
//! `main` parses the command line, builds a [`ctx::Ctx`] (the lazily built app, the operator name) and hands the
//! parsed arguments to the module under `cmd/` that owns the domain. Each domain module exposes a clap type and a
//! `run(args, ctx) -> anyhow::Result<()>`; this file knows nothing else about them. Errors print as
//! `error: ...` with their context chain and exit 1 (clap's usage errors exit 2).

mod cmd;
mod ctx;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::ctx::Ctx;

/// Deployment run sheets: Markdown checklists, hash-chained run logs, probes and signed reports.
#[derive(Debug, Parser)]
#[command(name = "runsheet", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse a Markdown checklist and print its tree.
    Inspect(cmd::inspect::Args),
    /// The checklist library: import and list.
    #[command(subcommand)]
    Checklist(cmd::checklist::Command),
    /// Runs: create, list, show, set item states, export.
    #[command(subcommand)]
    Run(cmd::run::Command),
    /// Check every run's hash chain (or one run's, or a signed PDF / JSON run log).
    Verify(cmd::verify::Args),
    /// Write an online backup of the database to FILE.
    Backup(cmd::backup::Args),
    /// What is upcoming, due or late across open runs (planned from the checklist's timing hints).
    Due(cmd::due::Args),
    /// Probes: run, preflight-check, arm.
    #[command(subcommand)]
    Probe(cmd::probe::Command),
    /// Secrets in the OS keyring (names only are ever printed).
    #[command(subcommand)]
    Secret(cmd::secret::Command),
    /// Sign off a role of a run.
    Signoff(cmd::signoff::Args),
    /// Declare that a rollback trigger of a run fired (the run then waits for a decision).
    Trigger(cmd::rollback::TriggerArgs),
    /// Decide on a fired rollback trigger: rollback, or continue with --reason.
    Decide(cmd::rollback::DecideArgs),
    /// Waive an item (reason and approver recorded) so a sign-off can proceed.
    Waive(cmd::signoff::WaiveArgs),
    /// The signing identity (key in the OS keyring, X.509 certificate).
    #[command(subcommand)]
    Identity(cmd::identity::Command),
    /// Team runs over the team's PostgreSQL: init-db, add-member, join, status.
    #[command(subcommand)]
    Team(cmd::team::Command),
    /// Push and pull shared runs (every shared run without RUN); --watch keeps listening.
    Sync(cmd::sync::Args),
    /// Measure event append latency (file-backed, realistic); prints p50/p95.
    #[command(hide = true)]
    Bench(cmd::bench::Args),
}

/// Ends quietly on a closed pipe (`runsheet run list --json | head`), as Unix tools do, instead of panicking
/// inside `println!` when Rust's default ignored SIGPIPE turns the write into an error.
#[cfg(unix)]
#[allow(unsafe_code)]
fn restore_sigpipe() {
    use nix::sys::signal::{signal, SigHandler, Signal};
    // SAFETY: called first in `main`, before any other thread exists; SIG_DFL installs no Rust handler.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

fn main() -> ExitCode {
    #[cfg(unix)]
    restore_sigpipe();
    let cli = Cli::parse();
    let ctx = Ctx::new();
    let result = match cli.command {
        Command::Inspect(a) => cmd::inspect::run(a, &ctx),
        Command::Checklist(c) => cmd::checklist::run(c, &ctx),
        Command::Run(c) => cmd::run::run(c, &ctx),
        Command::Verify(a) => cmd::verify::run(a, &ctx),
        Command::Backup(a) => cmd::backup::run(a, &ctx),
        Command::Due(a) => cmd::due::run(a, &ctx),
        Command::Probe(c) => cmd::probe::run(c, &ctx),
        Command::Secret(c) => cmd::secret::run(c, &ctx),
        Command::Signoff(a) => cmd::signoff::run(a, &ctx),
        Command::Waive(a) => cmd::signoff::waive(a, &ctx),
        Command::Trigger(a) => cmd::rollback::trigger(a, &ctx),
        Command::Decide(a) => cmd::rollback::decide(a, &ctx),
        Command::Identity(c) => cmd::identity::run(c, &ctx),
        Command::Team(c) => cmd::team::run(c, &ctx),
        Command::Sync(a) => cmd::sync::run(a, &ctx),
        Command::Bench(a) => cmd::bench::run(a, &ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole context chain on one line: "opening run 0193…: no run matches".
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
