//! Per-event author signatures: an identity signs an event's hash, and anyone holding the author's certificate
//! checks it. Used by team sync, where every event a device writes carries its author's signature.
//!
//! What it leaves out: deciding which certificate belongs to which member (the run's membership events do that)
//! and checking the event's own hash (core's `Event::verify_hash`; `verify_event_author` does call it first, so a
//! signature never vouches for an edited body).

use der::Decode;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use runsheet_core::event::{Event, EventAuthor};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::identity::Identity;
use crate::Result;

/// An event whose author signature does not hold. Its own type (not a variant of [`crate::Error`]) so callers that
/// match that enum exhaustively are unaffected; `why` says what failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {id}: author signature refused: {why}")]
pub struct EventSignatureError {
    pub id: String,
    pub why: String,
}

impl Identity {
    /// Sign `event`'s hash (the UTF-8 bytes of its hex string) with this identity's key. Set `device_seq`
    /// before signing: the hash covers it.
    pub fn sign_event(&self, event: &Event) -> Result<EventAuthor> {
        let signature = self.sign_der(event.hash.as_bytes())?;
        Ok(EventAuthor { fingerprint: self.fingerprint(), signature: hex::encode(signature) })
    }
}

/// Check that `event` is intact and signed by the holder of the certificate `cert_der`: the hash matches the
/// content, the claimed fingerprint is this certificate's, and the signature over the hash verifies with its key.
/// Returns the fingerprint on success.
pub fn verify_event_author(event: &Event, cert_der: &[u8]) -> std::result::Result<String, EventSignatureError> {
    let fail = |why: String| EventSignatureError { id: event.id.clone(), why };
    if !event.verify_hash() {
        return Err(fail("its hash does not match its content (the event was edited after it was signed)".into()));
    }
    let author = event.author.as_ref().ok_or_else(|| fail("it carries no author signature".into()))?;
    let fingerprint = hex::encode(Sha256::digest(cert_der));
    if author.fingerprint != fingerprint {
        return Err(fail(format!(
            "it claims certificate {} but was checked against certificate {fingerprint}",
            author.fingerprint
        )));
    }
    let cert = Certificate::from_der(cert_der).map_err(|e| fail(format!("reading the author's certificate: {e}")))?;
    let spki = cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    let key = VerifyingKey::from_sec1_bytes(spki)
        .map_err(|e| fail(format!("the author's certificate holds no ECDSA P-256 key: {e}")))?;
    let sig_bytes = hex::decode(&author.signature).map_err(|e| fail(format!("the signature is not hex: {e}")))?;
    let sig = DerSignature::from_bytes(&sig_bytes).map_err(|e| fail(format!("the signature is not DER ECDSA: {e}")))?;
    key.verify(event.hash.as_bytes(), &sig)
        .map_err(|_| fail("the signature does not verify with the author's key (forged, or made by another key)".into()))?;
    Ok(fingerprint)
}

/// An event whose author signature checked out: who signed it, by the run's membership.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifiedAuthor {
    /// The member name the device registered with.
    pub name: String,
    /// Hex SHA-256 of the member's certificate.
    pub fingerprint: String,
}

/// A device's registration in a run (its first valid `member_joined`).
struct Registration {
    name: String,
    cert_der: Vec<u8>,
    fingerprint: String,
    /// Fold position of the `member_joined` event: the device's events after it must be signed.
    joined: (u64, String, String),
}

/// Check the author signatures of a run's events against the run's membership (its `member_joined` events).
///
/// The rules, in one place for `verify` (database, run log, PDF) and for merging events made elsewhere:
/// - A `member_joined` introduces itself: written by the device it registers and signed by the certificate it
///   carries. A device's first registration (fold order) stands; one naming another certificate is refused.
/// - An event of a registered device must be signed by that device's member certificate. Before the device's
///   `member_joined` (in fold order, which for one device is the order it wrote in) it may be unsigned: a run
///   made on a laptop before it was shared.
/// - A signed event of a device that is not registered is refused in a run with members (its certificate is
///   unknown); in a run without members no certificate is recorded, so such a signature cannot be checked and the
///   event counts as unsigned. Unsigned events of unregistered devices (single-laptop runs, events from before
///   team runs existed) stay valid.
///
/// `events` are all the run's events (any order); only those for which `check` returns true have their
/// signatures checked (`member_joined` events are always checked: membership rests on them). Returns the
/// verified author of each checked, signed event by event id; the first refusal names its event.
pub fn check_event_authors(
    events: &[Event],
    check: &dyn Fn(&Event) -> bool,
) -> std::result::Result<std::collections::BTreeMap<String, VerifiedAuthor>, EventSignatureError> {
    use runsheet_core::event::EventBody;
    use std::collections::{BTreeMap, HashMap};

    let mut ordered: Vec<&Event> = events.iter().collect();
    ordered.sort_by(|a, b| a.fold_key().cmp(&b.fold_key()));
    let key = |e: &Event| (e.lamport, e.device.clone(), e.id.clone());
    let mut members: HashMap<String, Registration> = HashMap::new();
    let mut verified = BTreeMap::new();
    for e in &ordered {
        let EventBody::MemberJoined { name, device, certificate } = &e.body else { continue };
        let fail = |why: String| EventSignatureError { id: e.id.clone(), why };
        if *device != e.device {
            return Err(fail(format!(
                "it registers device {device} but was written by device {}: a device can only introduce itself",
                e.device
            )));
        }
        let cert_der = hex::decode(certificate.trim())
            .map_err(|err| fail(format!("its certificate is not hex DER: {err}")))?;
        let fingerprint = verify_event_author(e, &cert_der).map_err(|err| {
            fail(format!("it is not signed by the certificate it introduces ({})", err.why))
        })?;
        if let Some(existing) = members.get(device) {
            if existing.fingerprint != fingerprint {
                return Err(fail(format!(
                    "device {device} is already a member as {} with certificate {}; another certificate cannot take it over",
                    existing.name, existing.fingerprint
                )));
            }
            continue;
        }
        verified.insert(e.id.clone(), VerifiedAuthor { name: name.trim().to_string(), fingerprint: fingerprint.clone() });
        members.insert(
            device.clone(),
            Registration { name: name.trim().to_string(), cert_der, fingerprint, joined: key(e) },
        );
    }
    for e in ordered {
        if matches!(e.body, EventBody::MemberJoined { .. }) || !check(e) {
            continue;
        }
        let fail = |why: String| EventSignatureError { id: e.id.clone(), why };
        match (members.get(&e.device), &e.author) {
            (Some(m), Some(_)) => {
                let fingerprint = verify_event_author(e, &m.cert_der).map_err(|err| {
                    fail(format!("its device {} belongs to member {}, but {}", e.device, m.name, err.why))
                })?;
                verified.insert(e.id.clone(), VerifiedAuthor { name: m.name.clone(), fingerprint });
            }
            (Some(m), None) if key(e) > m.joined => {
                return Err(fail(format!(
                    "it carries no author signature, but its device {} belongs to member {} (certificate {})",
                    e.device, m.name, m.fingerprint
                )));
            }
            (Some(_), None) | (None, None) => {}
            (None, Some(author)) if !members.is_empty() => {
                return Err(fail(format!(
                    "it is signed with certificate {}, which no member of the run registered for its device {}",
                    author.fingerprint, e.device
                )));
            }
            (None, Some(_)) => {}
        }
    }
    Ok(verified)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use runsheet_core::event::EventBody;

    fn event() -> Event {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().expect("valid date");
        Event::new("e1".into(), "r1".into(), "dev-a".into(), &[], at, "alice".into(), EventBody::NoteAdded {
            item: "i1".into(),
            note: "ok".into(),
        })
        .with_device_seq(1)
    }

    fn signed(id: &Identity) -> Event {
        let mut e = event();
        e.author = Some(id.sign_event(&e).expect("sign"));
        e
    }

    #[test]
    fn a_valid_signature_verifies() {
        let alice = Identity::generate("Alice", chrono::Utc::now()).expect("identity");
        let e = signed(&alice);
        assert_eq!(verify_event_author(&e, alice.cert_der()).expect("verifies"), alice.fingerprint());
    }

    #[test]
    fn a_changed_body_fails() {
        let alice = Identity::generate("Alice", chrono::Utc::now()).expect("identity");
        let mut e = signed(&alice);
        e.body = EventBody::NoteAdded { item: "i1".into(), note: "forged".into() };
        let err = verify_event_author(&e, alice.cert_der()).expect_err("edited body").to_string();
        assert!(err.contains("event e1") && err.contains("edited"), "{err}");
        // Even with the hash recomputed, the signature no longer matches.
        e.hash = e.compute_hash();
        let err = verify_event_author(&e, alice.cert_der()).expect_err("re-hashed body").to_string();
        assert!(err.contains("does not verify"), "{err}");
    }

    #[test]
    fn a_wrong_key_fails() {
        let alice = Identity::generate("Alice", chrono::Utc::now()).expect("identity");
        let mallory = Identity::generate("Mallory", chrono::Utc::now()).expect("identity");
        let e = signed(&alice);
        let err = verify_event_author(&e, mallory.cert_der()).expect_err("other cert").to_string();
        assert!(err.contains("claims certificate"), "{err}");
        // Mallory signs but claims Alice's fingerprint.
        let mut forged = event();
        let mut author = mallory.sign_event(&forged).expect("sign");
        author.fingerprint = alice.fingerprint();
        forged.author = Some(author);
        let err = verify_event_author(&forged, alice.cert_der()).expect_err("forged").to_string();
        assert!(err.contains("does not verify"), "{err}");
    }

    #[test]
    fn a_missing_signature_fails() {
        let alice = Identity::generate("Alice", chrono::Utc::now()).expect("identity");
        let err = verify_event_author(&event(), alice.cert_der()).expect_err("unsigned").to_string();
        assert!(err.contains("no author signature"), "{err}");
    }
}
