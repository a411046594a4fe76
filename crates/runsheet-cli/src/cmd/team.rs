//! `runsheet team init-db|add-member|join|status`: team runs over the team's own PostgreSQL, through the app.
//!
//! Passwords never come from a flag's value (argv lands in shell history and `ps`). In this order: the URL,
//! stdin with `--password-stdin` (one line), `RUNSHEET_TEAM_PASSWORD` (scripts), a no-echo prompt when stdin is a
//! terminal. `join` keeps it in the OS keyring; the URL is stored without it.

use std::io::{IsTerminal, Read};

use anyhow::{Context, Result};
use clap::Subcommand;

use runsheet_app::Sensitive;

use crate::cmd::print_json;
use crate::ctx::Ctx;

/// The environment variable scripts use to give a team database password.
pub const PASSWORD_ENV: &str = "RUNSHEET_TEAM_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// As the database owner: create or migrate the team schema and the member group role.
    InitDb {
        url: String,
        /// Read the owner's password from stdin (when the URL holds none).
        #[arg(long)]
        password_stdin: bool,
    },
    /// As the database owner: create a login role for a member; prints the URL and password to hand over.
    AddMember {
        url: String,
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Join a team from this laptop (needs a signing identity): registers this device, keeps the URL (without
    /// password) and the password (in the OS keyring).
    Join {
        url: String,
        /// Your member name.
        #[arg(long = "as", value_name = "NAME")]
        as_: String,
        /// Read the password from stdin (when the URL holds none).
        #[arg(long)]
        password_stdin: bool,
    },
    /// The team server, each shared run's outbox and last sync, and the members' devices.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// The password for `url` when the URL holds none: `RUNSHEET_TEAM_PASSWORD`, stdin with `--password-stdin`, or a
/// no-echo prompt on a terminal; `None` otherwise (the server then says whether it needs one).
fn password(url: &str, from_stdin: bool) -> Result<Option<Sensitive<String>>> {
    if runsheet_app::sync::url_has_password(url)? {
        return Ok(None);
    }
    let mut value = if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading the password from stdin")?;
        s.lines().next().unwrap_or_default().to_string()
    } else if let Some(v) = std::env::var(PASSWORD_ENV).ok().filter(|v| !v.is_empty()) {
        v
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("team database password (not echoed): ").context("reading the password")?
    } else {
        return Ok(None);
    };
    if value.ends_with('\r') {
        value.pop();
    }
    Ok((!value.is_empty()).then(|| Sensitive::new(value)))
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    match cmd {
        Command::InitDb { url, password_stdin } => {
            let v = app.team_init_db(&url, password(&url, password_stdin)?)?;
            println!("team database ready (schema version {v})");
        }
        Command::AddMember { url, name, password_stdin } => {
            let m = app.team_add_member(&url, &name, password(&url, password_stdin)?)?;
            println!("member role {} created; hand over the URL and, separately, the password:", m.role);
            println!("  URL:      {}", m.url);
            println!("  password: {}", m.password.expose());
            println!("they run: runsheet team join {} --as {}", m.url, m.role);
        }
        Command::Join { url, as_, password_stdin } => {
            let j = app.team_join(&url, &as_, password(&url, password_stdin)?)?;
            println!("joined {} as {} (device {}, certificate {})", j.url, j.member, j.device, j.fingerprint);
            if j.password_stored {
                println!("the password is in the OS keyring; the URL is stored without it");
            }
        }
        Command::Status { json } => {
            let s = app.team_status()?;
            if json {
                return print_json(&s);
            }
            let Some(server) = &s.server else {
                println!("not in a team: runsheet team join URL --as NAME");
                return Ok(());
            };
            println!("server:  {server} ({})", if s.reachable { "reachable" } else { "unreachable" });
            if let Some(e) = &s.server_error {
                println!("         {e}");
            }
            println!("member:  {} (device {})", s.member.as_deref().unwrap_or("?"), s.device);
            println!("runs:");
            if s.runs.is_empty() {
                println!("  none shared yet: runsheet run share RUN");
            }
            for r in &s.runs {
                let last = r.last_sync.map_or("never".to_string(), |t| t.to_rfc3339());
                println!("  {}  outbox {}  last sync {}  {}", r.run_id, r.outbox, last, r.title);
                if let Some(e) = &r.last_error {
                    println!("    last attempt failed: {e}");
                }
            }
            println!("members:");
            for m in &s.members {
                let fp = m.fingerprint.as_deref().unwrap_or("no signed event seen yet");
                let me = if m.this_device { "  (this laptop)" } else { "" };
                println!("  {}  device {}  certificate {fp}{me}", m.role, m.device);
            }
        }
    }
    Ok(())
}
