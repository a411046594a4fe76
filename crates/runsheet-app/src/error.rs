//! The application layer's one error type: an exhaustive [`ErrorKind`] that front ends branch on (the desktop maps
//! it to its wire code with a `match`, the CLI to its exit message) and a message for people.
//!
//! Left out: presentation. No front end ever matches on message text; a new failure class is a new kind.

use serde::Serialize;

/// What went wrong, as a caller needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorKind {
    /// A checklist, run, item, role, secret or identity that does not exist.
    NotFound,
    /// Bad input: a malformed argument, an unparsable checklist or probe, a skip without a reason.
    Invalid,
    /// An id prefix that matches several things.
    Ambiguous,
    /// The request contradicts the current state: already signed, an identity already exists.
    Conflict,
    /// A rule refuses the change: four-eyes, a strict phase gate, open items, stale evidence, a secret bound
    /// elsewhere.
    Refused,
    /// The OS keyring (Secret Service, Keychain, Credential Manager) cannot be reached or is locked.
    KeyringUnavailable,
    /// A probe did not answer within its timeout.
    ProbeTimeout,
    /// The database is busy (another process writes); trying again helps.
    Busy,
    /// The database or a file is damaged, or its events do not verify.
    Damaged,
    /// The database was written by a newer Runsheet.
    TooNew,
    /// Reading or writing a file failed.
    Io,
    /// A bug or an unexpected failure; the message says what was being done.
    Internal,
}

/// An application error: its kind and what failed, with what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// An IO error with what was being done (`reading checklist /x.md`): a missing file is `NotFound`.
    pub fn io(context: impl std::fmt::Display, e: &std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::NotFound { ErrorKind::NotFound } else { ErrorKind::Io };
        Self::new(kind, format!("{context}: {e}"))
    }
    /// The same error with what was being done in front (`recording the sign-off of QA: …`).
    pub fn context(self, what: impl std::fmt::Display) -> Self {
        Error { kind: self.kind, message: format!("{what}: {}", self.message) }
    }
}

impl From<runsheet_store::StoreError> for Error {
    fn from(e: runsheet_store::StoreError) -> Self {
        use runsheet_store::StoreError as S;
        let kind = match &e {
            S::Damaged { .. } | S::Chain { .. } => ErrorKind::Damaged,
            S::TooNew { .. } => ErrorKind::TooNew,
            S::Busy { .. } => ErrorKind::Busy,
            S::Import { .. } => ErrorKind::Invalid,
            S::Run(r) => return r.clone().into(),
            S::NotFound { .. } => ErrorKind::NotFound,
            S::Ambiguous { .. } => ErrorKind::Ambiguous,
            S::Refused { .. } => ErrorKind::Refused,
            S::Merge { .. } => ErrorKind::Invalid,
            S::Tamper { .. } => ErrorKind::Damaged,
            S::Sign { .. } => ErrorKind::Internal,
            S::NoHome | S::CreateDir { .. } | S::Io { .. } | S::Sqlite { .. } | S::Backup { .. } | S::Json { .. } => {
                ErrorKind::Io
            }
        };
        Error::new(kind, e.to_string())
    }
}

impl From<runsheet_core::run::RunError> for Error {
    fn from(e: runsheet_core::run::RunError) -> Self {
        use runsheet_core::run::RunError as R;
        let kind = match &e {
            R::NotCreated | R::UnknownItem(_) | R::UnknownRole(_) => ErrorKind::NotFound,
            R::AlreadyCreated | R::DuplicateRole(_) | R::DeviceTaken { .. } => ErrorKind::Conflict,
            R::ReasonRequired(_)
            | R::Empty(_)
            | R::BadWindow
            | R::InvalidProbe { .. }
            | R::InvalidGrant(_)
            | R::InvalidMember(_) => ErrorKind::Invalid,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<runsheet_core::import::ImportError> for Error {
    fn from(e: runsheet_core::import::ImportError) -> Self {
        Error::invalid(e.to_string())
    }
}

impl From<runsheet_secrets::SecretError> for Error {
    fn from(e: runsheet_secrets::SecretError) -> Self {
        use runsheet_secrets::SecretError as S;
        let kind = match &e {
            S::KeyringUnavailable { .. } => ErrorKind::KeyringUnavailable,
            S::NotFound { .. } => ErrorKind::NotFound,
            S::InvalidName { .. } | S::EmptyValue { .. } => ErrorKind::Invalid,
            S::Keyring { .. } => ErrorKind::KeyringUnavailable,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<runsheet_report::Error> for Error {
    fn from(e: runsheet_report::Error) -> Self {
        use runsheet_report::Error as R;
        let kind = match &e {
            R::NoIdentity => ErrorKind::NotFound,
            R::Identity(_) | R::Input(_) | R::Pdf(_) => ErrorKind::Invalid,
            R::KeyStore(_) => ErrorKind::KeyringUnavailable,
            R::Font(_) | R::Sign(_) => ErrorKind::Internal,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<runsheet_probes::ProbeError> for Error {
    fn from(e: runsheet_probes::ProbeError) -> Self {
        Error::internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::internal(format!("background task failed: {e}"))
    }
}
