//! `runsheet secret set|list|rm`: secrets in the OS keyring, through the app (which picks the keyring service).
//!
//! A value is read from stdin when stdin is not a terminal (one trailing newline removed) or from a no-echo
//! prompt; never from argv, where it would land in shell history and `ps`. Only names are ever printed.

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use runsheet_app::Sensitive;

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

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    match cmd {
        Command::Set { name } => {
            // The name is checked before the value is asked for, so a typo does not cost a prompt.
            let name = runsheet_app::secrets::secret_name(&name)?;
            app.secret_store()?;
            let value = read_value(&name)?;
            app.set_secret(&name, value)?;
            eprintln!("stored secret {name} in the OS keyring");
        }
        Command::List { json } => {
            let names = app.secret_names()?;
            if json {
                print_json(&names)?;
            } else {
                for n in names {
                    println!("{n}");
                }
            }
        }
        Command::Rm { name } => {
            app.delete_secret(&name)?;
            eprintln!("removed secret {name}");
        }
    }
    Ok(())
}
