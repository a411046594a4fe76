//! `runsheet signoff RUN ROLE --as NAME` and `runsheet waive RUN ITEM --reason R --as NAME`. The rules (four-eyes,
//! open items, stale evidence, waivers) are `runsheet_core::signoff`'s and the app asks them before it records the
//! event; this file parses the arguments and prints what was recorded.

use anyhow::{bail, Result};
use runsheet_core::event::EventBody;

use crate::ctx::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub run: String,
    pub role: String,
    /// Who signs (defaults to $RUNSHEET_OPERATOR, else the OS user name; in a shared run, your identity's name, and no other is accepted).
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
    /// The approver (defaults to $RUNSHEET_OPERATOR, else the OS user name; in a shared run, your identity's name, and no other is accepted).
    #[arg(long = "as")]
    pub as_: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let signer = ctx.operator_in(&args.run, args.as_.as_deref());
    let ev = ctx.app()?.sign_off(&args.run, &args.role, &signer, args.comment)?;
    // The run's own spelling of the role, as recorded.
    let role = match &ev.body {
        EventBody::SignedOff { role, .. } => role.as_str(),
        _ => args.role.as_str(),
    };
    println!("signed {role} as {signer} ({})", ev.id);
    Ok(())
}

pub fn waive(args: WaiveArgs, ctx: &Ctx) -> Result<()> {
    // The app refuses an empty reason too; this says which flag gives it.
    if args.reason.trim().is_empty() {
        bail!("a waiver needs a reason (--reason)");
    }
    let approver = ctx.operator_in(&args.run, args.as_.as_deref());
    let ev = ctx.app()?.waive(&args.run, &args.item, &args.reason, &approver)?;
    let item = match &ev.body {
        EventBody::Waived { item, .. } => item.as_str(),
        _ => args.item.as_str(),
    };
    println!("waived {item} (approver {approver}, {})", ev.id);
    Ok(())
}
