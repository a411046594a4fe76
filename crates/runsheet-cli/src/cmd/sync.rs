//! `runsheet sync [RUN] [--watch]`: push and pull shared runs through the app; with `--watch`, keep listening and
//! print a line per change until interrupted. A full run id that is only on the server is fetched.

use std::ops::ControlFlow;

use anyhow::Result;

use runsheet_app::sync::{RunSync, WatchEvent};

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A shared run (id or unique prefix), or the full id of a run another laptop shared.
    run: Option<String>,
    /// Keep syncing: listen for changes and reconnect when the server goes away.
    #[arg(long)]
    watch: bool,
}

fn line(r: &RunSync) -> String {
    let fetched = if r.created { " (fetched from the team database)" } else { "" };
    format!("synced {}: pushed {}, pulled {}{fetched}", r.run_id, r.pushed, r.pulled)
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    if !args.watch {
        let runs = app.sync(args.run.as_deref())?;
        if runs.is_empty() {
            println!("no shared runs: runsheet run share RUN");
        }
        for r in &runs {
            println!("{}", line(r));
        }
        return Ok(());
    }
    app.watch(args.run.as_deref(), &mut |e| {
        match e {
            WatchEvent::Listening => eprintln!("listening for changes (Ctrl-C stops)"),
            WatchEvent::Synced(r) => println!("{}", line(&r)),
            WatchEvent::Retrying { message, retry_in } => {
                eprintln!("sync failed: {message}; retrying in {} ms", retry_in.as_millis());
            }
            WatchEvent::Idle => {}
        }
        ControlFlow::Continue(())
    })?;
    Ok(())
}
