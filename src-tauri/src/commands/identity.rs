//! The signing identity (ECDSA P-256 key + X.509 certificate) kept in the OS keyring, as runsheet-report's
//! `KeyStore`: key and certificate are two keyring entries of the same service as the probe secrets.
//!
//! Left out: key generation and PKCS#12 parsing (runsheet-report).

use runsheet_report::identity::KeyStore;
use runsheet_secrets::{SecretError, SecretStore, Sensitive};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{CmdResult, ErrorCode, WireError};

/// A signing identity as the UI shows it (never the key).
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

impl From<runsheet_report::Error> for WireError {
    fn from(e: runsheet_report::Error) -> Self {
        use runsheet_report::Error as E;
        let code = match &e {
            E::NoIdentity => ErrorCode::NotFound,
            E::Identity(_) | E::Input(_) | E::Pdf(_) => ErrorCode::Invalid,
            E::KeyStore(m) if m.contains("KeyringUnavailable") || m.contains("no usable OS keyring") => {
                ErrorCode::KeyringUnavailable
            }
            _ => ErrorCode::Internal,
        };
        WireError::new(code, e.to_string())
    }
}

/// runsheet-report's key store over the OS keyring.
#[derive(Debug)]
pub struct KeyringKeyStore(pub SecretStore);

impl KeyStore for KeyringKeyStore {
    fn get(&self, name: &str) -> runsheet_report::Result<Option<String>> {
        match self.0.get(name) {
            Ok(v) => Ok(Some(v.into_inner())),
            Err(SecretError::NotFound { .. }) => Ok(None),
            Err(e) => Err(runsheet_report::Error::KeyStore(e.to_string())),
        }
    }
    fn set(&self, name: &str, value: &str) -> runsheet_report::Result<()> {
        self.0.set(name, &Sensitive::new(value.to_string())).map_err(|e| runsheet_report::Error::KeyStore(e.to_string()))
    }
}

pub fn key_store() -> CmdResult<KeyringKeyStore> {
    Ok(KeyringKeyStore(super::secrets::keyring()?))
}

/// The stored identity, if any.
pub fn load() -> CmdResult<Option<runsheet_report::Identity>> {
    Ok(runsheet_report::Identity::load(&key_store()?)?)
}

pub fn summary(id: &runsheet_report::Identity) -> Identity {
    use x509_parser::prelude::*;
    let (not_after, self_signed) = X509Certificate::from_der(id.cert_der())
        .map(|(_, c)| {
            let t = c.validity().not_after.timestamp();
            let at = chrono::DateTime::from_timestamp(t, 0).map(|d| d.to_rfc3339()).unwrap_or_default();
            (at, c.issuer().to_string() == c.subject().to_string())
        })
        .unwrap_or_default();
    let origin = if self_signed { IdentityOrigin::SelfSigned } else { IdentityOrigin::Pkcs12 };
    Identity { subject: id.subject(), fingerprint: id.fingerprint(), not_after, origin }
}
