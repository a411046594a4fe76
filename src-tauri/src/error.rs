//! The one wire error every command returns: `{ code, message }`, where `code` is what the UI branches on and
//! `message` is for people. Conversions from the core crates' error enums live here so commands stay thin.
//!
//! Left out: localisation of messages, and any error detail the UI would have to parse (it never parses text).

use serde::Serialize;
use specta::Type;

/// What went wrong, as the UI needs to know it (ui/src/lib/backend/types.ts `ErrorCode` mirrors this list).
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
    /// The request contradicts the current state: four-eyes rule, closed strict gate, already signed.
    Conflict,
    /// Reading or writing a file failed.
    Io,
    /// A bug or an unexpected failure; the message says what was being done.
    Internal,
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
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
    /// An IO error with what was being done (`reading checklist /x.md`).
    pub fn io(context: impl std::fmt::Display, e: &std::io::Error) -> Self {
        let code = if e.kind() == std::io::ErrorKind::NotFound { ErrorCode::NotFound } else { ErrorCode::Io };
        Self::new(code, format!("{context}: {e}"))
    }
}

impl From<tokio::task::JoinError> for WireError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(format!("background task failed: {e}"))
    }
}

impl From<runsheet_core::import::ImportError> for WireError {
    fn from(e: runsheet_core::import::ImportError) -> Self {
        Self::invalid(e.to_string())
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

    #[test]
    fn missing_file_is_not_found_other_io_is_io() {
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(WireError::io("reading /x.md", &nf).code, ErrorCode::NotFound);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = WireError::io("reading /x.md", &denied);
        assert_eq!(e.code, ErrorCode::Io);
        assert!(e.message.starts_with("reading /x.md: "), "message says what failed: {}", e.message);
    }
}
