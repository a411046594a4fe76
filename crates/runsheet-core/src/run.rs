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
use crate::event::{Event, EventBody, GateMode, ItemState};
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
    #[error("device {device} is already a member of this run as {name} with another certificate")]
    DeviceTaken { device: String, name: String },
}

impl RunError {
    /// A stable code for wire errors (the UI branches on it, never on the message).
    pub fn code(&self) -> &'static str {
        match self {
            RunError::NotCreated | RunError::UnknownItem(_) | RunError::UnknownRole(_) => "NotFound",
            RunError::AlreadyCreated | RunError::DuplicateRole(_) | RunError::DeviceTaken { .. } => "Conflict",
            RunError::ReasonRequired(_)
            | RunError::Empty(_)
            | RunError::BadWindow
            | RunError::InvalidProbe { .. }
            | RunError::InvalidGrant(_)
            | RunError::InvalidMember(_) => {
                "Invalid"
            }
        }
    }
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
    pub settings: Settings,
    /// Members of a shared run by device (empty for a single-laptop run): the first `member_joined` of a device in
    /// fold order.
    pub members: BTreeMap<String, Member>,
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
            settings: Settings::default(),
            members: BTreeMap::new(),
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
            EventBody::Waived { item, reason, approver } => {
                known(item)?;
                nonempty(reason, "waiver reason")?;
                nonempty(approver, "approver")
            }
            EventBody::SettingsChanged { .. } => Ok(()),
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
        let (mut pending, mut blocked, mut failed, mut touched) = (0usize, 0usize, 0usize, false);
        for (id, s) in &self.items {
            if self.waivers.contains_key(id) {
                touched = true;
                continue;
            }
            match s.state {
                ItemState::Pending => pending += 1,
                ItemState::Blocked => blocked += 1,
                ItemState::Failed => failed += 1,
                ItemState::Done | ItemState::Skipped | ItemState::NotApplicable => {}
            }
            touched |= s.state != ItemState::Pending;
        }
        if pending + blocked + failed == 0 {
            let all_signed = !self.roles.is_empty()
                && self.roles.iter().all(|r| self.signoffs.iter().any(|s| same_name(&s.role, &r.name)));
            if all_signed {
                RunStatus::Signed
            } else {
                RunStatus::Complete
            }
        } else if blocked > 0 {
            RunStatus::Blocked
        } else if pending == 0 {
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
    head.push_str("-->\n\n");
    let mut out = head + &body;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
