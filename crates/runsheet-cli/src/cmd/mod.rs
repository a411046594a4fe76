//! One module per command domain. Each exposes a clap `Args`/`Subcommand` type and
//! `pub fn run(args, ctx: &Ctx) -> anyhow::Result<()>`; `main.rs` only dispatches.
//!
//! Every module is an adapter over `runsheet_app::App` (`ctx.app()`): it parses its arguments, calls the app and
//! prints the result. Workflows, checks and rules live in the app; none is written here, and nothing here opens
//! the database, the keyring, a probe runner or a report writer directly (the crate does not depend on them).

pub mod backup;
pub mod bench;
pub mod checklist;
pub mod due;
pub mod identity;
pub mod inspect;
pub mod probe;
pub mod rollback;
pub mod run;
pub mod secret;
pub mod signoff;
pub mod sync;
pub mod team;
pub mod verify;

use std::path::Path;

use anyhow::Result;

use runsheet_core::Checklist;

/// Read and parse a checklist file: (file name, decoded text, parsed), through the application layer's one decoder.
pub fn read_checklist_file(path: &Path) -> Result<(String, String, Checklist)> {
    Ok(runsheet_app::library::read_file(path)?)
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
