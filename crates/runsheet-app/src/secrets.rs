//! Probe secrets in the OS keyring: set, list (names and where each is used, never values), delete. Names are
//! checked by the core's one rule (`secret_name_problem`): names starting with `runsheet` belong to Runsheet's own
//! entries and are refused here as they are in probe blocks and at resolution.
//!
//! Left out: the keyring itself and masking (runsheet-secrets).

use std::collections::BTreeMap;

use runsheet_core::probe::{secret_name_problem, secret_refs};
use runsheet_core::Checklist;
use runsheet_secrets::{SecretStore, Sensitive};
use serde::Serialize;

use crate::{App, Error, Result};

/// Where a secret is referenced: a checklist or run and the items whose probes name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretUse {
    pub owner_id: String,
    pub owner_title: String,
    pub items: Vec<String>,
}

/// A secret as listed: its name, whether a value is stored, and where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretStatus {
    pub name: String,
    pub set: bool,
    pub used_by: Vec<SecretUse>,
}

/// Whether the keyring answers, and what to do when it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeyringStatus {
    pub available: bool,
    pub backend: String,
    pub fix: Option<String>,
}

/// A probe secret's name, trimmed, or `Invalid` saying why it cannot be one.
pub fn secret_name(name: &str) -> Result<String> {
    let n = name.trim();
    match secret_name_problem(n) {
        Some(problem) => Err(Error::invalid(problem)),
        None => Ok(n.to_string()),
    }
}

impl App {
    /// The probe secrets' keyring service.
    pub fn secret_store(&self) -> Result<SecretStore> {
        Ok(SecretStore::with_service(&self.services().secrets)?)
    }

    /// Store (or replace) a secret's value.
    pub fn set_secret(&self, name: &str, value: Sensitive<String>) -> Result<()> {
        let name = secret_name(name)?;
        if value.expose().is_empty() {
            return Err(Error::invalid(format!("empty value: nothing stored for {name}")));
        }
        Ok(self.secret_store()?.set(&name, &value)?)
    }

    /// Delete a secret.
    pub fn delete_secret(&self, name: &str) -> Result<()> {
        let name = secret_name(name)?;
        Ok(self.secret_store()?.delete(&name)?)
    }

    /// Names of the stored secrets, sorted.
    pub fn secret_names(&self) -> Result<Vec<String>> {
        Ok(self.secret_store()?.list()?)
    }

    /// Every secret that is stored or referenced by a checklist or run, with where it is used.
    pub fn secrets(&self) -> Result<Vec<SecretStatus>> {
        let uses = self.secret_uses()?;
        // Reserved names in the secrets' service are Runsheet's own (an older desktop kept its signing key there):
        // never listed as probe secrets, so the Credentials screen can neither show nor delete them.
        let mut stored = self.secret_names()?;
        stored.retain(|n| secret_name_problem(n).is_none());
        let mut names: Vec<String> = uses.keys().cloned().chain(stored.iter().cloned()).collect();
        names.sort();
        names.dedup();
        Ok(names
            .into_iter()
            .map(|name| SecretStatus { set: stored.contains(&name), used_by: uses.get(&name).cloned().unwrap_or_default(), name })
            .collect())
    }

    /// Whether the keyring answers.
    pub fn keyring_status(&self) -> KeyringStatus {
        let backend = if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(windows) {
            "Windows Credential Manager"
        } else {
            "Secret Service (D-Bus)"
        };
        let checked = self.secret_store().and_then(|s| s.check().map_err(Error::from));
        match checked {
            Ok(()) => KeyringStatus { available: true, backend: backend.into(), fix: None },
            Err(e) => KeyringStatus { available: false, backend: backend.into(), fix: Some(e.message) },
        }
    }

    /// Secret names referenced by the probes of library checklists and runs, with their owners and items.
    pub fn secret_uses(&self) -> Result<BTreeMap<String, Vec<SecretUse>>> {
        let mut out: BTreeMap<String, Vec<SecretUse>> = BTreeMap::new();
        let mut add = |owner_id: &str, owner_title: &str, c: &Checklist| {
            let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (_, _, item) in c.items() {
                for p in &item.probes {
                    for name in secret_refs(&p.spec) {
                        per.entry(name).or_default().push(item.id.clone());
                    }
                }
            }
            for (name, items) in per {
                out.entry(name).or_default().push(SecretUse {
                    owner_id: owner_id.to_string(),
                    owner_title: owner_title.to_string(),
                    items,
                });
            }
        };
        let store = self.store()?;
        for c in store.list_checklists()? {
            let (_, checklist, _) = store.get_checklist(&c.id)?;
            add(&c.id, &c.title, &checklist);
        }
        for r in store.list_runs()? {
            let state = store.run_state(&r.id)?;
            add(&r.id, &state.meta.title, &state.effective_checklist());
        }
        Ok(out)
    }
}
