//! `runsheet run new|list|show|set|export`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Subcommand;

use runsheet_core::event::{EventBody, ItemState};
use runsheet_core::run::RunState;
use runsheet_core::signoff::GateVerdict;
use runsheet_core::Item;
use runsheet_store::NewRun;

use crate::cmd::pdf::Paper;
use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a run from a checklist (id, unique id prefix, or a file that is imported first); prints the run id.
    New {
        checklist: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        version: Option<String>,
        #[arg(long = "env")]
        environment: Option<String>,
        /// Change window, START..END (RFC 3339, or `YYYY-MM-DD HH:MM` / `YYYY-MM-DDTHH:MM` in UTC).
        #[arg(long)]
        window: Option<String>,
        #[arg(long = "as")]
        as_: Option<String>,
    },
    /// List runs with progress and status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show every item of a run with its state.
    Show {
        run: String,
        #[arg(long)]
        json: bool,
    },
    /// Set an item's state: pending, done, skipped (needs --reason), failed, blocked, n/a.
    Set {
        run: String,
        item: String,
        state: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "as")]
        as_: Option<String>,
    },
    /// Export a run as Markdown, a JSON run log, or a signed PDF.
    Export {
        run: String,
        #[arg(long, value_enum)]
        format: Format,
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Paper::A4)]
        paper: Paper,
        /// Markdown layout: the checklist with states (re-importable) or a deployment log (timeline, issues,
        /// sign-off) like the log templates teams keep.
        #[arg(long, value_enum, default_value_t = MdLayout::Checklist)]
        layout: MdLayout,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MdLayout {
    Checklist,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
    Pdf,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::New { checklist, title, version, environment, window, as_ } => {
            let checklist_id = resolve_checklist_arg(&checklist, ctx)?;
            let (window_start, window_end) = match window.as_deref() {
                Some(w) => parse_window(w)?,
                None => (None, None),
            };
            let operator = ctx.operator(as_.as_deref());
            let new = NewRun { checklist_id, title, version, environment, window_start, window_end, operator };
            let id = ctx.store()?.create_run(new, ctx.now()).context("creating the run")?;
            println!("{id}");
            Ok(())
        }
        Command::List { json } => {
            let runs = ctx.store()?.list_runs()?;
            if json {
                return print_json(&runs);
            }
            if runs.is_empty() {
                println!("no runs yet: runsheet run new CHECKLIST --title T");
            }
            for r in runs {
                let p = r.progress;
                println!("{}  {:<11}  {}/{}  {}", r.id, r.status.as_str(), p.settled(), p.total, r.title);
            }
            Ok(())
        }
        Command::Show { run, json } => {
            let state = load(&run, ctx)?;
            if json {
                return print_json(&state.to_json(ctx.now()));
            }
            print!("{}", show_text(&state));
            Ok(())
        }
        Command::Set { run, item, state, reason, note, as_ } => {
            let run_id = ctx.resolve_run(&run)?;
            let state = ItemState::parse(&state).ok_or_else(|| {
                anyhow!("unknown state `{state}` (expected pending, done, skipped, failed, blocked or n/a)")
            })?;
            let current = ctx.store()?.run_state(&run_id)?;
            let item = resolve_item(&current, &item)?;
            let actor = ctx.operator(as_.as_deref());
            // Advisory phase gates warn; strict ones are refused by the store itself.
            if let GateVerdict::Warn { blockers } = ctx.store()?.gate(&run_id, &item, ctx.now())? {
                for b in blockers {
                    eprintln!("warning: {b}");
                }
            }
            let body = EventBody::ItemSet { item: item.clone(), state, reason, note };
            let event = ctx
                .store()?
                .append(&run_id, &actor, body, ctx.now())
                .with_context(|| format!("setting {item} in run {run_id}"))?;
            // Printed only after `append` returned, i.e. after the commit reached the disk.
            println!("recorded {} {} = {} by {} ({})", short(&run_id), item, state, actor, event.id);
            Ok(())
        }
        Command::Export { run, format, output, paper, layout } => {
            let run_id = ctx.resolve_run(&run)?;
            let text = match format {
                Format::Pdf => return crate::cmd::pdf::export(&run_id, output, paper, ctx),
                // The one run log writer: the same document the signed PDF carries.
                Format::Json => {
                    let state = ctx.store()?.run_state(&run_id)?;
                    String::from_utf8(runsheet_report::run_log_json(&state, ctx.now())?)
                        .context("the run log is not UTF-8")?
                }
                Format::Md if layout == MdLayout::Log => {
                    let state = ctx.store()?.run_state(&run_id)?;
                    let input = runsheet_report::ReportInput::from_state(&state, ctx.now())?;
                    runsheet_report::markdown::deployment_log(&input)
                }
                Format::Md => runsheet_core::run::export_markdown(&ctx.store()?.run_state(&run_id)?),
            };
            match output {
                Some(path) => write_file(&path, &text)?,
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

fn load(run: &str, ctx: &Ctx) -> Result<RunState> {
    let run_id = ctx.resolve_run(run)?;
    Ok(ctx.store()?.run_state(&run_id)?)
}

/// CHECKLIST argument of `run new`: an existing file is imported first; otherwise an id or unique id prefix.
fn resolve_checklist_arg(arg: &str, ctx: &Ctx) -> Result<String> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(crate::cmd::checklist::import(path, ctx)?.id);
    }
    ctx.store()?.resolve_checklist(arg).with_context(|| format!("`{arg}` is neither a file nor a checklist id"))
}

/// An item id, or a unique prefix of one, or the exact item text.
fn resolve_item(state: &RunState, arg: &str) -> Result<String> {
    if state.items.contains_key(arg) {
        return Ok(arg.to_string());
    }
    let by_prefix: Vec<&String> = state.items.keys().filter(|k| k.starts_with(arg)).collect();
    if by_prefix.len() == 1 {
        return Ok(by_prefix[0].clone());
    }
    let by_text: Vec<String> =
        state.checklist.items().into_iter().filter(|(_, _, i)| i.text == arg).map(|(_, _, i)| i.id.clone()).collect();
    if by_text.len() == 1 {
        return Ok(by_text[0].clone());
    }
    if by_prefix.len() > 1 {
        bail!("item `{arg}` is ambiguous: {}", by_prefix.iter().take(5).map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
    }
    bail!("no item `{arg}` in run {} (see `runsheet run show {}`)", state.run_id, short(&state.run_id))
}

/// START..END with RFC 3339 or `YYYY-MM-DD HH:MM` (UTC) on each side.
pub fn parse_window(w: &str) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    let (a, b) = w.split_once("..").ok_or_else(|| anyhow!("--window `{w}`: expected START..END"))?;
    let one = |s: &str| -> Result<Option<DateTime<Utc>>> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(Some(t.and_utc()));
            }
        }
        bail!("--window: `{s}` is not a time (use RFC 3339 or YYYY-MM-DD HH:MM, UTC)")
    };
    Ok((one(a)?, one(b)?))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

fn show_text(s: &RunState) -> String {
    fn item(out: &mut String, s: &RunState, it: &Item, depth: usize) {
        let st = s.items.get(&it.id).cloned().unwrap_or_default();
        let glyph = match st.state {
            ItemState::Pending => "[ ]",
            ItemState::Done => "[x]",
            ItemState::Skipped => "[-]",
            ItemState::Failed => "[!]",
            ItemState::Blocked => "[b]",
            ItemState::NotApplicable => "[/]",
        };
        out.push_str(&format!("{}{glyph} {}  {}  line {}", "  ".repeat(depth + 1), it.text, it.id, it.line));
        if st.state != ItemState::Pending {
            out.push_str(&format!("  {}", st.state));
            if let (Some(by), Some(at)) = (&st.by, st.at) {
                out.push_str(&format!(" by {by} at {}", at.format("%Y-%m-%d %H:%M:%S UTC")));
            }
        }
        if let Some(r) = &st.reason {
            out.push_str(&format!("  reason: {r}"));
        }
        if let Some(n) = &st.note {
            out.push_str(&format!("  note: {n}"));
        }
        out.push('\n');
        for c in &it.children {
            item(out, s, c, depth + 1);
        }
    }
    let p = s.progress();
    let mut out = format!("{}  ({})\n", s.meta.title, s.run_id);
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "checklist: {}  version: {}  environment: {}  operator: {}\nstatus: {}  {}/{} settled ({} done, {} skipped, {} failed, {} blocked, {} n/a)\n",
        s.checklist.title,
        opt(&s.meta.version),
        opt(&s.meta.environment),
        s.meta.operator,
        s.status().as_str(),
        p.settled(),
        p.total,
        p.done,
        p.skipped,
        p.failed,
        p.blocked,
        p.not_applicable
    ));
    for ph in &s.checklist.phases {
        out.push_str(&format!("\n## {}\n", ph.title));
        for sec in &ph.sections {
            if !sec.title.is_empty() {
                out.push_str(&format!(" ### {}\n", sec.title));
            }
            for it in &sec.items {
                item(&mut out, s, it, 0);
            }
        }
    }
    if !s.roles.is_empty() {
        out.push_str("\nsign-offs:\n");
        for r in s.roles.iter().map(|r| &r.name) {
            match s.signoffs.iter().rev().find(|x| &x.role == r) {
                Some(x) => out.push_str(&format!("  {r}: {} at {}\n", x.name, x.at.format("%Y-%m-%d %H:%M UTC"))),
                None => out.push_str(&format!("  {r}: (not signed)\n")),
            }
        }
    }
    out
}
