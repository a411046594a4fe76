//! `runsheet signoff RUN ROLE --as NAME` and `runsheet waive RUN ITEM --reason R --as NAME`. The rules (four-eyes,
//! open items, stale evidence, waivers) are `runsheet_core::signoff`'s; this file asks them and records the event.

use anyhow::{bail, Context, Result};
use runsheet_core::event::EventBody;
use runsheet_core::run::RunState;
use runsheet_core::signoff::blockers;

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub run: String,
    pub role: String,
    /// Who signs (defaults to $RUNSHEET_OPERATOR, else the OS user name).
    #[arg(long = "as")]
    pub as_: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    pub run: String,
    pub item: String,
    #[arg(long)]
    pub reason: String,
    /// The approver (defaults to $RUNSHEET_OPERATOR, else the OS user name).
    #[arg(long = "as")]
    pub as_: Option<String>,
}

fn facts(run_id: &str, ctx: &Ctx) -> Result<RunState> {
    ctx.store()?.run_state(run_id).with_context(|| format!("reading run {run_id}"))
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let run_id = ctx.resolve_run(&args.run)?;
    let signer = ctx.operator(args.as_.as_deref());
    let facts = facts(&run_id, ctx)?;
    let now = ctx.now();
    let found = blockers(&facts, &args.role, &signer, now);
    if !found.is_empty() {
        let roles: Vec<&str> = facts.roles.iter().map(|r| r.name.as_str()).collect();
        let mut msg = format!("{signer} cannot sign `{}` now:", args.role);
        for b in found.iter().take(20) {
            msg.push_str(&format!("\n  - {b}"));
        }
        if found.len() > 20 {
            msg.push_str(&format!("\n  … and {} more", found.len() - 20));
        }
        if found.iter().any(|b| matches!(b, runsheet_core::signoff::Blocker::UnknownRole { .. })) {
            msg.push_str(&format!("\nroles of this run: {}", roles.join(", ")));
        }
        bail!(msg);
    }
    let role = facts.role(&args.role).map(|r| r.name.clone()).unwrap_or(args.role);
    let body = EventBody::SignedOff { role: role.clone(), name: signer.clone(), comment: args.comment };
    let ev = ctx.store()?.append(&run_id, &signer, body, now).with_context(|| format!("recording the sign-off of {role}"))?;
    println!("signed {role} as {signer} ({})", ev.id);
    Ok(())
}

pub fn waive(args: WaiveArgs, ctx: &Ctx) -> Result<()> {
    let run_id = ctx.resolve_run(&args.run)?;
    let approver = ctx.operator(args.as_.as_deref());
    if args.reason.trim().is_empty() {
        bail!("a waiver needs a reason (--reason)");
    }
    let facts = facts(&run_id, ctx)?;
    let ids: Vec<String> = facts.checklist.items().into_iter().map(|(_, _, i)| i.id.clone()).collect();
    let item = if ids.contains(&args.item) {
        args.item.clone()
    } else {
        let m: Vec<&String> = ids.iter().filter(|i| i.starts_with(&args.item)).collect();
        match m.as_slice() {
            [one] => (*one).clone(),
            [] => bail!("no item `{}` in run {run_id}", args.item),
            _ => bail!("item `{}` is ambiguous ({} matches)", args.item, m.len()),
        }
    };
    let body = EventBody::Waived { item: item.clone(), reason: args.reason, approver: approver.clone() };
    let ev = ctx.store()?.append(&run_id, &approver, body, ctx.now()).with_context(|| format!("recording the waiver of {item}"))?;
    println!("waived {item} (approver {approver}, {})", ev.id);
    Ok(())
}
