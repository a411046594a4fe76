//! What crosses the IPC boundary besides the application's own view types: the one wire error `{ code, message }`
//! (its `code` is what the UI branches on), the identity as the Settings screen shows it, and the parsing of
//! argument shapes several commands share. Imports nothing else of this crate, so every command module may use it.
//!
//! Left out: view models (runsheet-app `view`, used as they are) and localisation of messages; the UI never
//! parses message text.

use std::path::PathBuf;

use runsheet_app::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use specta::Type;

/// What went wrong, as the UI needs to know it (ui/src/lib/backend/types.ts re-exports it from the bindings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum ErrorCode {
    /// A checklist, run, item, role or secret that does not exist.
    NotFound,
    /// Bad input: a malformed argument, an unparsable checklist, a skip without a reason.
    Invalid,
    /// The OS keyring (Secret Service, Keychain, Credential Manager) cannot be reached or is locked.
    KeyringUnavailable,
    /// A probe did not answer within its timeout.
    ProbeTimeout,
    /// The request contradicts the current state or a rule: four-eyes, a strict gate, already signed, busy.
    Conflict,
    /// Reading or writing a file failed, or the database is damaged or too new.
    Io,
    /// A bug or an unexpected failure; the message says what was being done.
    Internal,
}

impl From<ErrorKind> for ErrorCode {
    /// The one mapping from the application's kinds to the UI's codes: exhaustive, so a new kind must be placed.
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::Invalid | ErrorKind::Ambiguous => ErrorCode::Invalid,
            ErrorKind::Conflict | ErrorKind::Refused | ErrorKind::Busy => ErrorCode::Conflict,
            ErrorKind::KeyringUnavailable => ErrorCode::KeyringUnavailable,
            ErrorKind::ProbeTimeout => ErrorCode::ProbeTimeout,
            ErrorKind::Damaged | ErrorKind::TooNew | ErrorKind::Io => ErrorCode::Io,
            ErrorKind::Internal => ErrorCode::Internal,
        }
    }
}

/// The error half of every command's `Result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct WireError {
    pub code: ErrorCode,
    pub message: String,
}

/// What every command returns.
pub type CmdResult<T> = std::result::Result<T, WireError>;

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl From<Error> for WireError {
    fn from(e: Error) -> Self {
        Self::new(e.kind.into(), e.message)
    }
}

impl From<tokio::task::JoinError> for WireError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(format!("background task failed: {e}"))
    }
}

/// A non-empty, trimmed argument (the app's rule, with the wire error).
pub fn required(field: &str, value: &str) -> CmdResult<String> {
    Ok(runsheet_app::required(field, value)?)
}

/// An optional text argument, trimmed; blank is absent.
pub fn trimmed(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A path from a dialog or a drop: the webview only ever sends absolute ones.
pub fn absolute(field: &str, path: &str) -> CmdResult<PathBuf> {
    let p = PathBuf::from(required(field, path)?);
    if !p.is_absolute() {
        return Err(WireError::invalid(format!("{field} must be an absolute path: {}", p.display())));
    }
    Ok(p)
}

/// A signing identity as the Settings screen shows it (never the key).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Identity {
    pub subject: String,
    pub fingerprint: String,
    pub not_after: String,
    pub origin: IdentityOrigin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IdentityOrigin {
    SelfSigned,
    Pkcs12,
}

impl From<runsheet_app::identity::IdentitySummary> for Identity {
    fn from(s: runsheet_app::identity::IdentitySummary) -> Self {
        let origin = if s.self_signed { IdentityOrigin::SelfSigned } else { IdentityOrigin::Pkcs12 };
        Identity { subject: s.subject, fingerprint: s.fingerprint, not_after: s.not_after, origin }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_code_and_message() {
        // The UI's isBackendError() checks exactly these two keys and the code spelled as the variant name.
        let e = WireError::new(ErrorCode::KeyringUnavailable, "no secret service");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({ "code": "KeyringUnavailable", "message": "no secret service" }));
    }

    #[test]
    fn every_code_serializes_as_its_name() {
        use ErrorCode::*;
        for (code, name) in [
            (NotFound, "NotFound"),
            (Invalid, "Invalid"),
            (KeyringUnavailable, "KeyringUnavailable"),
            (ProbeTimeout, "ProbeTimeout"),
            (Conflict, "Conflict"),
            (Io, "Io"),
            (Internal, "Internal"),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
        }
    }

    /// Every application kind reaches the UI as a code it branches on; on the old main the store's `Refused`
    /// (a sign-off or strict gate refused inside the write transaction) fell through to `Internal`.
    #[test]
    fn every_app_kind_maps_to_its_wire_code() {
        use ErrorKind as K;
        for (kind, code) in [
            (K::NotFound, ErrorCode::NotFound),
            (K::Invalid, ErrorCode::Invalid),
            (K::Ambiguous, ErrorCode::Invalid),
            (K::Conflict, ErrorCode::Conflict),
            (K::Refused, ErrorCode::Conflict),
            (K::KeyringUnavailable, ErrorCode::KeyringUnavailable),
            (K::ProbeTimeout, ErrorCode::ProbeTimeout),
            (K::Busy, ErrorCode::Conflict),
            (K::Damaged, ErrorCode::Io),
            (K::TooNew, ErrorCode::Io),
            (K::Io, ErrorCode::Io),
            (K::Internal, ErrorCode::Internal),
        ] {
            let wire = WireError::from(Error::new(kind, "what failed"));
            assert_eq!((wire.code, wire.message.as_str()), (code, "what failed"), "{kind:?}");
        }
    }

    #[test]
    fn identity_origin_follows_the_certificate() {
        let summary = |self_signed| runsheet_app::identity::IdentitySummary {
            subject: "Ada".into(),
            fingerprint: "ab".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            self_signed,
            info: runsheet_app::identity::CertInfoView {
                subject_dn: "CN=Ada".into(),
                issuer_dn: "CN=Ada".into(),
                serial: "1".into(),
                not_before: "2026-01-01T00:00:00Z".into(),
                chain_len: 1,
            },
        };
        assert_eq!(Identity::from(summary(true)).origin, IdentityOrigin::SelfSigned);
        assert_eq!(Identity::from(summary(false)).origin, IdentityOrigin::Pkcs12);
    }
}
