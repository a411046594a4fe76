//! `runsheet probe run|check|arm|add` and `runsheet inspect FILE --suggest`.
//!
//! `probe run` executes a run's probes (from the run's frozen checklist) and appends one `Evidence` event per
//! execution; `probe check` runs a checklist file's probes with nothing recorded (preflight). Both exit non-zero
//! when a probe did not pass, so scripts can gate on them. Secrets are read from the keyring only when a probe
//! references one; evidence arrives here already masked.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde::Serialize;

use runsheet_core::event::EventBody;
use runsheet_core::probe::{secret_refs, Outcome, ProbeCheck};
use runsheet_core::suggest::{suggest, suggest_commands, Suggestion};
use runsheet_core::Checklist;
use runsheet_probes::{ProbeJob, ProbeResult, ResolvedSecrets, DEFAULT_CONCURRENCY};

use crate::cmd::{print_json, read_checklist_file};
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

/// The run's checklist with the probes added during the run (`probe add`), the items armed for it and its
/// secret grants.
fn run_checklist(ctx: &Ctx, run_id: &str) -> Result<(Checklist, BTreeSet<String>, Grants)> {
    let state = ctx.store()?.run_state(run_id).with_context(|| format!("reading run {run_id}"))?;
    Ok((state.effective_checklist(), state.armed, state.grants))
}

type Grants = std::collections::BTreeMap<String, BTreeSet<String>>;

fn jobs_for(checklist: &Checklist, only: &[String], armed: &dyn Fn(&str) -> bool) -> Result<Vec<ProbeJob>> {
    for id in only {
        if checklist.item(id).is_none() {
            bail!("no item `{id}` in this checklist (see `runsheet inspect` or `runsheet run show` for item ids)");
        }
    }
    let mut jobs = Vec::new();
    for (_, _, item) in checklist.items() {
        if !only.is_empty() && !only.contains(&item.id) {
            continue;
        }
        for (i, decl) in item.probes.iter().enumerate() {
            jobs.push(ProbeJob {
                item: item.id.clone(),
                index: i as u32,
                spec: decl.spec.clone(),
                armed: armed(&item.id),
                refusal: None,
            });
        }
    }
    Ok(jobs)
}

/// Refuse the jobs whose secrets may not go where they send them (bindings plus `grants`), then read the
/// secrets the others reference (opening the keyring only if one is referenced), all through the app.
fn resolve_secrets(ctx: &Ctx, grants: &Grants, jobs: &mut [ProbeJob]) -> Result<ResolvedSecrets> {
    if jobs.iter().all(|j| secret_refs(&j.spec).is_empty()) {
        return Ok(ResolvedSecrets::none());
    }
    let app = ctx.app()?;
    app.refuse_unbound(grants, jobs);
    Ok(app.resolve_secrets(jobs))
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
    let run_id = ctx.resolve_run(run)?;
    let (checklist, armed, grants) = run_checklist(ctx, &run_id)?;
    let mut jobs = jobs_for(&checklist, items, &|id| armed.contains(id))?;
    if jobs.is_empty() {
        if json {
            print_json(&Vec::<()>::new())?;
        } else {
            println!("no probes to run");
        }
        return Ok(());
    }
    let secrets = resolve_secrets(ctx, &grants, &mut jobs)?;
    let results = runsheet_probes::run_blocking(jobs, secrets, concurrency)?;
    let store = ctx.store()?;
    let actor = ctx.operator(as_);
    let mut events = Vec::new();
    for r in &results {
        let body = EventBody::Evidence { item: r.item.clone(), evidence: r.evidence.to_value() };
        let ev = store.append(&run_id, &actor, body, ctx.now()).with_context(|| format!("recording evidence for {}", r.item))?;
        events.push(Some(ev.id));
    }
    print_results(&results, &events, json)?;
    summary(&results)
}

fn check(ctx: &Ctx, file: &std::path::Path, json: bool, allow_shell: bool, concurrency: usize) -> Result<()> {
    let (_, _, checklist) = read_checklist_file(file)?;
    let mut jobs = jobs_for(&checklist, &[], &|_| allow_shell)?;
    if jobs.is_empty() {
        if json {
            print_json(&Vec::<()>::new())?;
        } else {
            println!("no probes in {}", file.display());
        }
        return Ok(());
    }
    // No run, so no grants: only the secrets' own bindings.
    let secrets = resolve_secrets(ctx, &Grants::new(), &mut jobs)?;
    let results = runsheet_probes::run_blocking(jobs, secrets, concurrency)?;
    print_results(&results, &[], json)?;
    summary(&results)
}

fn arm(ctx: &Ctx, run: &str, item: &str, as_: Option<&str>) -> Result<()> {
    let run_id = ctx.resolve_run(run)?;
    let (checklist, armed, _) = run_checklist(ctx, &run_id)?;
    let Some(it) = checklist.item(item) else {
        bail!("no item `{item}` in run {run_id}");
    };
    if !it.probes.iter().any(|p| matches!(p.spec.check, ProbeCheck::Shell { .. })) {
        bail!("item `{item}` has no shell probe to arm");
    }
    if armed.contains(item) {
        println!("shell probes of {item} are already armed for run {run_id}");
        return Ok(());
    }
    let actor = ctx.operator(as_);
    ctx.store()?.append(&run_id, &actor, EventBody::ProbeArmed { item: item.to_string() }, ctx.now())?;
    println!("armed shell probes of {item} for run {run_id}");
    Ok(())
}

fn add(ctx: &Ctx, run: &str, item: &str, file: Option<&std::path::Path>, as_: Option<&str>) -> Result<()> {
    use std::io::Read;
    let run_id = ctx.resolve_run(run)?;
    let source = match file {
        Some(f) => std::fs::read_to_string(f).with_context(|| format!("reading probe TOML {}", f.display()))?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading probe TOML from stdin")?;
            s
        }
    };
    // Accept the block with or without its ```probe fence, as copied from a checklist or `inspect --suggest`.
    let source = runsheet_app::probes::strip_probe_fence(&source);
    let name = file.map_or_else(|| "stdin".to_string(), |f| f.display().to_string());
    if let Err(e) = runsheet_core::probe::parse(&source) {
        bail!("{name}: invalid probe: {e}");
    }
    let store = ctx.store()?;
    let state = store.run_state(&run_id).with_context(|| format!("reading run {run_id}"))?;
    if state.checklist.item(item).is_none() {
        bail!("no item `{item}` in run {run_id} (see `runsheet run show {run_id}` for item ids)");
    }
    let index = state.probes(item).len();
    let actor = ctx.operator(as_);
    let e = store.append(&run_id, &actor, EventBody::ProbeAdded { item: item.to_string(), source }, ctx.now())?;
    println!("added probe #{index} to {item} in run {run_id} ({})", e.id);
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

/// `runsheet inspect FILE --suggest`: print suggested probes for the checklist's items (called by inspect.rs).
pub fn inspect_suggest(checklist: &Checklist, json: bool) -> Result<()> {
    let mut rows: Vec<(Option<&str>, &str, u32, &str, Vec<Suggestion>)> = Vec::new();
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
