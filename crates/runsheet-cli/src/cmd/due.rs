//! `runsheet due [--json] [--at TIME]`: what is upcoming, due or late across open runs, for scripts and cron.
//! One row per phase or section with a planned time (`runsheet_app::due`).

use anyhow::Result;

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON (an array of rows) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Judge at this time instead of now (RFC 3339, or YYYY-MM-DD HH:MM in UTC).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    let now = match &args.at {
        Some(t) => super::run::parse_time(t, "--at")?,
        None => app.now(),
    };
    let rows = app.due(now)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("nothing planned is open (runs need a change window, `run new --window START..END`, for planned times)");
        return Ok(());
    }
    println!("{:<9} {:>8}  {:<16}  {:<13}  WHAT", "STATE", "LATE", "PLANNED (UTC)", "RUN");
    for r in rows {
        let late = if r.late_minutes > 0 { duration(r.late_minutes) } else { String::new() };
        // A heading that is its own hint (`First Day`) is named once.
        let what = if r.label.eq_ignore_ascii_case(&r.title) { r.title } else { format!("{} ({})", r.title, r.label) };
        println!(
            "{:<9} {:>8}  {:<16}  {:<13}  {} · {what}, {} open",
            r.state.as_str(),
            late,
            r.planned.format("%Y-%m-%d %H:%M"),
            r.run_id.get(..13).unwrap_or(&r.run_id),
            r.run_title,
            r.open_items
        );
    }
    Ok(())
}

/// `95` → `1h35m`, `3000` → `2d2h`.
fn duration(minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h{m:02}m"),
        _ => format!("{d}d{h}h"),
    }
}
