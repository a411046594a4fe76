//! The signing identity (ECDSA P-256 key + X.509 certificate) in the OS keyring, under its own service — never the
//! probe secrets' — for every front end: one made in the desktop signs from the CLI and back.
//!
//! Left out: key generation, PKCS#12 parsing and signing (runsheet-report).

use std::path::Path;

use runsheet_report::{Identity, KeyringKeyStore};
use serde::Serialize;

use crate::{required, App, Error, Result};

/// Everything the certificate says (subject, issuer, validity, serial, SHA-256 fingerprint, chain), as
/// `runsheet identity show --json` prints it.
pub use runsheet_report::identity::CertInfo;

/// An identity as people see it (never the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentitySummary {
    pub subject: String,
    pub fingerprint: String,
    pub not_after: String,
    pub self_signed: bool,
    pub info: CertInfoView,
}

/// Certificate facts, as `identity show` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfoView {
    pub subject_dn: String,
    pub issuer_dn: String,
    pub serial: String,
    pub not_before: String,
    pub chain_len: usize,
}

fn summary(id: &Identity) -> Result<IdentitySummary> {
    let info: CertInfo = id.info()?;
    Ok(IdentitySummary {
        subject: id.subject(),
        fingerprint: id.fingerprint(),
        not_after: info.not_after.clone(),
        self_signed: info.self_signed,
        info: CertInfoView {
            subject_dn: info.subject_dn,
            issuer_dn: info.issuer_dn,
            serial: info.serial,
            not_before: info.not_before,
            chain_len: info.chain_len,
        },
    })
}

impl App {
    fn identity_store(&self) -> Result<KeyringKeyStore> {
        Ok(KeyringKeyStore::with_service(&self.services().identity)?)
    }

    /// The stored signing identity, if any.
    pub fn identity(&self) -> Result<Option<Identity>> {
        Ok(Identity::load(&self.identity_store()?)?)
    }

    /// The stored signing identity, or `NotFound` saying how to make one.
    pub fn require_identity(&self) -> Result<Identity> {
        self.identity()?.ok_or_else(|| runsheet_report::Error::NoIdentity.into())
    }

    /// The stored identity's certificate facts, or `NotFound` saying how to make one.
    pub fn identity_info(&self) -> Result<CertInfo> {
        Ok(self.require_identity()?.info()?)
    }

    /// The stored identity's summary, if any.
    pub fn identity_summary(&self) -> Result<Option<IdentitySummary>> {
        self.identity()?.as_ref().map(summary).transpose()
    }

    /// Make a self-signed identity for `name`. `Conflict` when one exists, unless `replace`.
    pub fn create_identity(&self, name: &str, replace: bool) -> Result<IdentitySummary> {
        let name = required("name", name)?;
        self.refuse_existing(replace)?;
        let id = Identity::generate(&name, self.now())?;
        id.save(&self.identity_store()?)?;
        self.reload_signer();
        summary(&id)
    }

    /// Import an identity from a PKCS#12 file (an organisation CA's). `Conflict` when one exists, unless `replace`.
    pub fn import_identity(&self, pkcs12: &[u8], password: &str, replace: bool) -> Result<IdentitySummary> {
        self.refuse_existing(replace)?;
        let id = Identity::from_pkcs12(pkcs12, password)?;
        id.save(&self.identity_store()?)?;
        self.reload_signer();
        summary(&id)
    }

    /// Write the identity's certificate (PEM) to `path`.
    pub fn export_certificate(&self, path: &Path) -> Result<IdentitySummary> {
        let id = self.require_identity()?;
        std::fs::write(path, id.cert_pem()?).map_err(|e| Error::io(format!("writing {}", path.display()), &e))?;
        summary(&id)
    }

    /// Move an identity an older desktop kept in the probe secrets' service (entries `runsheet-signing-key` and
    /// `runsheet-signing-cert`, where a checklist could ask for it) into the identity service, then delete the old
    /// entries. Returns whether one was moved. An identity already in the identity service wins: the old entries
    /// are deleted all the same, so the key never stays within a probe's reach.
    pub fn move_legacy_identity(&self) -> Result<bool> {
        let legacy_store = KeyringKeyStore::with_service(&self.services().secrets)?;
        let Some(legacy) = Identity::load(&legacy_store)? else { return Ok(false) };
        let moved = if self.identity()?.is_none() {
            legacy.save(&self.identity_store()?)?;
            self.reload_signer();
            true
        } else {
            false
        };
        let secrets = self.secret_store()?;
        for entry in [runsheet_report::identity::KEY_ENTRY, runsheet_report::identity::CERT_ENTRY] {
            match secrets.delete(entry) {
                Ok(()) | Err(runsheet_secrets::SecretError::NotFound { .. }) => {}
                Err(e) => return Err(Error::from(e).context("deleting the old signing identity entries")),
            }
        }
        Ok(moved)
    }

    /// `Conflict` when an identity exists and `replace` is not given: front ends ask it before prompting for
    /// anything (a PKCS#12 password), and create/import ask it again.
    pub fn refuse_existing(&self, replace: bool) -> Result<()> {
        if !replace && self.identity()?.is_some() {
            return Err(Error::conflict("a signing identity exists already (replace it explicitly: --force)"));
        }
        Ok(())
    }
}

#[cfg(test)]
// A failed expectation in a test is the test failing, with its message.
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::Services;
    use runsheet_report::identity::{CERT_ENTRY, KEY_ENTRY};

    /// Issue 10: the desktop kept its signing identity in the probe secrets' service, where a checklist could ask
    /// for it. On first start it moves to the identity service and the old entries are gone. Real keyring
    /// (scripts/with-keyring.sh); skipped with a line when there is none, unless CI=true.
    #[test]
    fn a_legacy_identity_is_moved_out_of_the_secrets_service() {
        let home = tempfile::tempdir().unwrap();
        let svc = format!("runsheet-app-legacy-test-{}", std::process::id());
        let services = Services { secrets: svc.clone(), identity: format!("{svc}-identity") };
        let app = App::with_services(home.path(), services.clone());
        if !app.keyring_status().available {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but no keyring");
            eprintln!("SKIPPING a_legacy_identity_is_moved_out_of_the_secrets_service: no keyring");
            return;
        }
        let old = Identity::generate("Old Desktop", app.now()).unwrap();
        old.save(&KeyringKeyStore::with_service(&svc).unwrap()).unwrap();
        assert!(app.identity().unwrap().is_none(), "before the move the identity service is empty");

        assert!(app.move_legacy_identity().unwrap(), "the old identity is moved");
        assert_eq!(app.require_identity().unwrap().fingerprint(), old.fingerprint(), "the same key, now found");
        let legacy = KeyringKeyStore::with_service(&svc).unwrap();
        assert!(Identity::load(&legacy).unwrap().is_none(), "the old entries are deleted");
        assert!(!app.move_legacy_identity().unwrap(), "a second start has nothing to move");

        let ids = runsheet_secrets::SecretStore::with_service(&services.identity).unwrap();
        for entry in [KEY_ENTRY, CERT_ENTRY] {
            let _ = ids.delete(entry);
        }
    }
}
