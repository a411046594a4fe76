//! `runsheet secret set|list|rm`: secrets in the OS keyring under the service `runsheet`.
//!
//! A value is read from stdin when stdin is not a terminal (one trailing newline removed) or from a no-echo
//! prompt; never from argv, where it would land in shell history and `ps`. Only names are ever printed.

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use runsheet_secrets::{SecretStore, Sensitive};

use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store a secret; the value is read from stdin or a no-echo prompt, never from argv.
    Set { name: String },
    /// List secret names (never values).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a secret.
    Rm { name: String },
}

/// The keyring service: `runsheet`, or `$RUNSHEET_SECRET_SERVICE` (tests use their own so they do not collide).
fn store() -> Result<SecretStore> {
    Ok(open_store()?)
}

/// The secret store every command uses (`probe run` and `probe check` resolve secrets through it too).
pub fn open_store() -> runsheet_secrets::Result<SecretStore> {
    let service = std::env::var("RUNSHEET_SECRET_SERVICE").unwrap_or_else(|_| runsheet_secrets::DEFAULT_SERVICE.into());
    SecretStore::with_service(&service)
}

fn read_value(name: &str) -> Result<Sensitive<String>> {
    let mut value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("value for secret {name} (not echoed): ")).context("reading the secret value")?
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading the secret value from stdin")?;
        s
    };
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        bail!("empty value: nothing stored for {name}");
    }
    Ok(Sensitive::new(value))
}

pub fn run(cmd: Command, _ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Set { name } => {
            if !runsheet_secrets::is_valid_secret_name(&name) {
                bail!("invalid secret name `{name}` (use letters, digits, `_`, `-` and `.`)");
            }
            let s = store()?;
            let value = read_value(&name)?;
            s.set(&name, &value)?;
            eprintln!("stored secret {name} in the OS keyring");
        }
        Command::List { json } => {
            let names = store()?.list()?;
            if json {
                print_json(&names)?;
            } else {
                for n in names {
                    println!("{n}");
                }
            }
        }
        Command::Rm { name } => {
            store()?.delete(&name)?;
            eprintln!("removed secret {name}");
        }
    }
    Ok(())
}
