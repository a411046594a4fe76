//! `runsheet secret set|allow|list|rm`: secrets in the OS keyring, through the app (which picks the keyring
//! service), each with the hosts it may be sent to and whether shell probes may receive it.
//!
//! A value is read from stdin when stdin is not a terminal (one trailing newline removed) or from a no-echo
//! prompt; never from argv, where it would land in shell history and `ps`. Only names are ever printed.

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use runsheet_app::secrets::SecretBinding;
use runsheet_app::Sensitive;
use serde::Serialize;

use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store a secret; the value is read from stdin or a no-echo prompt, never from argv. With --host/--shell
    /// its binding is replaced by those; without, the stored binding is kept (a new secret is bound nowhere and
    /// refused by every probe until allowed).
    Set {
        name: String,
        /// A host the secret may be sent to (repeat for several; no scheme or port).
        #[arg(long = "host", value_name = "HOST")]
        hosts: Vec<String>,
        /// Shell probes may receive it.
        #[arg(long)]
        shell: bool,
    },
    /// Allow a stored secret to be sent to more hosts, or to shell probes (adds to its binding).
    Allow {
        name: String,
        #[arg(long = "host", value_name = "HOST")]
        hosts: Vec<String>,
        #[arg(long)]
        shell: bool,
    },
    /// List secret names and where each may be sent (never values).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a secret.
    Rm { name: String },
}

/// One secret of `secret list --json`.
#[derive(Debug, Serialize)]
struct ListRow {
    name: String,
    hosts: Vec<String>,
    allow_shell: bool,
}

fn describe(b: &SecretBinding) -> String {
    let mut parts: Vec<String> = b.hosts.iter().cloned().collect();
    if b.allow_shell {
        parts.push("shell probes".into());
    }
    if parts.is_empty() {
        "bound to no host: probes are refused until `runsheet secret allow` names one".into()
    } else {
        format!("may be sent to {}", parts.join(", "))
    }
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
        Command::Set { name, hosts, shell } => {
            // The name and hosts are checked before the value is asked for, so a typo does not cost a prompt.
            let name = runsheet_app::secrets::secret_name(&name)?;
            for h in &hosts {
                runsheet_app::secrets::bind_host(h)?;
            }
            app.secret_store()?;
            let value = read_value(&name)?;
            let binding =
                (!hosts.is_empty() || shell).then(|| SecretBinding::new(hosts.iter().map(String::as_str), shell));
            app.set_secret(&name, value, binding)?;
            eprintln!("stored secret {name} in the OS keyring ({})", describe(&app.secret_binding(&name)?));
        }
        Command::Allow { name, hosts, shell } => {
            let binding = app.allow_secret(&name, &hosts, shell)?;
            eprintln!("secret {name}: {}", describe(&binding));
        }
        Command::List { json } => {
            let rows: Vec<ListRow> = app
                .secret_names()?
                .into_iter()
                .map(|name| -> Result<ListRow> {
                    let b = app.secret_binding(&name)?;
                    Ok(ListRow { name, hosts: b.hosts.into_iter().collect(), allow_shell: b.allow_shell })
                })
                .collect::<Result<_>>()?;
            if json {
                print_json(&rows)?;
            } else {
                for r in rows {
                    let mut to = r.hosts.join(", ");
                    if r.allow_shell {
                        to = if to.is_empty() { "shell".into() } else { format!("{to}, shell") };
                    }
                    if to.is_empty() {
                        to = "nowhere yet (`runsheet secret allow`)".into();
                    }
                    println!("{}  -> {to}", r.name);
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
