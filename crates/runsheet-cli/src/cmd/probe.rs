//! `runsheet probe run|check|arm|add` and `runsheet inspect FILE --suggest`.
//!
//! `probe run` has the app execute a run's probes (the run's effective probes) and record one `evidence` event
//! per execution; `probe check` has it run a checklist file's probes with nothing recorded (preflight). Both exit
//! non-zero when a probe did not pass, so scripts can gate on them. Secrets are read from the keyring by the app,
//! only when a probe references one; evidence arrives here already masked. This file prints.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde::Serialize;

use runsheet_app::probes::ProbeTarget;
use runsheet_app::{ProbeResult, DEFAULT_CONCURRENCY};
use runsheet_core::probe::Outcome;
use runsheet_core::suggest::{suggest, suggest_commands, Suggestion};
use runsheet_core::Checklist;

use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the probes of a run (all of them when no item is given) and record their evidence.
    Run {
        run: String,
        items: Vec<String>,
        #[arg(long)]
        json: bool,
        /// Probes run at once.
        #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// Operator name recorded on the evidence events (default: $RUNSHEET_OPERATOR or the OS user).
        #[arg(long = "as")]
        as_: Option<String>,
    },
    /// Run a checklist file's probes without a run (preflight); nothing is recorded.
    Check {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also run `shell` probes (in a run they need `probe arm`; here this flag is the operator's consent).
        #[arg(long)]
        allow_shell: bool,
        #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
        concurrency: usize,
    },
    /// Attach a probe to an item of a run: a probe block's TOML from FILE, or from stdin when no file is given
    /// (e.g. a suggestion from `runsheet inspect --suggest`, edited). Recorded as an event; the run's probes now
    /// include it.
    Add {
        run: String,
        item: String,
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long = "as")]
        as_: Option<String>,
    },
    /// Arm the shell probes of an item for a run (they refuse to run until armed).
    Arm {
        run: String,
        item: String,
        #[arg(long = "as")]
        as_: Option<String>,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Run { run, items, json, concurrency, as_ } => run_probes(ctx, &run, &items, json, concurrency, as_.as_deref()),
        Command::Check { file, json, allow_shell, concurrency } => check(ctx, &file, json, allow_shell, concurrency),
        Command::Arm { run, item, as_ } => arm(ctx, &run, &item, as_.as_deref()),
        Command::Add { run, item, file, as_ } => add(ctx, &run, &item, file.as_deref(), as_.as_deref()),
    }
}

/// One line of `--json` output.
#[derive(Debug, Serialize)]
struct ResultJson<'a> {
    item: &'a str,
    probe: u32,
    kind: &'a str,
    target: &'a str,
    outcome: Outcome,
    duration_ms: u64,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<&'a str>,
    /// Id of the evidence event (probe run only).
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
}

fn print_results(results: &[ProbeResult], events: &[Option<String>], json: bool) -> Result<()> {
    if json {
        let rows: Vec<ResultJson> = results
            .iter()
            .zip(events.iter().chain(std::iter::repeat(&None)))
            .map(|(r, ev)| ResultJson {
                item: &r.item,
                probe: r.evidence.probe,
                kind: &r.evidence.kind,
                target: &r.evidence.target,
                outcome: r.evidence.outcome,
                duration_ms: r.evidence.duration_ms,
                detail: &r.evidence.detail,
                status_code: r.evidence.status_code,
                exit_code: r.evidence.exit_code,
                attempts: r.evidence.attempts,
                sha256: r.evidence.sha256.as_deref(),
                event: ev.clone(),
            })
            .collect();
        print_json(&rows)?;
    } else {
        for r in results {
            let e = &r.evidence;
            println!(
                "{:<7} {}  {} {}  {} ms  {}",
                e.outcome.as_str().to_uppercase(),
                r.item,
                e.kind,
                e.target,
                e.duration_ms,
                e.detail
            );
        }
    }
    Ok(())
}

fn summary(results: &[ProbeResult]) -> Result<()> {
    let bad = results.iter().filter(|r| r.evidence.outcome != Outcome::Pass).count();
    if bad > 0 {
        bail!("{bad} of {} probes did not pass", results.len());
    }
    Ok(())
}

fn run_probes(ctx: &Ctx, run: &str, items: &[String], json: bool, concurrency: usize, as_: Option<&str>) -> Result<()> {
    let app = ctx.app()?;
    let actor = ctx.operator_in(run, as_);
    let target = ProbeTarget::Items { items: items.to_vec() };
    let recorded = app.run_probes(run, &target, &actor, concurrency)?;
    if recorded.is_empty() {
        if json {
            print_json(&Vec::<()>::new())?;
        } else {
            println!("no probes to run");
        }
        return Ok(());
    }
    // Evidence that could not be stored is an error before anything is printed: an unrecorded result is no
    // evidence.
    let events = recorded
        .iter()
        .map(|r| r.event.as_ref().map(|e| Some(e.id.clone())).map_err(Clone::clone))
        .collect::<runsheet_app::Result<Vec<_>>>()?;
    let results: Vec<ProbeResult> = recorded.into_iter().map(|r| r.result).collect();
    print_results(&results, &events, json)?;
    summary(&results)
}

fn check(ctx: &Ctx, file: &std::path::Path, json: bool, allow_shell: bool, concurrency: usize) -> Result<()> {
    let results = ctx.app()?.check_file_probes(file, allow_shell, concurrency)?;
    if results.is_empty() {
        if json {
            print_json(&Vec::<()>::new())?;
        } else {
            println!("no probes in {}", file.display());
        }
        return Ok(());
    }
    print_results(&results, &[], json)?;
    summary(&results)
}

fn arm(ctx: &Ctx, run: &str, item: &str, as_: Option<&str>) -> Result<()> {
    let app = ctx.app()?;
    // Resolved here only to print the full ids; the app resolves them the same way and checks the rest.
    let state = app.run(run)?;
    let item = runsheet_app::runs::resolve_item(&state, item)?;
    let run_id = state.run_id;
    match app.arm(&run_id, &item, &ctx.operator_in(&run_id, as_))? {
        Some(_) => println!("armed shell probes of {item} for run {run_id}"),
        None => println!("shell probes of {item} are already armed for run {run_id}"),
    }
    Ok(())
}

fn add(ctx: &Ctx, run: &str, item: &str, file: Option<&std::path::Path>, as_: Option<&str>) -> Result<()> {
    use std::io::Read;
    let app = ctx.app()?;
    let source = match file {
        Some(f) => std::fs::read_to_string(f).with_context(|| format!("reading probe TOML {}", f.display()))?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading probe TOML from stdin")?;
            s
        }
    };
    // The block is accepted with or without its ```probe fence, as copied from a checklist or `inspect --suggest`.
    // Validated here first only so the error names where the TOML came from; the app validates it again.
    if let Err(e) = runsheet_app::probes::validate_probe(&source) {
        let name = file.map_or_else(|| "stdin".to_string(), |f| f.display().to_string());
        bail!("{name}: invalid probe: {e}");
    }
    let added = app.add_probe(run, item, &source, &ctx.operator_in(run, as_))?;
    println!("added probe #{} to {} in run {} ({})", added.index, added.item, added.event.run_id, added.event.id);
    Ok(())
}

#[derive(Debug, Serialize)]
struct SuggestJson<'a> {
    /// Item id, or None for commands standing in a section.
    item: Option<&'a str>,
    section: &'a str,
    line: u32,
    text: &'a str,
    suggestions: Vec<SuggestionJson<'a>>,
}

#[derive(Debug, Serialize)]
struct SuggestionJson<'a> {
    kind: &'a str,
    toml: &'a str,
    reason: &'a str,
}

/// One row of `inspect --suggest`: (item id or None for a section's commands, section title, line, text, suggestions).
type SuggestRow<'a> = (Option<&'a str>, &'a str, u32, &'a str, Vec<Suggestion>);

/// `runsheet inspect FILE --suggest`: print suggested probes for the checklist's items (called by inspect.rs).
pub fn inspect_suggest(checklist: &Checklist, json: bool) -> Result<()> {
    let mut rows: Vec<SuggestRow> = Vec::new();
    for p in &checklist.phases {
        for s in &p.sections {
            let found = suggest_commands(&s.commands);
            if !found.is_empty() {
                rows.push((None, &s.title, s.line, &s.title, found));
            }
        }
    }
    for (_, s, item) in checklist.items() {
        // Items that already declare probes keep them; suggestions are for the ones without.
        if !item.probes.is_empty() {
            continue;
        }
        let found = suggest(item);
        if !found.is_empty() {
            rows.push((Some(&item.id), &s.title, item.line, &item.text, found));
        }
    }
    rows.sort_by_key(|r| r.2);
    if json {
        let out: Vec<SuggestJson> = rows
            .iter()
            .map(|(item, section, line, text, sugg)| SuggestJson {
                item: *item,
                section,
                line: *line,
                text,
                suggestions: sugg
                    .iter()
                    .map(|s| SuggestionJson { kind: s.spec.check.kind(), toml: &s.toml, reason: &s.reason })
                    .collect(),
            })
            .collect();
        return print_json(&out);
    }
    if rows.is_empty() {
        println!("no probe suggestions");
    }
    for (item, section, line, text, sugg) in &rows {
        match item {
            Some(id) => println!("line {line}: - [ ] {text}  ({id})"),
            None => println!("line {line}: section \"{section}\" commands"),
        }
        for s in sugg {
            println!("  # {}", s.reason);
            println!("  ```probe");
            for l in s.toml.lines() {
                println!("  {l}");
            }
            println!("  ```");
        }
    }
    Ok(())
}
