//! Runsheet's pure core: the checklist model, Markdown import and export, probe specifications, the append-only
//! event model of a run and the fold that turns events into run state.
//!
//! Architecture invariant: this crate does no IO and reads no clock. Time, ids and file contents come in as
//! arguments, so everything here is deterministic and testable from data alone.

pub mod checklist;
pub mod event;
pub mod import;
pub mod probe;
pub mod render;
pub mod run;
pub mod schedule;
pub mod signoff;
pub mod suggest;

pub use checklist::{Checklist, Command, Contact, ContactField, CommandKind, Item, Phase, ProbeDecl, Section, SignoffLine, Timing};
