//! Sign-off and waivers: resolve the role as the run names it (case and spacing do not matter), ask the core's
//! rules what blocks the signer, and record the event. The store re-checks the same rules inside its write
//! transaction, so a sign-off racing another change can never slip past them.
//!
//! Left out: the rules themselves (`runsheet_core::signoff`) and their presentation.

use runsheet_core::event::{Event, EventBody};
use runsheet_core::run::RunState;
use runsheet_core::signoff::{self as rules, Blocker};

use crate::runs::resolve_item;
use crate::{required, Actor, App, Error, ErrorKind, Result};

impl App {
    /// What keeps `signer` from signing `role` now (empty: they may sign).
    pub fn signoff_blockers(&self, run: &str, role: &str, signer: &str) -> Result<Vec<Blocker>> {
        let state = self.run(run)?;
        Ok(blockers(&state, role, signer, self.now()))
    }

    /// Sign `role` of the run as `signer` (the person signing; the actor recording it is the same person).
    /// Refused, with every reason listed, while anything blocks it.
    pub fn sign_off(&self, run: &str, role: &str, signer: Actor<'_>, comment: Option<String>) -> Result<Event> {
        let signer = required("signer name", signer)?;
        let state = self.run(run)?;
        let role = canonical_role(&state, role)?;
        let found = blockers(&state, &role, &signer, self.now());
        if !found.is_empty() {
            return Err(refusal(&format!("{signer} cannot sign `{role}` now"), &found));
        }
        let comment = comment.filter(|c| !c.trim().is_empty());
        self.append(&state.run_id, &signer, EventBody::SignedOff { role: role.clone(), name: signer.clone(), comment })
            .map_err(|e| e.context(format!("recording the sign-off of {role}")))
    }

    /// Waive an item (id, unique prefix or exact text) so a sign-off can proceed: reason and approver recorded.
    pub fn waive(&self, run: &str, item: &str, reason: &str, approver: Actor<'_>) -> Result<Event> {
        let reason = required("waiver reason", reason)?;
        let approver = required("approver", approver)?;
        let state = self.run(run)?;
        let item = resolve_item(&state, item)?;
        self.append(&state.run_id, &approver, EventBody::Waived { item: item.clone(), reason, approver: approver.clone() })
            .map_err(|e| e.context(format!("recording the waiver of {item}")))
    }
}

/// The run's own spelling of `role` (matched ignoring case and surrounding spaces), or `NotFound` listing the roles.
pub fn canonical_role(state: &RunState, role: &str) -> Result<String> {
    let wanted = role.trim();
    state.role(wanted).map(|r| r.name.clone()).ok_or_else(|| {
        let roles: Vec<&str> = state.roles.iter().map(|r| r.name.as_str()).collect();
        Error::not_found(format!("no sign-off role `{wanted}` in this run (roles: {})", roles.join(", ")))
    })
}

/// The core's blockers for `signer` signing `role` at `now`.
pub fn blockers(state: &RunState, role: &str, signer: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<Blocker> {
    rules::blockers(state, role, signer, now)
}

/// A `Refused` error that lists its reasons, at most 20 of them.
pub(crate) fn refusal(what: &str, blockers: &[Blocker]) -> Error {
    let mut msg = format!("{what}:");
    for b in blockers.iter().take(20) {
        msg.push_str(&format!("\n  - {b}"));
    }
    if blockers.len() > 20 {
        msg.push_str(&format!("\n  … and {} more", blockers.len() - 20));
    }
    Error::new(ErrorKind::Refused, msg)
}
