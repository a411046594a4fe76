//! What every command needs besides its arguments: the store (opened lazily, once, from `RUNSHEET_HOME` or the
//! platform app-data dir), the operator name, the clock, and resolving run/checklist id prefixes.
//!
//! Commands that never touch the database (`inspect`, `secret`) never open it, so they work even when the database
//! file is damaged.

use std::cell::OnceCell;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use runsheet_app::App;
use runsheet_store::Store;

/// Per-invocation context handed to every command.
#[derive(Debug, Default)]
pub struct Ctx {
    store: OnceCell<Store>,
    app: OnceCell<App>,
}

impl Ctx {
    pub fn new() -> Self {
        Self::default()
    }

    /// The store, opened on first use.
    pub fn store(&self) -> Result<&Store> {
        if let Some(s) = self.store.get() {
            return Ok(s);
        }
        let store = Store::open_default()?;
        Ok(self.store.get_or_init(|| store))
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

    /// The current time (the only clock read in the CLI, so commands stay easy to reason about).
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Resolve a run id or unique id prefix to the full run id.
    pub fn resolve_run(&self, prefix: &str) -> Result<String> {
        let store = self.store()?;
        store.resolve_run(prefix).with_context(|| format!("finding run `{prefix}`"))
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
