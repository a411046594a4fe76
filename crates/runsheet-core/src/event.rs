//! The append-only event model of a run: every change is an event whose SHA-256 hash covers its content and the
//! hashes of its parents, so a run's history is a hash-linked DAG that two stores can union without rewriting.
//!
//! This module also holds the pure chain checks (`verify_chain`) that the store, JSON run logs and PDF reports
//! share. Ids, device ids and timestamps come in from the caller: this crate reads no clock and makes no random
//! numbers, and it knows nothing about SQLite. Ownership: the store engineer; the shape below is the contract
//! other crates code against (fields may be added, never renamed).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checklist::Checklist;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Globally unique id (UUID v7 text), made by the caller.
    pub id: String,
    pub run_id: String,
    /// Id of the device (installation) that wrote the event.
    pub device: String,
    /// Gapless per-device sequence number (1, 2, 3, ... for each device), assigned by the store that writes the
    /// event; team sync pulls "what follows the highest `device_seq` known per device". `None` for events written
    /// before team runs existed. Covered by the hash when present; left out of the JSON (and so out of the hash)
    /// when absent, so every older event keeps its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seq: Option<u64>,
    /// Lamport counter: 1 + the maximum counter of the parents.
    pub lamport: u64,
    /// Hashes of the parent events (empty for `RunCreated`, usually one, two after a merge), sorted.
    pub parents: Vec<String>,
    pub at: DateTime<Utc>,
    /// Who did it (operator name as given).
    pub actor: String,
    pub body: EventBody,
    /// Hex SHA-256 over the canonical JSON of every field above (see [`Event::compute_hash`]).
    pub hash: String,
    /// The author's signature over `hash`. NOT covered by the hash (the signature signs the hash, so it cannot be
    /// inside it). Left out of the JSON when absent, so unsigned older events serialise and hash as before.
    /// Core only carries it; signing and verifying live next to the identity (runsheet-report's `event_sig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<EventAuthor>,
}

/// Who wrote an event, provably: the author's certificate fingerprint and an ECDSA P-256 signature over the
/// event's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventAuthor {
    /// Hex SHA-256 of the author's X.509 certificate (DER).
    pub fingerprint: String,
    /// Hex DER ECDSA P-256 (SHA-256) signature over the UTF-8 bytes of the event's hex `hash`.
    pub signature: String,
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
    ItemSet {
        item: String,
        state: ItemState,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    NoteAdded { item: String, note: String },
    /// The operator armed the shell probes of an item for this run.
    ProbeArmed { item: String },
    /// A probe execution's evidence (secrets already masked by value).
    Evidence { item: String, evidence: serde_json::Value },
    /// A probe attached to an item during the run (an accepted suggestion, maybe edited). `source` is the TOML
    /// text of a probe block, kept verbatim: the hash then never depends on how a parsed spec serialises, and a
    /// newer build that adds probe fields still reads it. Its index follows the item's checklist probes, in
    /// fold order (evidence names probes by index).
    ProbeAdded { item: String, source: String },
    SignedOff {
        role: String,
        name: String,
        #[serde(default)]
        comment: Option<String>,
    },
    RoleAdded { role: String },
    Waived { item: String, reason: String, approver: String },
    /// Run settings: four-eyes rule and phase gate mode.
    SettingsChanged {
        #[serde(default)]
        four_eyes: Option<bool>,
        #[serde(default)]
        gate_mode: Option<GateMode>,
    },
    /// The operator allowed, for this run, sending secret `secret` (its keyring name) to `host`.
    SecretGranted { secret: String, host: String },
    /// A person joined the run from a device: from then on every event of `device` must be signed by
    /// `certificate` (hex X.509 DER). The event introduces itself: it is written by `device` and signed by the
    /// certificate it carries. A device's first registration in fold order stands; another certificate for the
    /// same device is refused.
    MemberJoined { name: String, device: String, certificate: String },
}

impl EventBody {
    /// The `type` tag as written in JSON (`item_set`, `signed_off`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::RunCreated { .. } => "run_created",
            EventBody::ItemSet { .. } => "item_set",
            EventBody::NoteAdded { .. } => "note_added",
            EventBody::ProbeArmed { .. } => "probe_armed",
            EventBody::Evidence { .. } => "evidence",
            EventBody::ProbeAdded { .. } => "probe_added",
            EventBody::SignedOff { .. } => "signed_off",
            EventBody::RoleAdded { .. } => "role_added",
            EventBody::Waived { .. } => "waived",
            EventBody::SettingsChanged { .. } => "settings_changed",
            EventBody::SecretGranted { .. } => "secret_granted",
            EventBody::MemberJoined { .. } => "member_joined",
        }
    }

    /// The item this event is about, if any.
    pub fn item(&self) -> Option<&str> {
        match self {
            EventBody::ItemSet { item, .. }
            | EventBody::NoteAdded { item, .. }
            | EventBody::ProbeArmed { item }
            | EventBody::Evidence { item, .. }
            | EventBody::ProbeAdded { item, .. }
            | EventBody::Waived { item, .. } => Some(item),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

impl ItemState {
    pub const ALL: [ItemState; 6] =
        [Self::Pending, Self::Done, Self::Skipped, Self::Failed, Self::Blocked, Self::NotApplicable];

    /// The name used on the command line and in JSON (`n/a` for not applicable).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Blocked => "blocked",
            Self::NotApplicable => "n/a",
        }
    }

    /// Parse a state name as typed by a person (`done`, `n/a`, `na`, `N/A`, `skip`...).
    pub fn parse(s: &str) -> Option<ItemState> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "todo" => Some(Self::Pending),
            "done" | "ok" => Some(Self::Done),
            "skipped" | "skip" => Some(Self::Skipped),
            "failed" | "fail" => Some(Self::Failed),
            "blocked" => Some(Self::Blocked),
            "n/a" | "na" | "not_applicable" | "not-applicable" => Some(Self::NotApplicable),
            _ => None,
        }
    }

    /// Settled states: nothing more to do on the item (done, skipped, n/a).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Done | Self::Skipped | Self::NotApplicable)
    }
}

impl std::fmt::Display for ItemState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GateMode {
    Strict,
    #[default]
    Advisory,
}

/// A parent of a new event: its hash and Lamport counter (all `Event::new` needs to know about it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub hash: String,
    pub lamport: u64,
}

impl From<&Event> for Parent {
    fn from(e: &Event) -> Self {
        Parent { hash: e.hash.clone(), lamport: e.lamport }
    }
}

impl Event {
    /// Build an event: the Lamport counter is 1 + the maximum of the parents' (1 with no parents), the parent
    /// hashes are sorted (so the same DAG always hashes the same), and the hash is computed.
    pub fn new(
        id: String,
        run_id: String,
        device: String,
        parents: &[Parent],
        at: DateTime<Utc>,
        actor: String,
        body: EventBody,
    ) -> Event {
        let lamport = 1 + parents.iter().map(|p| p.lamport).max().unwrap_or(0);
        let mut parent_hashes: Vec<String> = parents.iter().map(|p| p.hash.clone()).collect();
        parent_hashes.sort();
        parent_hashes.dedup();
        let mut e = Event {
            id,
            run_id,
            device,
            device_seq: None,
            lamport,
            parents: parent_hashes,
            at,
            actor,
            body,
            hash: String::new(),
            author: None,
        };
        e.hash = e.compute_hash();
        e
    }

    /// Set the per-device sequence number (the writing store knows it, `new` does not) and recompute the hash,
    /// which covers it. Any author signature is dropped: it signed the old hash.
    pub fn with_device_seq(mut self, seq: u64) -> Event {
        self.device_seq = Some(seq);
        self.author = None;
        self.hash = self.compute_hash();
        self
    }

    /// Hex SHA-256 over the canonical JSON of every field except `hash` and `author` (object keys sorted, no
    /// whitespace). `device_seq` is covered when present; absent optional fields are not serialised at all, so
    /// events recorded before they existed keep their hash.
    pub fn compute_hash(&self) -> String {
        let mut value = match serde_json::to_value(self) {
            Ok(v) => v,
            // Serialising plain data with string keys cannot fail; keep a distinct, never-matching hash if it does.
            Err(e) => return format!("unserialisable: {e}"),
        };
        if let serde_json::Value::Object(map) = &mut value {
            map.remove("hash");
            // The signature signs the hash; it cannot be part of it.
            map.remove("author");
        }
        hex::encode(Sha256::digest(canonical_json(&value).as_bytes()))
    }

    /// True when the stored hash matches the content.
    pub fn verify_hash(&self) -> bool {
        self.hash == self.compute_hash()
    }

    /// The deterministic fold order: Lamport counter, then device id, then event id.
    pub fn fold_key(&self) -> (u64, &str, &str) {
        (self.lamport, self.device.as_str(), self.id.as_str())
    }
}

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace, strings and numbers as
/// serde_json writes them. Written by hand so the result does not depend on serde_json's `preserve_order` feature,
/// which another crate in the build could switch on.
pub fn canonical_json(value: &serde_json::Value) -> String {
    fn write(out: &mut String, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(out, &serde_json::Value::String((*k).clone()));
                    out.push(':');
                    write(out, &map[*k]);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(out, item);
                }
                out.push(']');
            }
            // Scalars: serde_json's own writer (escaping, number format) is deterministic.
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// What is wrong with a chain, naming the first bad event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainError {
    #[error("event {id} (position {position}): hash mismatch, the event was edited after it was recorded")]
    HashMismatch { id: String, position: usize },
    #[error("event {id} (position {position}): parent {parent} is missing, an event was deleted")]
    MissingParent { id: String, position: usize, parent: String },
    #[error("event {id} (position {position}): parent {parent} comes after it, the events were reordered")]
    ParentAfterChild { id: String, position: usize, parent: String },
    #[error("event {id} (position {position}): Lamport counter {found} should be {expected}, the events were reordered or altered")]
    BadLamport { id: String, position: usize, found: u64, expected: u64 },
    #[error("event {id} (position {position}): belongs to run {found}, not {expected}")]
    WrongRun { id: String, position: usize, found: String, expected: String },
    #[error("event {id} (position {position}): the first event of a run must be run_created without parents")]
    BadStart { id: String, position: usize },
    #[error("event {id} (position {position}): duplicate event")]
    Duplicate { id: String, position: usize },
    #[error("run {run_id}: {found} events where {expected} were recorded (head {head}), events at the end were deleted or added")]
    CountMismatch { run_id: String, found: usize, expected: usize, head: String },
    #[error("run {run_id}: the last recorded event {expected} is not the last event, events at the end were deleted or reordered")]
    HeadMismatch { run_id: String, expected: String },
    #[error("run {run_id}: no events")]
    Empty { run_id: String },
    /// An author signature does not hold against the run's membership (checked outside core, where the crypto
    /// lives: runsheet-report's `check_event_authors`); `why` says what failed.
    #[error("event {id}: author signature refused: {why}")]
    Signature { id: String, why: String },
}

/// Check one run's events as stored, in recording order: every hash matches its content, every parent is present
/// and earlier, every Lamport counter is 1 + the maximum of its parents', and only the first event is a root
/// (`run_created`). Returns the head hashes (events no other event names as a parent) on success.
pub fn verify_chain(run_id: &str, events: &[Event]) -> Result<Vec<String>, ChainError> {
    if events.is_empty() {
        return Err(ChainError::Empty { run_id: run_id.to_string() });
    }
    let all: HashSet<&str> = events.iter().map(|e| e.hash.as_str()).collect();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut ids: HashSet<&str> = HashSet::new();
    let mut referenced: HashSet<&str> = HashSet::new();
    for (position, e) in events.iter().enumerate() {
        let id = e.id.clone();
        if e.run_id != run_id {
            return Err(ChainError::WrongRun { id, position, found: e.run_id.clone(), expected: run_id.to_string() });
        }
        if !e.verify_hash() {
            return Err(ChainError::HashMismatch { id, position });
        }
        if !ids.insert(e.id.as_str()) || seen.contains_key(e.hash.as_str()) {
            return Err(ChainError::Duplicate { id, position });
        }
        let is_root = matches!(e.body, EventBody::RunCreated { .. }) && e.parents.is_empty();
        if (position == 0) != is_root {
            return Err(ChainError::BadStart { id, position });
        }
        let mut expected = 1;
        for p in &e.parents {
            match seen.get(p.as_str()) {
                Some(l) => expected = expected.max(l + 1),
                None if all.contains(p.as_str()) => {
                    return Err(ChainError::ParentAfterChild { id, position, parent: p.clone() })
                }
                None => return Err(ChainError::MissingParent { id, position, parent: p.clone() }),
            }
            referenced.insert(p.as_str());
        }
        if e.lamport != expected {
            return Err(ChainError::BadLamport { id, position, found: e.lamport, expected });
        }
        seen.insert(e.hash.as_str(), e.lamport);
    }
    Ok(events.iter().filter(|e| !referenced.contains(e.hash.as_str())).map(|e| e.hash.clone()).collect())
}
