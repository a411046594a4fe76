//! What every command needs besides its arguments: the application (built lazily, once, for `RUNSHEET_HOME` or
//! the platform app-data dir) and the operator name. Everything else — the database, the keyring, probes,
//! reports, the clock — is reached through [`App`].
//!
//! The app opens the database only when a workflow needs it, so commands that never touch it (`inspect`,
//! `secret`, `identity`) work even when the database file is damaged.

use std::cell::OnceCell;

use anyhow::Result;

use runsheet_app::App;

/// Per-invocation context handed to every command.
#[derive(Debug, Default)]
pub struct Ctx {
    app: OnceCell<App>,
}

impl Ctx {
    pub fn new() -> Self {
        Self::default()
    }

    /// The application (built on first use from `RUNSHEET_HOME` or the platform app-data dir; it opens the
    /// database only when a workflow needs it).
    pub fn app(&self) -> Result<&App> {
        if let Some(a) = self.app.get() {
            return Ok(a);
        }
        let app = App::new(App::default_home()?);
        Ok(self.app.get_or_init(|| app))
    }

    /// The operator name: `--as NAME` if given, else `$RUNSHEET_OPERATOR`, else the OS user name.
    pub fn operator(&self, as_: Option<&str>) -> String {
        if let Some(name) = as_.map(str::trim).filter(|s| !s.is_empty()) {
            return name.to_string();
        }
        for var in ["RUNSHEET_OPERATOR", "USER", "USERNAME", "LOGNAME"] {
            if let Ok(v) = std::env::var(var) {
                if !v.trim().is_empty() {
                    return v.trim().to_string();
                }
            }
        }
        os_user_name().unwrap_or_else(|| "unknown".to_string())
    }
}

impl Ctx {
    /// The operator name for a change to `run`: `--as NAME` if given; else, in a shared run, the name this
    /// device writes as there (its identity: the app refuses any other); else [`Ctx::operator`]'s default.
    pub fn operator_in(&self, run: &str, as_: Option<&str>) -> String {
        if as_.is_some_and(|a| !a.trim().is_empty()) {
            return self.operator(as_);
        }
        // An unknown run falls back to the default: the command itself then reports the run.
        match self.app().ok().map(|app| app.shared_actor(run)) {
            Some(Ok(Some(name))) => name,
            _ => self.operator(None),
        }
    }
}

/// The OS user name when no environment variable names it (Linux/Unix: the real uid looked up in /etc/passwd).
fn os_user_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then(|| name.to_string())
    })
}
