//! `runsheet run new|list|show|set|share|export`: argument parsing (states, `--window`, formats) and the text views of a
//! run; every workflow is the app's.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Subcommand;

use runsheet_app::export::Format as ExportFormat;
use runsheet_app::runs::NewRun;
use runsheet_core::event::ItemState;
use runsheet_core::run::RunState;
use runsheet_core::{ContactField, Item};

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
    /// List runs with progress, status and what comes due next.
    List {
        #[arg(long)]
        json: bool,
        /// The moment "next due" is judged at (RFC 3339 or `YYYY-MM-DD HH:MM`, UTC); now by default.
        #[arg(long)]
        at: Option<String>,
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
    /// The run's contacts card (from the checklist's "Emergency Contacts" / "Escalation" sections); placeholders
    /// still to fill in are marked missing.
    Contacts {
        run: String,
        #[arg(long)]
        json: bool,
    },
    /// Fill in a contact's details (a placeholder of the checklist, or a new contact).
    Contact {
        run: String,
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Chat handle or pager (`@jane`, `#ops-bridge`).
        #[arg(long)]
        handle: Option<String>,
        /// Any other detail as LABEL=VALUE (`--other "Account ID=1234"`); repeatable.
        #[arg(long, value_name = "LABEL=VALUE")]
        other: Vec<String>,
        #[arg(long = "as")]
        as_: Option<String>,
    },
    /// Share a run with the team joined with `runsheet team join`, and push it.
    Share { run: String },
    /// Write a run's signed events to a bundle file, for a laptop that cannot reach the team database (the run
    /// becomes shared: this device joins it first, which needs an identity).
    Bundle {
        run: String,
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// Merge a bundle file: every event is checked (hash, signature, membership) and nothing is stored when one
    /// is refused; importing the same bundle again stores nothing.
    ImportBundle {
        file: std::path::PathBuf,
        /// The run the bundle must be for (id or unique prefix).
        #[arg(long)]
        into: Option<String>,
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

/// Paper size of the PDF report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    match cmd {
        Command::New { checklist, title, version, environment, window, as_ } => {
            let checklist = checklist_arg(&checklist, ctx)?;
            let (window_start, window_end) = match window.as_deref() {
                Some(w) => parse_window(w)?,
                None => (None, None),
            };
            let operator = ctx.operator(as_.as_deref());
            let new = NewRun { checklist, title, version, environment, window_start, window_end };
            let id = app.create_run(new, &operator).context("creating the run")?;
            println!("{id}");
            Ok(())
        }
        Command::List { json, at } => {
            let now = match at.as_deref() {
                Some(t) => parse_time(t, "--at")?,
                None => app.now(),
            };
            let runs = app.run_list_rows(now)?;
            if json {
                return print_json(&runs);
            }
            if runs.is_empty() {
                println!("no runs yet: runsheet run new CHECKLIST --title T");
            }
            for row in runs {
                let (r, p) = (&row.summary, &row.summary.progress);
                let next = row.next_due.as_ref().map(next_due_text).unwrap_or_default();
                println!("{}  {:<11}  {}/{}  {}{next}", r.id, r.status.as_str(), p.settled(), p.total, r.title);
            }
            Ok(())
        }
        Command::Show { run, json } => {
            let state = app.run(&run)?;
            if json {
                return print_json(&state.to_json(app.now()));
            }
            print!("{}", show_text(&state, app.now()));
            Ok(())
        }
        Command::Set { run, item, state, reason, note, as_ } => {
            let state = ItemState::parse(&state).ok_or_else(|| {
                anyhow!("unknown state `{state}` (expected pending, done, skipped, failed, blocked or n/a)")
            })?;
            let actor = ctx.operator_in(&run, as_.as_deref());
            let change = app.set_item(&run, &item, state, reason, note, &actor)?;
            // Advisory phase gates warn; strict ones are refused by the app.
            for b in &change.warnings {
                eprintln!("warning: {b}");
            }
            // Printed only after the app returned, i.e. after the commit reached the disk.
            println!("recorded {} {} = {} by {} ({})", short(&change.run_id), change.item, state, actor, change.event.id);
            Ok(())
        }
        Command::Contacts { run, json } => {
            let contacts = app.contacts(&run)?;
            if json {
                return print_json(&contacts);
            }
            if contacts.is_empty() {
                println!("no contacts: the checklist has no \"Emergency Contacts\" or \"Escalation\" section (add one with `run contact RUN ROLE --name … --phone …`)");
                return Ok(());
            }
            let mut group = "";
            for c in &contacts {
                if c.group != group {
                    group = &c.group;
                    println!("{group}");
                }
                let parts: Vec<String> = c
                    .fields
                    .iter()
                    .map(|f| match &f.value {
                        Some(v) => v.clone(),
                        None => format!("[{} missing]", f.label),
                    })
                    .collect();
                println!("  {}: {}", c.role, parts.join(" · "));
            }
            let missing: usize = contacts.iter().map(|c| c.missing().count()).sum();
            if missing > 0 {
                println!("{missing} detail(s) missing: fill them in with `runsheet run contact {} ROLE --name … --phone …`", short(&run));
            }
            Ok(())
        }
        Command::Contact { run, role, name, phone, email, handle, other, as_ } => {
            let mut fields = Vec::new();
            for (kind, value) in [("name", name), ("phone", phone), ("email", email), ("handle", handle)] {
                if let Some(v) = value {
                    fields.push(ContactField { kind: kind.into(), label: kind.into(), value: Some(v) });
                }
            }
            for o in other {
                let (label, value) =
                    o.split_once('=').ok_or_else(|| anyhow!("--other `{o}`: expected LABEL=VALUE"))?;
                fields.push(ContactField { kind: "other".into(), label: label.trim().into(), value: Some(value.trim().into()) });
            }
            if fields.is_empty() {
                bail!("nothing to fill in: give --name, --phone, --email, --handle or --other LABEL=VALUE");
            }
            let actor = ctx.operator_in(&run, as_.as_deref());
            let event = app.set_contact(&run, &role, fields, &actor)?;
            println!("recorded contact {role} ({})", event.id);
            Ok(())
        }
        Command::Share { run } => {
            let r = app.share_run(&run)?;
            println!("shared run {}: {} events pushed, {} pulled", r.run_id, r.pushed, r.pulled);
            Ok(())
        }
        Command::Bundle { run, output } => {
            let out = app.bundle(&run, &output)?;
            let joined = if out.joined { "; this device joined the run" } else { "" };
            println!("wrote {} ({} events of run {}{joined})", output.display(), out.events, out.run_id);
            Ok(())
        }
        Command::ImportBundle { file, into } => {
            let out = app.import_bundle(&file, into.as_deref())?;
            if out.stored == 0 {
                println!("nothing new from {}: all {} events of run {} were already here", file.display(), out.known, out.run_id);
            } else {
                println!("imported {} new events into run {} ({} already here)", out.stored, out.run_id, out.known);
            }
            Ok(())
        }
        Command::Export { run, format, output, paper, layout } => {
            let run_id = app.resolve_run(&run)?;
            let paper = match paper {
                Paper::A4 => runsheet_app::export::Paper::A4,
                Paper::Letter => runsheet_app::export::Paper::Letter,
            };
            let format = match (format, layout) {
                (Format::Pdf, _) => ExportFormat::Pdf,
                (Format::Json, _) => ExportFormat::Json,
                (Format::Md, MdLayout::Log) => ExportFormat::MdLog,
                (Format::Md, MdLayout::Checklist) => ExportFormat::Md,
            };
            match (format, output) {
                (ExportFormat::Pdf, None) => bail!("a PDF is binary: give the output file with -o FILE.pdf"),
                (ExportFormat::Pdf, Some(path)) => {
                    let out = app.export_to(&run_id, format, paper, &path)?;
                    let (subject, fingerprint) = out.signer.unwrap_or_default();
                    println!(
                        "wrote {} ({} KB, {} events, signed by {subject} sha-256 {fingerprint})",
                        path.display(),
                        out.bytes.len().div_ceil(1024),
                        out.events,
                    );
                }
                (_, Some(path)) => {
                    app.export_to(&run_id, format, paper, &path)?;
                }
                (_, None) => {
                    let out = app.export(&run_id, format, paper)?;
                    print!("{}", String::from_utf8(out.bytes).context("the export is not UTF-8")?);
                }
            }
            Ok(())
        }
    }
}

/// CHECKLIST argument of `run new`: an existing file is imported first; otherwise a checklist id (imported or
/// `template:NAME.md`) or a unique id prefix.
fn checklist_arg(arg: &str, ctx: &Ctx) -> Result<String> {
    let app = ctx.app()?;
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(app.import_file(path)?.id);
    }
    let (summary, _) = app.checklist(arg).with_context(|| format!("`{arg}` is neither a file nor a checklist id"))?;
    Ok(summary.id)
}

/// A change window's start and end; either may be open.
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// START..END with RFC 3339 or `YYYY-MM-DD HH:MM` (UTC) on each side.
pub fn parse_window(w: &str) -> Result<Window> {
    let (a, b) = w.split_once("..").ok_or_else(|| anyhow!("--window `{w}`: expected START..END"))?;
    let one = |s: &str| -> Result<Option<DateTime<Utc>>> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        parse_time(s, "--window").map(Some)
    };
    Ok((one(a)?, one(b)?))
}

/// A time given on the command line (`flag` names it in the error): RFC 3339, or `YYYY-MM-DD HH:MM` in UTC.
pub fn parse_time(s: &str, flag: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc());
        }
    }
    bail!("{flag}: `{s}` is not a time (use RFC 3339 or YYYY-MM-DD HH:MM, UTC)")
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

fn show_text(s: &RunState, now: DateTime<Utc>) -> String {
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
        if s.is_trigger(&it.id) {
            out.push_str("  [rollback trigger]");
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
    let when = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    if let Some(ph) = s.active_phase.as_ref().and_then(|id| s.checklist.phases.iter().find(|p| &p.id == id)) {
        out.push_str(&format!("active phase: {} (rollback decided)\n", ph.title));
    }
    // What holds the run up, as the core orders it: an undecided rollback trigger comes first.
    let blockers = runsheet_core::signoff::run_blockers(s, now);
    if !blockers.is_empty() {
        out.push_str("blockers:\n");
        for b in blockers.iter().take(10) {
            out.push_str(&format!("  {b}\n"));
        }
        if blockers.len() > 10 {
            out.push_str(&format!("  … and {} more\n", blockers.len() - 10));
        }
    }
    if !s.triggers.is_empty() {
        out.push_str("rollback triggers fired:\n");
        for t in &s.triggers {
            let text = s.checklist.item(&t.trigger).map_or(t.trigger.as_str(), |i| i.text.as_str());
            out.push_str(&format!("  {text}  {}  fired by {} at {}", t.trigger, t.by, when(t.at)));
            if let Some(p) = t.probe {
                out.push_str(&format!("  probe {p}"));
            }
            if let Some(e) = &t.evidence {
                out.push_str(&format!("  evidence {e}"));
            }
            if let Some(sum) = &t.summary {
                out.push_str(&format!("  ({sum})"));
            }
            out.push('\n');
            match &t.decision {
                Some(d) => {
                    out.push_str(&format!("    decision: {} by {} at {}", d.decision, d.by, when(d.at)));
                    if let Some(r) = &d.reason {
                        out.push_str(&format!("  reason: {r}"));
                    }
                    out.push('\n');
                }
                None => out.push_str("    decision: (open: roll back or continue)\n"),
            }
        }
    }
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
    // Who signed each role is the sign-off rules' answer (the first signature, role matched case-insensitively),
    // as in the JSON, the desktop and the PDF.
    let roles = runsheet_core::signoff::statuses(s, now);
    if !roles.is_empty() {
        out.push_str("\nsign-offs:\n");
        for r in roles {
            match (&r.signed_by, r.at) {
                (Some(by), Some(at)) => out.push_str(&format!("  {}: {by} at {}\n", r.role, at.format("%Y-%m-%d %H:%M UTC"))),
                _ => out.push_str(&format!("  {}: (not signed)\n", r.role)),
            }
            // A sign-off merged from another laptop is stored, never refused: what is wrong with it shows here.
            for w in &r.warnings {
                out.push_str(&format!("    warning: {w}\n"));
            }
        }
    }
    out
}

/// The runs list's "what comes due next" column: `  next: First Day (First Day) due 2026-12-04 23:00 UTC`, with
/// how late it is when it is.
fn next_due_text(d: &runsheet_app::due::DueRow) -> String {
    let late = if d.late_minutes > 0 { format!(", {} min late", d.late_minutes) } else { String::new() };
    format!(
        "  next: {} ({}) {} {}{late}",
        d.title,
        d.label,
        d.state.as_str(),
        d.planned.format("%Y-%m-%d %H:%M UTC")
    )
}
