//! Run state as the deterministic fold of a run's events, and the validation of a new event against that state.
//!
//! Events are folded in the order Lamport counter, then device id, then event id, so two stores holding the same
//! set of events (in any insertion order) compute the same state. Later writers win per item. The fold never
//! fails on an event it cannot place (an unknown item, say, merged from elsewhere): such an event stays in the
//! timeline and changes nothing. Validation (`RunState::check`) is separate and pure; the store calls it before
//! appending. Sign-off rules (four-eyes, stale evidence, gates) are not here: see `signoff.rs`, built on the pub
//! fields below. No clock and no ids are made here.
//!
//! Architecture invariant: this is the only reduction of a run's events. Sign-off rules, the run status, the CLI,
//! the desktop and the PDF/Markdown reports all read a `RunState`; none of them folds events on its own.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::checklist::{Checklist, Item, ProbeDecl};
use crate::event::{Decision, Event, EventBody, GateMode, ItemState};
use crate::probe::Evidence;

/// Why an event cannot be applied to a run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("the run has no run_created event")]
    NotCreated,
    #[error("the run was already created")]
    AlreadyCreated,
    #[error("unknown item `{0}`")]
    UnknownItem(String),
    #[error("item `{0}`: skipping needs a reason")]
    ReasonRequired(String),
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("unknown role `{0}` (add it to the run first)")]
    UnknownRole(String),
    #[error("role `{0}` already exists")]
    DuplicateRole(String),
    #[error("the change window ends before it starts")]
    BadWindow,
    #[error("item `{item}`: invalid probe: {message}")]
    InvalidProbe { item: String, message: String },
    #[error("secret grant: {0}")]
    InvalidGrant(String),
    #[error("member: {0}")]
    InvalidMember(String),
    #[error("contact: {0}")]
    InvalidContact(String),
    #[error("device {device} is already a member of this run as {name} with another certificate")]
    DeviceTaken { device: String, name: String },
    #[error("item `{0}` is not a rollback trigger (see `runsheet run show` for the run's triggers)")]
    NotATrigger(String),
    #[error("item `{item}`: probe {probe} is not a rollback trigger probe")]
    NotATriggerProbe { item: String, probe: u32 },
    #[error("item `{item}`: evidence event `{evidence}` is not evidence of this item")]
    UnknownEvidence { item: String, evidence: String },
    #[error("rollback trigger `{0}` has already fired and waits for a decision")]
    TriggerOpen(String),
    #[error("rollback trigger `{0}` has not fired, or its firing is already decided")]
    NoOpenTrigger(String),
    #[error("trigger `{0}`: continuing needs a reason")]
    ContinueNeedsReason(String),
}


/// Run metadata from the `run_created` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMeta {
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// The operator named when the run was created.
    pub operator: String,
    /// The library checklist the run was created from (its frozen copy is `RunState::checklist`).
    pub checklist_id: String,
    pub created_at: DateTime<Utc>,
    /// The device that created the run.
    pub created_on: String,
}

/// The current state of one item: last writer (in fold order) wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStatus {
    pub state: ItemState,
    /// Reason given with the last state change (required for `skipped`).
    pub reason: Option<String>,
    /// The last note written on the item (with a state change or on its own).
    pub note: Option<String>,
    /// Who made the last state change, and when (None while the item was never touched).
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// Id of the event that made the last state change.
    pub event: Option<String>,
    /// Everyone who changed this item's state, in fold order without repeats (four-eyes needs it).
    pub actors: Vec<String>,
    /// Fingerprints of the certificates that signed this item's state changes, in fold order without repeats
    /// (four-eyes by key: a name can be typed, a key cannot).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Every note written on the item (with a state change or on its own), in fold order; `note` is the last.
    pub notes: Vec<NoteRecord>,
}

impl Default for ItemStatus {
    fn default() -> Self {
        ItemStatus {
            state: ItemState::Pending,
            reason: None,
            note: None,
            by: None,
            at: None,
            event: None,
            actors: vec![],
            keys: vec![],
            notes: vec![],
        }
    }
}

/// One note as written on an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteRecord {
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub event: String,
}

/// One piece of probe evidence recorded on an item (already masked by the probes crate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRecord {
    pub at: DateTime<Utc>,
    pub by: String,
    pub event: String,
    /// The JSON exactly as recorded (the event hash covers it; a newer build's extra fields survive here).
    pub evidence: serde_json::Value,
    /// `evidence` read once, when folded, into the probes' type; None when it does not read, which every rule
    /// and report treats as failing evidence. Not serialised: `evidence` already carries the same data.
    #[serde(skip)]
    pub parsed: Option<Evidence>,
}

/// A probe attached to an item during the run (`probe_added`), after the checklist's own probes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedProbe {
    /// The probe as parsed from the recorded TOML (`line` is 0: it has no place in the checklist source).
    pub decl: ProbeDecl,
    pub at: DateTime<Utc>,
    pub by: String,
    pub event: String,
}

/// Largest probe TOML a `probe_added` event may carry.
pub const PROBE_SOURCE_LIMIT: usize = 64 * 1024;

/// A role that must sign: from the checklist's sign-off lines or added to the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Role {
    /// The canonical spelling (as the checklist or the first `role_added` wrote it).
    pub name: String,
    /// Phase whose items the role approves, from the checklist's sign-off line; None (or a phase without items)
    /// means the whole run. Roles added during the run (`role_added`) have none.
    pub phase: Option<String>,
}

/// Role names match case-insensitively and trimmed ("pre lead" is "Pre Lead").
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A sign-off as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignOff {
    /// The role's canonical name (see [`RunState::role`]), whatever case the event spelled it in.
    pub role: String,
    /// The person who signed.
    pub name: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// The operator who recorded it (usually `name`).
    pub by: String,
    pub event: String,
    /// Fingerprint of the certificate that signed the sign-off event, if it was signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A waiver on an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiver {
    pub reason: String,
    pub approver: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub event: String,
}

/// A member of a shared run: who writes from which device, and the certificate their events are signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub name: String,
    pub device: String,
    /// Hex X.509 DER, as the `member_joined` event carries it.
    pub certificate: String,
    /// Hex SHA-256 of the certificate's DER (what an event's author names).
    pub fingerprint: String,
    pub at: DateTime<Utc>,
    /// The `member_joined` event.
    pub event: String,
}

/// One firing of a rollback trigger, with its decision once made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerRecord {
    /// The trigger item.
    pub trigger: String,
    /// The trigger probe (index among the item's probes) whose failure fired it; None when declared.
    pub probe: Option<u32>,
    /// The `evidence` event that fired it, if a probe did.
    pub evidence: Option<String>,
    pub summary: Option<String>,
    pub at: DateTime<Utc>,
    /// Who fired it (the operator who declared it, or who ran the probe).
    pub by: String,
    /// The `trigger_fired` event.
    pub event: String,
    /// The decision on this firing; None while the run waits for one.
    pub decision: Option<DecisionRecord>,
}

/// A decision on a fired trigger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRecord {
    pub decision: Decision,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    /// The `rollback_decided` event.
    pub event: String,
    /// Fingerprint of the certificate that signed the decision event, if it was signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Run settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Four-eyes rule: a person who executed items in a phase cannot sign its approval. On by default.
    pub four_eyes: bool,
    pub gate_mode: GateMode,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { four_eyes: true, gate_mode: GateMode::default() }
    }
}

/// Item counts per state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Progress {
    pub total: usize,
    pub pending: usize,
    pub done: usize,
    pub skipped: usize,
    pub failed: usize,
    pub blocked: usize,
    pub not_applicable: usize,
}

impl Progress {
    pub fn add(&mut self, state: ItemState) {
        self.total += 1;
        match state {
            ItemState::Pending => self.pending += 1,
            ItemState::Done => self.done += 1,
            ItemState::Skipped => self.skipped += 1,
            ItemState::Failed => self.failed += 1,
            ItemState::Blocked => self.blocked += 1,
            ItemState::NotApplicable => self.not_applicable += 1,
        }
    }

    /// Items with nothing more to do (done, skipped, n/a).
    pub fn settled(&self) -> usize {
        self.done + self.skipped + self.not_applicable
    }
}

/// Where a run stands: the one run status every surface (CLI, desktop, store list, PDF and Markdown reports)
/// shows, computed only by [`RunState::status`]. A waived item counts as settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every item is pending (and not waived).
    NotStarted,
    /// Work has started and something is still pending.
    InProgress,
    /// Some item is blocked and not waived.
    Blocked,
    /// Nothing is pending or blocked (unwaived), and at least one item failed and was not waived.
    Failed,
    /// The deployment is done (every item but the follow-ups done, skipped, n/a or waived, nothing blocked or
    /// failed) and follow-up items ([`crate::schedule::follow_up_items`]) are still pending.
    Monitoring,
    /// Every item is done, skipped, n/a or waived; some role has not signed (or the run has no roles).
    Complete,
    /// Complete, and every role (at least one) has signed.
    Signed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::NotStarted => "not_started",
            RunStatus::InProgress => "in_progress",
            RunStatus::Blocked => "blocked",
            RunStatus::Failed => "failed",
            RunStatus::Monitoring => "monitoring",
            RunStatus::Complete => "complete",
            RunStatus::Signed => "signed",
        }
    }

    /// Read a status name back (as `as_str` writes it; `completed` too, as older builds and the desktop wrote).
    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s.trim() {
            "not_started" => RunStatus::NotStarted,
            "in_progress" => RunStatus::InProgress,
            "blocked" => RunStatus::Blocked,
            "failed" => RunStatus::Failed,
            "monitoring" => RunStatus::Monitoring,
            "complete" | "completed" => RunStatus::Complete,
            "signed" => RunStatus::Signed,
            _ => return None,
        })
    }
}

/// The state of a run: the fold of its events.
///
/// Items start `pending`, even when the checklist's Markdown had them `[x]`-checked: a run is a new execution
/// of the checklist, and nothing is done in it until someone records so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunState {
    pub run_id: String,
    pub meta: RunMeta,
    /// The frozen copy of the checklist the run was created with.
    pub checklist: Checklist,
    /// Every item of the checklist (nested ones too) by id; untouched items are `pending`.
    pub items: BTreeMap<String, ItemStatus>,
    /// Evidence per item, in fold order.
    pub evidence: BTreeMap<String, Vec<EvidenceRecord>>,
    /// Sign-offs in fold order (a role may be signed more than once; rules on that live in `signoff.rs`).
    pub signoffs: Vec<SignOff>,
    /// Roles that must sign: the checklist's sign-off lines, then roles added to the run, without repeats
    /// (compared case-insensitively, see [`RunState::role`]).
    pub roles: Vec<Role>,
    /// Waivers per item (the last one wins).
    pub waivers: BTreeMap<String, Waiver>,
    /// Items whose shell probes the operator armed for this run.
    pub armed: BTreeSet<String>,
    /// Probes added to items during the run, per item in fold order (see [`RunState::probes`]).
    pub added_probes: BTreeMap<String, Vec<AddedProbe>>,
    /// Secrets the operator allowed, for this run, to be sent to hosts: secret name -> hosts.
    pub grants: BTreeMap<String, BTreeSet<String>>,
    /// The checklist's contacts with what was filled in during the run (`contact_set`), and contacts added.
    pub contacts: Vec<crate::checklist::Contact>,
    pub settings: Settings,
    /// Members of a shared run by device (empty for a single-laptop run): the first `member_joined` of a device in
    /// fold order.
    pub members: BTreeMap<String, Member>,
    /// Every firing of a rollback trigger in fold order, each with its decision once made (see
    /// [`RunState::open_triggers`]).
    pub triggers: Vec<TriggerRecord>,
    /// The phase the run is working in when it left the planned order: the rollback phase (its id) once a
    /// rollback was decided, None while the run follows its phases. The run views read it.
    pub active_phase: Option<String>,
    /// Every event in fold order (Lamport, device, id), including ones that changed nothing.
    pub timeline: Vec<Event>,
}

impl RunState {
    /// Fold a run's events (in any order; they are sorted here). Fails only when there is no `run_created`.
    pub fn fold(mut events: Vec<Event>) -> Result<RunState, RunError> {
        events.sort_by(|a, b| a.fold_key().cmp(&b.fold_key()));
        let mut iter = events.into_iter();
        let first = iter.next().ok_or(RunError::NotCreated)?;
        let mut state = RunState::created(first)?;
        for e in iter {
            state.apply(e);
        }
        Ok(state)
    }

    /// The state right after a `run_created` event.
    pub fn created(event: Event) -> Result<RunState, RunError> {
        let EventBody::RunCreated {
            title,
            version,
            environment,
            window_start,
            window_end,
            operator,
            checklist_id,
            checklist,
        } = &event.body
        else {
            return Err(RunError::NotCreated);
        };
        let checklist = (**checklist).clone();
        let checklist_contacts = checklist.contacts.clone();
        let items = checklist.items().into_iter().map(|(_, _, i)| (i.id.clone(), ItemStatus::default())).collect();
        let mut roles: Vec<Role> = Vec::new();
        for s in &checklist.signoffs {
            if !roles.iter().any(|r| same_name(&r.name, &s.role)) {
                roles.push(Role { name: s.role.clone(), phase: s.phase.clone() });
            }
        }
        Ok(RunState {
            run_id: event.run_id.clone(),
            meta: RunMeta {
                title: title.clone(),
                version: version.clone(),
                environment: environment.clone(),
                window_start: *window_start,
                window_end: *window_end,
                operator: operator.clone(),
                checklist_id: checklist_id.clone(),
                created_at: event.at,
                created_on: event.device.clone(),
            },
            checklist,
            items,
            evidence: BTreeMap::new(),
            signoffs: Vec::new(),
            roles,
            waivers: BTreeMap::new(),
            armed: BTreeSet::new(),
            added_probes: BTreeMap::new(),
            grants: BTreeMap::new(),
            contacts: checklist_contacts,
            settings: Settings::default(),
            members: BTreeMap::new(),
            triggers: Vec::new(),
            active_phase: None,
            timeline: vec![event],
        })
    }

    /// Apply one event on top of the state. The caller keeps fold order (`Event::fold_key`); appending a freshly
    /// made event to the current heads always does, since its Lamport counter is above every existing one.
    pub fn apply(&mut self, e: Event) {
        match &e.body {
            EventBody::RunCreated { .. } => {}
            EventBody::ItemSet { item, state, reason, note } => {
                if let Some(s) = self.items.get_mut(item) {
                    s.state = *state;
                    s.reason = reason.clone().filter(|r| !r.trim().is_empty());
                    if let Some(n) = note {
                        s.note = Some(n.clone());
                        s.notes.push(NoteRecord { text: n.clone(), by: e.actor.clone(), at: e.at, event: e.id.clone() });
                    }
                    s.by = Some(e.actor.clone());
                    s.at = Some(e.at);
                    s.event = Some(e.id.clone());
                    if !s.actors.contains(&e.actor) {
                        s.actors.push(e.actor.clone());
                    }
                    if let Some(a) = e.author.as_ref().filter(|a| !s.keys.contains(&a.fingerprint)) {
                        s.keys.push(a.fingerprint.clone());
                    }
                }
            }
            EventBody::NoteAdded { item, note } => {
                if let Some(s) = self.items.get_mut(item) {
                    s.note = Some(note.clone());
                    s.notes.push(NoteRecord { text: note.clone(), by: e.actor.clone(), at: e.at, event: e.id.clone() });
                }
            }
            EventBody::ProbeArmed { item } => {
                if self.items.contains_key(item) {
                    self.armed.insert(item.clone());
                }
            }
            EventBody::Evidence { item, evidence } => {
                if self.items.contains_key(item) {
                    self.evidence.entry(item.clone()).or_default().push(EvidenceRecord {
                        at: e.at,
                        by: e.actor.clone(),
                        event: e.id.clone(),
                        evidence: evidence.clone(),
                        parsed: Evidence::from_value(evidence).ok(),
                    });
                }
            }
            EventBody::ProbeAdded { item, source } => {
                // A block that does not parse (merged from a newer build with fields this one lacks, say) is
                // left out rather than guessed at; `check` refuses such blocks locally.
                if let (true, Ok(spec)) = (self.items.contains_key(item), crate::probe::parse(source)) {
                    self.added_probes.entry(item.clone()).or_default().push(AddedProbe {
                        decl: ProbeDecl { line: 0, source: source.clone(), spec },
                        at: e.at,
                        by: e.actor.clone(),
                        event: e.id.clone(),
                    });
                }
            }
            EventBody::SignedOff { role, name, comment } => {
                // Stored under the canonical name, so "pre lead" signs "Pre Lead" for every reader.
                let role = self.role(role).map_or_else(|| role.trim().to_string(), |r| r.name.clone());
                self.signoffs.push(SignOff {
                    role,
                    name: name.clone(),
                    comment: comment.clone(),
                    at: e.at,
                    by: e.actor.clone(),
                    event: e.id.clone(),
                    key: e.author.as_ref().map(|a| a.fingerprint.clone()),
                });
            }
            EventBody::RoleAdded { role } => {
                if self.role(role).is_none() && !role.trim().is_empty() {
                    self.roles.push(Role { name: role.trim().to_string(), phase: None });
                }
            }
            EventBody::SecretGranted { secret, host } => {
                self.grants.entry(secret.clone()).or_default().insert(host.clone());
            }
            EventBody::ContactSet { role, fields } => self.fill_contact(role, fields),
            EventBody::Waived { item, reason, approver } => {
                if self.items.contains_key(item) {
                    self.waivers.insert(
                        item.clone(),
                        Waiver {
                            reason: reason.clone(),
                            approver: approver.clone(),
                            at: e.at,
                            by: e.actor.clone(),
                            event: e.id.clone(),
                        },
                    );
                }
            }
            EventBody::MemberJoined { name, device, certificate } => {
                // Only a self-introduction with a readable certificate counts, and a device's first one stands;
                // signatures are checked where the crypto lives (runsheet-report's `event_sig`).
                if let (true, false, Some(fingerprint)) =
                    (*device == e.device, self.members.contains_key(device), certificate_fingerprint(certificate))
                {
                    self.members.insert(
                        device.clone(),
                        Member {
                            name: name.trim().to_string(),
                            device: device.clone(),
                            certificate: certificate.clone(),
                            fingerprint,
                            at: e.at,
                            event: e.id.clone(),
                        },
                    );
                }
            }
            EventBody::TriggerFired { trigger, probe, evidence, summary } => {
                // A second firing while one waits for its decision adds nothing (two laptops saw the same
                // failure); `check` refuses it locally.
                if self.items.contains_key(trigger) && self.open_trigger(trigger).is_none() {
                    self.triggers.push(TriggerRecord {
                        trigger: trigger.clone(),
                        probe: *probe,
                        evidence: evidence.clone(),
                        summary: summary.clone().filter(|s| !s.trim().is_empty()),
                        at: e.at,
                        by: e.actor.clone(),
                        event: e.id.clone(),
                        decision: None,
                    });
                }
            }
            EventBody::RollbackDecided { trigger, decision, reason } => {
                // The first decision in fold order on an open firing stands; a concurrent second one (merged
                // from another laptop) stays in the timeline and changes nothing.
                let idx = self.triggers.iter().rposition(|t| &t.trigger == trigger && t.decision.is_none());
                if let Some(idx) = idx {
                    self.triggers[idx].decision = Some(DecisionRecord {
                        decision: *decision,
                        reason: reason.clone().filter(|r| !r.trim().is_empty()),
                        at: e.at,
                        by: e.actor.clone(),
                        event: e.id.clone(),
                        key: e.author.as_ref().map(|a| a.fingerprint.clone()),
                    });
                    if *decision == Decision::Rollback {
                        self.active_phase = self.rollback_phase(trigger).or_else(|| self.active_phase.clone());
                    }
                }
            }
            EventBody::SettingsChanged { four_eyes, gate_mode } => {
                if let Some(f) = four_eyes {
                    self.settings.four_eyes = *f;
                }
                if let Some(g) = gate_mode {
                    self.settings.gate_mode = *g;
                }
            }
        }
        self.timeline.push(e);
    }

    /// Validate a new event body against the current state (pure; the store calls it before appending).
    /// Structural checks only: sign-off policy (four-eyes, gates, stale evidence) is `signoff.rs`'s business.
    pub fn check(&self, body: &EventBody) -> Result<(), RunError> {
        let known = |item: &str| {
            if self.items.contains_key(item) {
                Ok(())
            } else {
                Err(RunError::UnknownItem(item.to_string()))
            }
        };
        match body {
            EventBody::RunCreated { .. } => Err(RunError::AlreadyCreated),
            EventBody::ItemSet { item, state, reason, .. } => {
                known(item)?;
                if *state == ItemState::Skipped && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(RunError::ReasonRequired(item.clone()));
                }
                Ok(())
            }
            EventBody::NoteAdded { item, note } => {
                known(item)?;
                nonempty(note, "note")
            }
            EventBody::ProbeArmed { item } | EventBody::Evidence { item, .. } => known(item),
            EventBody::ProbeAdded { item, source } => {
                known(item)?;
                check_probe_source(item, source)
            }
            EventBody::SignedOff { role, name, .. } => {
                nonempty(name, "signer name")?;
                if self.role(role).is_none() {
                    return Err(RunError::UnknownRole(role.clone()));
                }
                Ok(())
            }
            EventBody::RoleAdded { role } => {
                nonempty(role, "role")?;
                if let Some(r) = self.role(role) {
                    return Err(RunError::DuplicateRole(r.name.clone()));
                }
                Ok(())
            }
            EventBody::SecretGranted { secret, host } => check_grant(secret, host),
            EventBody::ContactSet { role, fields } => {
                nonempty(role, "contact role")?;
                if fields.is_empty() {
                    return Err(RunError::Empty("contact details"));
                }
                for f in fields {
                    if !crate::checklist::CONTACT_KINDS.contains(&f.kind.as_str()) {
                        return Err(RunError::InvalidContact(format!(
                            "`{}` is not a kind of contact detail (use one of {})",
                            f.kind,
                            crate::checklist::CONTACT_KINDS.join(", ")
                        )));
                    }
                    nonempty(f.value.as_deref().unwrap_or(""), "contact detail")?;
                }
                Ok(())
            }
            EventBody::Waived { item, reason, approver } => {
                known(item)?;
                nonempty(reason, "waiver reason")?;
                nonempty(approver, "approver")
            }
            EventBody::SettingsChanged { .. } => Ok(()),
            EventBody::TriggerFired { trigger, probe, evidence, .. } => {
                known(trigger)?;
                if !self.is_trigger(trigger) {
                    return Err(RunError::NotATrigger(trigger.clone()));
                }
                if let Some(p) = probe {
                    let is_trigger_probe =
                        self.probes(trigger).get(*p as usize).is_some_and(|d| d.spec.rollback_trigger);
                    if !is_trigger_probe {
                        return Err(RunError::NotATriggerProbe { item: trigger.clone(), probe: *p });
                    }
                }
                if let Some(ev) = evidence {
                    if !self.evidence.get(trigger).is_some_and(|v| v.iter().any(|r| &r.event == ev)) {
                        return Err(RunError::UnknownEvidence { item: trigger.clone(), evidence: ev.clone() });
                    }
                }
                if self.open_trigger(trigger).is_some() {
                    return Err(RunError::TriggerOpen(trigger.clone()));
                }
                Ok(())
            }
            EventBody::RollbackDecided { trigger, decision, reason } => {
                known(trigger)?;
                if self.open_trigger(trigger).is_none() {
                    return Err(RunError::NoOpenTrigger(trigger.clone()));
                }
                if *decision == Decision::Continue && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(RunError::ContinueNeedsReason(trigger.clone()));
                }
                Ok(())
            }
            EventBody::MemberJoined { name, device, certificate } => {
                nonempty(name, "member name")?;
                nonempty(device, "member device")?;
                let fingerprint = certificate_fingerprint(certificate)
                    .ok_or_else(|| RunError::InvalidMember("the certificate is not hex DER".into()))?;
                match self.members.get(device) {
                    Some(m) if m.fingerprint != fingerprint => {
                        Err(RunError::DeviceTaken { device: device.clone(), name: m.name.clone() })
                    }
                    Some(_) => Err(RunError::InvalidMember(format!("device {device} is already a member"))),
                    None => Ok(()),
                }
            }
        }
    }

    /// Whether `item` is a rollback trigger: suggested as one by its place and wording
    /// ([`crate::suggest::suggest_trigger`]), or one of its effective probes says `rollback_trigger = true`.
    pub fn is_trigger(&self, item: &str) -> bool {
        self.trigger_reason(item).is_some()
    }

    /// Why `item` is a rollback trigger, if it is one.
    pub fn trigger_reason(&self, item: &str) -> Option<String> {
        if self.probes(item).iter().any(|d| d.spec.rollback_trigger) {
            return Some("a probe with rollback_trigger = true".into());
        }
        self.checklist
            .items()
            .into_iter()
            .find(|(_, _, i)| i.id == item)
            .and_then(|(p, s, i)| crate::suggest::suggest_trigger(p, s, i))
    }

    /// Every rollback trigger of the run in document order, with why it is one.
    pub fn trigger_items(&self) -> Vec<(String, String)> {
        self.checklist
            .items()
            .into_iter()
            .filter_map(|(_, _, i)| self.trigger_reason(&i.id).map(|r| (i.id.clone(), r)))
            .collect()
    }

    /// The firing of `trigger` that waits for a decision, if any.
    pub fn open_trigger(&self, trigger: &str) -> Option<&TriggerRecord> {
        self.triggers.iter().find(|t| t.trigger == trigger && t.decision.is_none())
    }

    /// Every firing that waits for a decision, in fold order: while one does, it is the run's first blocker.
    pub fn open_triggers(&self) -> Vec<&TriggerRecord> {
        self.triggers.iter().filter(|t| t.decision.is_none()).collect()
    }

    /// The event to record after evidence `evidence_event` of `item` was folded, when that evidence fires a
    /// trigger: it comes from a probe with `rollback_trigger = true`, it did not pass (or does not read), the item
    /// has no firing waiting for a decision, and its last firing was not decided `rollback` (the run is rolling
    /// back already; the failure is expected). After `continue`, a new failure asks again. The app records it right
    /// after the evidence.
    pub fn fired_by_evidence(&self, item: &str, evidence_event: &str) -> Option<EventBody> {
        let record = self.evidence.get(item)?.iter().find(|r| r.event == evidence_event)?;
        let probe = match &record.parsed {
            Some(ev) => ev.probe,
            // Unreadable evidence cannot say which probe it came from: it fires only when every probe of the item
            // is a trigger probe, named as the first.
            None if self.probes(item).iter().all(|d| d.spec.rollback_trigger) => 0,
            None => return None,
        };
        let decl = self.probes(item).get(probe as usize).cloned()?;
        let passed = record.parsed.as_ref().is_some_and(|ev| ev.outcome == crate::probe::Outcome::Pass);
        let rolling_back = self
            .triggers
            .iter()
            .rev()
            .find(|t| t.trigger == item)
            .and_then(|t| t.decision.as_ref())
            .is_some_and(|d| d.decision == Decision::Rollback);
        if !decl.spec.rollback_trigger || passed || rolling_back || self.open_trigger(item).is_some() {
            return None;
        }
        let summary = match &record.parsed {
            Some(ev) => format!("{} {} {}: {}", ev.kind, ev.target, ev.outcome.as_str(), ev.detail),
            None => "unreadable evidence".to_string(),
        };
        Some(EventBody::TriggerFired {
            trigger: item.to_string(),
            probe: Some(probe),
            evidence: Some(evidence_event.to_string()),
            summary: Some(summary),
        })
    }

    /// The phase a rollback of `trigger` works in: the trigger's own phase when it is a rollback phase, else the
    /// first rollback phase of the checklist, else the phase of the first rollback section.
    pub fn rollback_phase(&self, trigger: &str) -> Option<String> {
        let c = &self.checklist;
        let own = c.items().into_iter().find(|(_, _, i)| i.id == trigger).map(|(p, _, _)| p);
        own.filter(|p| p.rollback)
            .or_else(|| c.phases.iter().find(|p| p.rollback))
            .or_else(|| c.phases.iter().find(|p| p.sections.iter().any(|s| s.rollback)))
            .map(|p| p.id.clone())
    }

    /// Fill in contact details: a field of the same kind (and, for `other`, the same label) takes the value, the
    /// rest are added; a role the checklist does not list becomes a new contact. Roles compare case-insensitively.
    fn fill_contact(&mut self, role: &str, fields: &[crate::checklist::ContactField]) {
        let role = role.trim();
        let at = match self.contacts.iter().position(|c| c.role.eq_ignore_ascii_case(role)) {
            Some(i) => i,
            None => {
                self.contacts.push(crate::checklist::Contact {
                    role: role.to_string(),
                    group: "Added during the run".into(),
                    section: String::new(),
                    line: 0,
                    fields: Vec::new(),
                });
                self.contacts.len() - 1
            }
        };
        let contact = &mut self.contacts[at];
        for f in fields {
            let same = |g: &&mut crate::checklist::ContactField| {
                g.kind == f.kind && (f.kind != "other" || g.label.eq_ignore_ascii_case(&f.label))
            };
            match contact.fields.iter_mut().find(same) {
                Some(g) => g.value.clone_from(&f.value),
                None => contact.fields.push(f.clone()),
            }
        }
    }

    /// The member registered for `device`, if the run is shared and the device joined.
    pub fn member(&self, device: &str) -> Option<&Member> {
        self.members.get(device)
    }

    /// Whether the run is shared: someone joined it.
    pub fn is_shared(&self) -> bool {
        !self.members.is_empty()
    }

    /// Validate a `run_created` body for a new run (no state exists yet).
    pub fn check_new(body: &EventBody) -> Result<(), RunError> {
        match body {
            EventBody::RunCreated { title, operator, window_start, window_end, .. } => {
                nonempty(title, "title")?;
                nonempty(operator, "operator")?;
                if let (Some(s), Some(e)) = (window_start, window_end) {
                    if e < s {
                        return Err(RunError::BadWindow);
                    }
                }
                Ok(())
            }
            _ => Err(RunError::NotCreated),
        }
    }

    /// The role named `name`, matched case-insensitively and trimmed: every caller (CLI, desktop, store, rules)
    /// finds roles through here, so they all normalise the same way.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| same_name(&r.name, name))
    }

    /// The effective probes of an item: the frozen checklist's ```probe blocks, then the probes added during the
    /// run in fold order. A probe's index in this list is the `probe` number its evidence carries. Empty for an
    /// unknown item.
    pub fn probes(&self, item: &str) -> Vec<ProbeDecl> {
        let mut out = self.checklist.item(item).map(|i| i.probes.clone()).unwrap_or_default();
        out.extend(self.added_probes.get(item).into_iter().flatten().map(|a| a.decl.clone()));
        out
    }

    /// The frozen checklist with the probes added during the run appended to their items: what runs, shows and
    /// exports a run's probes should use. Equal to `checklist` when no probe was added.
    pub fn effective_checklist(&self) -> Checklist {
        let mut c = self.checklist.clone();
        if self.added_probes.is_empty() {
            return c;
        }
        fn walk(items: &mut [Item], added: &BTreeMap<String, Vec<AddedProbe>>) {
            for it in items {
                if let Some(a) = added.get(&it.id) {
                    it.probes.extend(a.iter().map(|a| a.decl.clone()));
                }
                walk(&mut it.children, added);
            }
        }
        for p in &mut c.phases {
            for s in &mut p.sections {
                walk(&mut s.items, &self.added_probes);
            }
        }
        c
    }

    /// Item counts per state over every item (nested ones included).
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for s in self.items.values() {
            p.add(s.state);
        }
        p
    }

    /// Where the run stands; the only run-status computation (see [`RunStatus`]). A waived item counts as
    /// settled whatever its state.
    pub fn status(&self) -> RunStatus {
        let follow_ups = crate::schedule::follow_up_items(&self.checklist);
        let (mut pending, mut blocked, mut failed, mut touched) = (0usize, 0usize, 0usize, false);
        let mut follow_ups_pending = 0usize;
        for (id, s) in &self.items {
            if self.waivers.contains_key(id) {
                touched = true;
                continue;
            }
            match s.state {
                ItemState::Pending if follow_ups.contains(id) => follow_ups_pending += 1,
                ItemState::Pending => pending += 1,
                ItemState::Blocked => blocked += 1,
                ItemState::Failed => failed += 1,
                ItemState::Done | ItemState::Skipped | ItemState::NotApplicable => {}
            }
            touched |= s.state != ItemState::Pending;
        }
        if pending + blocked + failed == 0 && follow_ups_pending > 0 {
            // Only follow-ups are left; a run nobody touched has not started, whatever its checklist holds.
            if touched {
                RunStatus::Monitoring
            } else {
                RunStatus::NotStarted
            }
        } else if pending + blocked + failed == 0 {
            let all_signed = !self.roles.is_empty()
                && self.roles.iter().all(|r| self.signoffs.iter().any(|s| same_name(&s.role, &r.name)));
            if all_signed {
                RunStatus::Signed
            } else {
                RunStatus::Complete
            }
        } else if blocked > 0 {
            RunStatus::Blocked
        } else if pending + follow_ups_pending == 0 {
            RunStatus::Failed
        } else if !touched {
            RunStatus::NotStarted
        } else {
            RunStatus::InProgress
        }
    }

    /// The status of an item (pending for an unknown id is never returned: None).
    pub fn item(&self, id: &str) -> Option<&ItemStatus> {
        self.items.get(id)
    }

    /// Hashes of the events no other event names as a parent (one, unless the run was merged and not yet joined).
    pub fn heads(&self) -> Vec<&Event> {
        let referenced: BTreeSet<&str> =
            self.timeline.iter().flat_map(|e| e.parents.iter().map(String::as_str)).collect();
        self.timeline.iter().filter(|e| !referenced.contains(e.hash.as_str())).collect()
    }

    /// The run as JSON for `runsheet run show --json` and the desktop: metadata, status, progress, settings, the
    /// phase/section/item tree (every item with id, line, text, state, reason, note, by, at, evidence, waiver,
    /// children), roles and sign-offs with what blocks them at `now` (evidence goes stale with time). Fields may
    /// be added, never renamed.
    pub fn to_json(&self, now: DateTime<Utc>) -> serde_json::Value {
        let phases: Vec<serde_json::Value> = self
            .checklist
            .phases
            .iter()
            .map(|p| {
                let mut prog = Progress::default();
                let sections: Vec<serde_json::Value> = p
                    .sections
                    .iter()
                    .map(|s| {
                        json!({
                            "id": s.id,
                            "title": s.title,
                            "line": s.line,
                            "rollback": s.rollback,
                            "items": s.items.iter().map(|i| self.item_json(i)).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                for s in &p.sections {
                    walk_items(&s.items, &mut |i| prog.add(self.items.get(&i.id).map(|s| s.state).unwrap_or(ItemState::Pending)));
                }
                json!({
                    "id": p.id,
                    "title": p.title,
                    "line": p.line,
                    "rollback": p.rollback,
                    "timing": p.timing,
                    "progress": prog,
                    "sections": sections,
                })
            })
            .collect();
        let progress = self.progress();
        json!({
            "id": self.run_id,
            "title": self.meta.title,
            "version": self.meta.version,
            "environment": self.meta.environment,
            "window_start": self.meta.window_start,
            "window_end": self.meta.window_end,
            "operator": self.meta.operator,
            "checklist_id": self.meta.checklist_id,
            "checklist_title": self.checklist.title,
            "created_at": self.meta.created_at,
            "status": self.status(),
            "progress": progress,
            "settings": self.settings,
            "heads": self.heads().iter().map(|e| e.hash.clone()).collect::<Vec<_>>(),
            "events": self.timeline.len(),
            "phases": phases,
            // Role names, as before roles carried a phase (the phase is in each `signoffs` entry).
            "roles": self.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            "grants": self.grants,
            // Who may write from which device (a shared run; empty for a single-laptop run).
            "members": self.members.values().map(|m| json!({
                "name": m.name,
                "device": m.device,
                "fingerprint": m.fingerprint,
                "at": m.at,
                "event": m.event,
            })).collect::<Vec<_>>(),
            // The contacts card: the checklist's contacts with what was filled in (placeholders have no value).
            "contacts": self.contacts,
            // Rollback triggers: which items are triggers, every firing with its decision, and the phase the
            // run works in once a rollback was decided.
            "triggers": self.trigger_items().into_iter().map(|(item, why)| json!({
                "item": item,
                "text": self.checklist.item(&item).map(|i| i.text.as_str()),
                "why": why,
                "open": self.open_trigger(&item).is_some(),
            })).collect::<Vec<_>>(),
            "firings": self.triggers,
            "active_phase": self.active_phase,
            // What holds the run up, most urgent first: an undecided trigger leads.
            "blockers": crate::signoff::run_blockers(self, now),
            // Issue 4's shape: { role, signed_by, at, blocked_by } (plus phase, comment, structured blockers).
            "signoffs": crate::signoff::statuses(self, now),
        })
    }

    fn item_json(&self, it: &Item) -> serde_json::Value {
        let s = self.items.get(&it.id).cloned().unwrap_or_default();
        json!({
            "id": it.id,
            "line": it.line,
            "text": it.text,
            "state": s.state,
            "reason": s.reason,
            "note": s.note,
            "by": s.by,
            "at": s.at,
            "armed": self.armed.contains(&it.id),
            "probes": it.probes.len() + self.added_probes.get(&it.id).map_or(0, Vec::len),
            "added_probes": self.added_probes.get(&it.id).map(Vec::as_slice).unwrap_or(&[]),
            "commands": it.commands,
            "evidence": self.evidence.get(&it.id).map(Vec::as_slice).unwrap_or(&[]),
            "waiver": self.waivers.get(&it.id),
            "children": it.children.iter().map(|c| self.item_json(c)).collect::<Vec<_>>(),
        })
    }
}

/// Call `f` on every item of a list, depth first.
pub fn walk_items<'a>(items: &'a [Item], f: &mut dyn FnMut(&'a Item)) {
    for it in items {
        f(it);
        walk_items(&it.children, f);
    }
}

/// A `probe_added` source must be a valid probe block of reasonable size.
pub fn check_probe_source(item: &str, source: &str) -> Result<(), RunError> {
    let bad = |message: String| RunError::InvalidProbe { item: item.to_string(), message };
    if source.trim().is_empty() {
        return Err(bad("the probe TOML is empty".into()));
    }
    if source.len() > PROBE_SOURCE_LIMIT {
        return Err(bad(format!("the probe TOML is larger than {} KiB", PROBE_SOURCE_LIMIT / 1024)));
    }
    crate::probe::parse(source).map(|_| ()).map_err(|e| bad(e.to_string()))
}

/// A `secret_granted` event names a secret as the keyring stores it and a bare host name (or IP address): no
/// scheme, path, port, whitespace or control characters, so a grant cannot be widened by how it is spelled.
fn check_grant(secret: &str, host: &str) -> Result<(), RunError> {
    if let Some(problem) = crate::probe::secret_name_problem(secret) {
        return Err(RunError::InvalidGrant(problem));
    }
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']'))
        && !host.starts_with(['.', '-']);
    if !host_ok {
        return Err(RunError::InvalidGrant(format!("invalid host `{host}` (a bare host name or IP address)")));
    }
    Ok(())
}

/// The hex SHA-256 fingerprint of a certificate given as hex DER (None when it is not hex or empty).
pub fn certificate_fingerprint(certificate_hex: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let der = hex::decode(certificate_hex.trim()).ok().filter(|d| !d.is_empty())?;
    Some(hex::encode(Sha256::digest(der)))
}

fn nonempty(s: &str, what: &'static str) -> Result<(), RunError> {
    if s.trim().is_empty() {
        Err(RunError::Empty(what))
    } else {
        Ok(())
    }
}

/// The run as GitHub-flavoured Markdown: the frozen checklist with `[x]` on done items and, under every touched
/// item, its state, who/when, reason, note, waiver and evidence count; a header with the run metadata and a
/// sign-off summary at the end. Re-importing the result gives the same items (the annotations are written by
/// `render::render_with` so that they never change what re-imports).
pub fn export_markdown(state: &RunState) -> String {
    use crate::render::{render_with, ItemAnnotation};
    let when = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    // Probes added during the run are written under their items, like the checklist's own blocks.
    let checklist = state.effective_checklist();
    let body = render_with(&checklist, &|it: &Item| {
        let Some(s) = state.items.get(&it.id) else { return ItemAnnotation::default() };
        let mut lines = Vec::new();
        if s.state != ItemState::Pending || s.by.is_some() {
            let mut l = format!("{}", s.state);
            if let (Some(by), Some(at)) = (&s.by, s.at) {
                l.push_str(&format!(" by {by} at {}", when(at)));
            }
            if let Some(r) = &s.reason {
                l.push_str(&format!(", reason: {r}"));
            }
            lines.push(l);
        }
        if let Some(n) = &s.note {
            lines.push(format!("note: {n}"));
        }
        if let Some(w) = state.waivers.get(&it.id) {
            lines.push(format!("waived by {} at {}: {}", w.approver, when(w.at), w.reason));
        }
        if let Some(ev) = state.evidence.get(&it.id) {
            lines.push(format!("evidence: {} record(s), last at {}", ev.len(), ev.last().map(|e| when(e.at)).unwrap_or_default()));
        }
        ItemAnnotation { checked: Some(s.state == ItemState::Done), lines }
    });
    let p = state.progress();
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let mut head = String::from("<!--\n");
    head.push_str(&format!("runsheet run {}\n", state.run_id));
    head.push_str(&format!("run: {}\nversion: {}\nenvironment: {}\noperator: {}\n", state.meta.title.replace("--", "- -"), opt(&state.meta.version), opt(&state.meta.environment), state.meta.operator));
    if let (Some(s), Some(e)) = (state.meta.window_start, state.meta.window_end) {
        head.push_str(&format!("window: {} .. {}\n", when(s), when(e)));
    }
    head.push_str(&format!(
        "status: {} ({}/{} settled: {} done, {} skipped, {} failed, {} blocked, {} n/a)\n",
        state.status().as_str(), p.settled(), p.total, p.done, p.skipped, p.failed, p.blocked, p.not_applicable
    ));
    if let Some(h) = state.heads().first() {
        head.push_str(&format!("chain head: {} ({} events)\n", h.hash, state.timeline.len()));
    }
    for r in state.roles.iter().map(|r| &r.name) {
        match state.signoffs.iter().rev().find(|x| &x.role == r) {
            Some(x) => head.push_str(&format!("signed off: {r} by {} at {}\n", x.name.replace("--", "- -"), when(x.at))),
            None => head.push_str(&format!("not signed: {r}\n")),
        }
    }
    for t in &state.triggers {
        let mut l = format!("rollback trigger {} fired by {} at {}", t.trigger, t.by, when(t.at));
        if let Some(sum) = &t.summary {
            l.push_str(&format!(": {sum}"));
        }
        match &t.decision {
            Some(d) => {
                l.push_str(&format!("; decision: {} by {} at {}", d.decision, d.by, when(d.at)));
                if let Some(r) = &d.reason {
                    l.push_str(&format!(", reason: {r}"));
                }
            }
            None => l.push_str("; decision: none yet"),
        }
        head.push_str(&format!("{}\n", l.replace("--", "- -")));
    }
    head.push_str("-->\n\n");
    let mut out = head + &body;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
