//! The append-only event model of a run: every change is an event whose SHA-256 hash covers its content and the
//! hashes of its parents, so a run's history is a hash-linked DAG that two stores can union without rewriting.
//!
//! Ids, device ids, Lamport counters and timestamps come in from the caller (this crate reads no clock and makes
//! no random numbers). Ownership: the store engineer; the shape below is the contract other crates code against.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Globally unique id (UUID v7 text), made by the caller.
    pub id: String,
    pub run_id: String,
    /// Id of the device (installation) that wrote the event.
    pub device: String,
    /// Lamport counter: 1 + the maximum counter of the parents.
    pub lamport: u64,
    /// Hashes of the parent events (empty for `RunCreated`, usually one, two after a merge).
    pub parents: Vec<String>,
    pub at: DateTime<Utc>,
    /// Who did it (operator name as given).
    pub actor: String,
    pub body: EventBody,
    /// Hex SHA-256 over the canonical JSON of every field above.
    pub hash: String,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    RunCreated {
        title: String,
        #[serde(default)]
        version: Option<String>,
        #[serde(default)]
        environment: Option<String>,
        /// Planned change window (start, end), if given.
        #[serde(default)]
        window_start: Option<DateTime<Utc>>,
        #[serde(default)]
        window_end: Option<DateTime<Utc>>,
        operator: String,
        checklist_id: String,
        /// The frozen copy of the checklist: later edits of the template never change a past run.
        checklist: Box<Checklist>,
    },
    /// Item state change; `reason` is required for `skipped`.
    ItemSet { item: String, state: ItemState, #[serde(default)] reason: Option<String>, #[serde(default)] note: Option<String> },
    NoteAdded { item: String, note: String },
    /// The operator armed the shell probes of an item for this run.
    ProbeArmed { item: String },
    /// A probe execution's evidence (secrets already masked by value).
    Evidence { item: String, evidence: serde_json::Value },
    SignedOff { role: String, name: String, #[serde(default)] comment: Option<String> },
    RoleAdded { role: String },
    Waived { item: String, reason: String, approver: String },
    /// Run settings: four-eyes rule and phase gate mode.
    SettingsChanged { #[serde(default)] four_eyes: Option<bool>, #[serde(default)] gate_mode: Option<GateMode> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Pending,
    Done,
    Skipped,
    Failed,
    Blocked,
    #[serde(rename = "n/a", alias = "na")]
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GateMode {
    Strict,
    #[default]
    Advisory,
}
