//! `runsheet trigger RUN ITEM [--reason R]` (declare that a rollback trigger fired) and
//! `runsheet decide RUN ITEM rollback|continue [--reason R]`. Which items are triggers and what a decision does
//! are the core's rules, recorded through the app; this file parses the arguments and prints what was recorded.

use anyhow::{anyhow, Result};
use runsheet_core::event::Decision;

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    pub run: String,
    /// The trigger item: id, unique id prefix or exact text.
    pub item: String,
    /// What was seen (recorded as the firing's summary).
    #[arg(long)]
    pub reason: Option<String>,
    /// Who declares it (defaults to $RUNSHEET_OPERATOR, else the OS user name; in a shared run, your identity's name).
    #[arg(long = "as")]
    pub as_: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    pub run: String,
    /// The trigger item whose firing is decided.
    pub item: String,
    /// `rollback` or `continue`.
    pub decision: String,
    /// Why (required to continue).
    #[arg(long)]
    pub reason: Option<String>,
    /// Who decides (defaults to $RUNSHEET_OPERATOR, else the OS user name; in a shared run, your identity's name).
    #[arg(long = "as")]
    pub as_: Option<String>,
}

pub fn trigger(args: TriggerArgs, ctx: &Ctx) -> Result<()> {
    let actor = ctx.operator_in(&args.run, args.as_.as_deref());
    let ev = ctx.app()?.declare_trigger(&args.run, &args.item, args.reason, &actor)?;
    let item = ev.body.item().unwrap_or(&args.item);
    println!("rollback trigger {item} fired by {actor} ({}); decide with `runsheet decide {} {item} rollback|continue`", ev.id, short(&ev.run_id));
    Ok(())
}

pub fn decide(args: DecideArgs, ctx: &Ctx) -> Result<()> {
    let decision = Decision::parse(&args.decision)
        .ok_or_else(|| anyhow!("unknown decision `{}` (expected rollback or continue)", args.decision))?;
    let actor = ctx.operator_in(&args.run, args.as_.as_deref());
    let app = ctx.app()?;
    let ev = app.decide_rollback(&args.run, &args.item, decision, args.reason, &actor)?;
    let item = ev.body.item().unwrap_or(&args.item);
    println!("decided {decision} on trigger {item} as {actor} ({})", ev.id);
    if decision == Decision::Rollback {
        let state = app.run(&ev.run_id)?;
        match state.active_phase.as_ref().and_then(|id| state.checklist.phases.iter().find(|p| &p.id == id)) {
            Some(p) => println!("active phase: {}", p.title),
            None => println!("the checklist has no rollback phase"),
        }
    }
    Ok(())
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}
