//! Team runs, local side: every event this installation writes is signed by its identity, a run records who may
//! write from which device (`member_joined`), and events made on other laptops are checked — hash, author
//! signature against the member certificate of their device, membership — before the store merges them.
//!
//! The rules of a shared run (a run someone joined):
//! - This device writes only as its member: the first write of a device that has not joined appends its
//!   `member_joined` (an identity is needed), and a write whose actor is not the member's name is refused, so
//!   `--as` cannot put another person's name on an event this key signs. Single-laptop runs are unchanged.
//! - Its events must be signed: a write without a readable identity is refused.
//!
//! Left out: PostgreSQL and the network (runsheet-sync and the team commands), the cryptography
//! (runsheet-report's `event_sig`), the structural checks of a merge (runsheet-store's `merge_events`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::MutexGuard;

use runsheet_core::event::{Event, EventBody};
use runsheet_report::{check_event_authors, Identity};
use runsheet_store::{MergeOutcome, Store};

use crate::{App, Error, Result};

/// This device's membership of a run, as its `member_joined` event recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnMember {
    pub name: String,
    pub fingerprint: String,
}

impl App {
    /// The store for a write: on the first write of this `App` the signer is installed from the identity, if one
    /// exists (every new event is then signed). The keyring is read here, not on reads. When it cannot be read
    /// the write goes unsigned and the next write tries again; a shared run refuses unsigned writes.
    pub(crate) fn writer(&self) -> Result<MutexGuard<'_, Store>> {
        let mut store = self.store()?;
        if !self.signer_ready.load(Ordering::Acquire) {
            if let Ok(identity) = self.identity() {
                install_signer(&mut store, identity);
                self.signer_ready.store(true, Ordering::Release);
            }
        }
        Ok(store)
    }

    /// Forget the installed signer: the next write reads the identity again (after one is made or replaced).
    pub(crate) fn reload_signer(&self) {
        self.signer_ready.store(false, Ordering::Release);
    }

    /// Record that this device's identity writes to the run: appends `member_joined` (name, device id,
    /// certificate) signed by that identity, unless this device joined already. Needs an identity. `Conflict`
    /// when the device joined with another certificate (the identity was replaced since).
    pub fn ensure_member(&self, run: &str) -> Result<Option<Event>> {
        let run_id = self.resolve_run(run)?;
        let identity = self.require_identity()?;
        let mut store = self.writer()?;
        self.ensure_member_in(&mut store, &run_id, identity)
    }

    fn ensure_member_in(&self, store: &mut Store, run_id: &str, identity: Identity) -> Result<Option<Event>> {
        let device = store.device_id().to_string();
        if let Some(m) = own_member(store, run_id)? {
            if m.fingerprint == identity.fingerprint() {
                return Ok(None);
            }
            return Err(Error::conflict(format!(
                "this device joined run {run_id} as {} with certificate {}, not with the current identity {}; \
                 restore that identity to write to the run",
                m.name,
                m.fingerprint,
                identity.fingerprint()
            )));
        }
        let name = identity.subject();
        let certificate = hex::encode(identity.cert_der());
        // The member_joined event must be signed by the certificate it introduces: sign with this identity.
        install_signer(store, Some(identity));
        self.signer_ready.store(true, Ordering::Release);
        let body = EventBody::MemberJoined { name: name.clone(), device, certificate };
        Ok(Some(store.append(run_id, &name, body, self.now())?))
    }

    /// The actor a front end should default to on `run`: in a shared run, this device's member name (or, before
    /// it joined, the identity's name); `None` for a single-laptop run (the front end's own default applies).
    pub fn shared_actor(&self, run: &str) -> Result<Option<String>> {
        let run_id = self.resolve_run(run)?;
        let member = {
            let store = self.store()?;
            if !store.is_shared(&run_id)? {
                return Ok(None);
            }
            own_member(&store, &run_id)?
        };
        match member {
            Some(m) => Ok(Some(m.name)),
            None => Ok(self.identity()?.map(|i| i.subject())),
        }
    }

    /// Record `body` on the run (a full id) as `actor`, applying the rules of a shared run (see the module).
    pub(crate) fn append_checked(&self, run_id: &str, actor: &str, body: EventBody) -> Result<Event> {
        let mut store = self.writer()?;
        if store.is_shared(run_id)? {
            let member = match own_member(&store, run_id)? {
                Some(m) => m,
                None => {
                    let identity = self.identity()?.ok_or_else(|| {
                        Error::refused(format!(
                            "run {run_id} is shared: its events are signed by their author; make an identity first \
                             (runsheet identity create --name NAME)"
                        ))
                    })?;
                    self.ensure_member_in(&mut store, run_id, identity)?;
                    own_member(&store, run_id)?
                        .ok_or_else(|| Error::internal(format!("joining run {run_id} recorded no membership")))?
                }
            };
            if !store.has_signer() {
                return Err(Error::refused(format!(
                    "run {run_id} is shared: its events must be signed by {}, but the identity cannot be read \
                     from the keyring",
                    member.name
                )));
            }
            if actor.trim() != member.name {
                return Err(Error::refused(format!(
                    "run {run_id} is shared: events from this device are recorded as {} (the identity that signs \
                     them); drop --as {}",
                    member.name,
                    actor.trim()
                )));
            }
        }
        Ok(store.append(run_id, actor, body, self.now())?)
    }

    /// Store events made elsewhere (pulled from the team server, or from a bundle) after checking each new one:
    /// its hash, its author signature against the member certificate registered for its device (in the run's
    /// stored events or in the batch), and that a numbered event's device is a member of the run. A refused
    /// event names itself and why; nothing of the batch is stored then. Idempotent: events already held count
    /// as known.
    pub fn merge_remote(&self, events: Vec<Event>) -> Result<MergeOutcome> {
        if events.is_empty() {
            return Ok(MergeOutcome::default());
        }
        let store = self.writer()?;
        let mut by_run: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
        for e in &events {
            by_run.entry(e.run_id.clone()).or_default().push(e);
        }
        for (run_id, arriving) in by_run {
            let stored = store.events(&run_id).or_else(|e| match e {
                runsheet_store::StoreError::NotFound { .. } => Ok(Vec::new()),
                other => Err(other),
            })?;
            let held: BTreeSet<&str> = stored.iter().map(|e| e.id.as_str()).collect();
            let mut fresh: BTreeSet<&str> = BTreeSet::new();
            let mut all: Vec<Event> = stored.clone();
            for e in arriving {
                // Known ids are the store's to compare (same event: known; another: tamper alarm).
                if !held.contains(e.id.as_str()) && fresh.insert(e.id.as_str()) {
                    if !e.verify_hash() {
                        return Err(refused(&e.id, "its hash does not match its content (the event was altered)"));
                    }
                    all.push(e.clone());
                }
            }
            check_event_authors(&all, &|e| fresh.contains(e.id.as_str()))
                .map_err(|err| refused(&err.id, &err.why))?;
            let members: BTreeSet<&str> = all
                .iter()
                .filter_map(|e| match &e.body {
                    EventBody::MemberJoined { device, .. } => Some(device.as_str()),
                    _ => None,
                })
                .collect();
            if let Some(outsider) =
                all.iter().find(|e| fresh.contains(e.id.as_str()) && e.device_seq.is_some() && !members.contains(e.device.as_str()))
            {
                return Err(refused(
                    &outsider.id,
                    &format!("its device {} is not a member of run {run_id} (no member_joined)", outsider.device),
                ));
            }
        }
        Ok(store.merge_events(events)?)
    }
}

fn refused(id: &str, why: &str) -> Error {
    Error::refused(format!("event {id} refused: {why}"))
}

/// Install (or, without an identity, remove) the signer that signs every new event with `identity`.
fn install_signer(store: &mut Store, identity: Option<Identity>) {
    let signer: Option<runsheet_store::Signer> = identity.map(|id| {
        let sign: runsheet_store::Signer = Box::new(move |e: &Event| id.sign_event(e).map_err(|err| err.to_string()));
        sign
    });
    store.set_signer(signer);
}

/// This device's `member_joined` in the run, if it joined.
fn own_member(store: &Store, run_id: &str) -> Result<Option<OwnMember>> {
    let device = store.device_id().to_string();
    let Some(event) = store.member_joined(run_id, &device)? else { return Ok(None) };
    let EventBody::MemberJoined { name, certificate, .. } = &event.body else { return Ok(None) };
    let fingerprint = runsheet_core::run::certificate_fingerprint(certificate).unwrap_or_default();
    Ok(Some(OwnMember { name: name.trim().to_string(), fingerprint }))
}
