//! Probe secrets in the OS keyring: set, list (names and where each is used, never values), delete. Names are
//! checked by the core's one rule (`secret_name_problem`): names starting with `runsheet` belong to Runsheet's own
//! entries and are refused here as they are in probe blocks and at resolution.
//!
//! Bindings: each secret records the hosts it may be sent to and whether shell probes may receive it (stored next
//! to it in the keyring, so `secret` commands keep working without the database). Probes are checked against them
//! in `probes`; a run's grants (`secret_granted` events) add hosts for that run, and the first grant of a secret
//! bound nowhere binds it.
//!
//! Left out: the keyring itself and masking (runsheet-secrets), the binding rule (runsheet-core
//! `probe::secret_refusal`).

use std::collections::BTreeMap;

use runsheet_core::event::{Event, EventBody};
use runsheet_core::probe::{normalize_host, secret_name_problem, secret_refs, SHELL_DESTINATION};
pub use runsheet_core::probe::SecretBinding;
use runsheet_core::Checklist;
use runsheet_secrets::{SecretStore, Sensitive};
use serde::Serialize;

use crate::{Actor, App, Error, Result};

/// Where a secret is referenced: a checklist or run and the items whose probes name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretUse {
    pub owner_id: String,
    pub owner_title: String,
    pub items: Vec<String>,
}

/// A secret as listed: its name, whether a value is stored, where it may be sent, and where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretStatus {
    pub name: String,
    pub set: bool,
    /// Hosts the secret may be sent to (empty: bound nowhere yet, refused at first use until allowed).
    pub hosts: Vec<String>,
    /// Whether shell probes may receive it.
    pub allow_shell: bool,
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

/// A host a secret may be bound to or granted for: a bare host name or IP address, compared in lower case.
pub fn bind_host(host: &str) -> Result<String> {
    let h = normalize_host(host);
    let bare = !h.is_empty()
        && h.len() <= 253
        && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'))
        && !h.starts_with(['.', '-']);
    if !bare || h.matches(':').count() == 1 {
        return Err(Error::invalid(format!(
            "invalid host `{}`: give a bare host name or IP address (no scheme, port or path), e.g. api.example.com",
            host.trim()
        )));
    }
    if h == SHELL_DESTINATION {
        return Err(Error::invalid("`shell` is not a host: allow shell probes with --shell".to_string()));
    }
    Ok(h)
}

/// `binding` with every host checked and normalised.
fn checked_binding(binding: SecretBinding) -> Result<SecretBinding> {
    let hosts = binding.hosts.iter().map(|h| bind_host(h)).collect::<Result<_>>()?;
    Ok(SecretBinding { hosts, allow_shell: binding.allow_shell })
}

impl App {
    /// The probe secrets' keyring service.
    pub fn secret_store(&self) -> Result<SecretStore> {
        Ok(SecretStore::with_service(&self.services().secrets)?)
    }

    /// Store (or replace) a secret's value. `binding` replaces where it may be sent; None keeps what was stored
    /// (a secret stored without one is bound nowhere, and refused at first use until allowed or granted).
    pub fn set_secret(&self, name: &str, value: Sensitive<String>, binding: Option<SecretBinding>) -> Result<()> {
        let name = secret_name(name)?;
        if value.expose().is_empty() {
            return Err(Error::invalid(format!("empty value: nothing stored for {name}")));
        }
        let binding = binding.map(checked_binding).transpose()?;
        let store = self.secret_store()?;
        store.set(&name, &value)?;
        if let Some(b) = binding {
            store.set_binding(&name, &b)?;
        }
        Ok(())
    }

    /// Allow a stored secret to be sent to more hosts and, with `allow_shell`, to shell probes (nothing is taken
    /// away). Returns the binding now stored.
    pub fn allow_secret(&self, name: &str, hosts: &[String], allow_shell: bool) -> Result<SecretBinding> {
        let name = secret_name(name)?;
        let add = checked_binding(SecretBinding::new(hosts.iter().map(String::as_str), allow_shell))?;
        if add.is_unbound() {
            return Err(Error::invalid(format!("nothing to allow for {name}: name a host (--host) or --shell")));
        }
        let store = self.secret_store()?;
        if !store.list()?.contains(&name) {
            return Err(Error::not_found(format!("secret `{name}` is not stored (set it with `runsheet secret set {name}`)")));
        }
        let mut binding = store.binding(&name)?;
        binding.hosts.extend(add.hosts);
        binding.allow_shell |= add.allow_shell;
        store.set_binding(&name, &binding)?;
        Ok(binding)
    }

    /// Where a secret may be sent (the empty binding when it was never bound).
    pub fn secret_binding(&self, name: &str) -> Result<SecretBinding> {
        let name = secret_name(name)?;
        Ok(self.secret_store()?.binding(&name)?)
    }

    /// Allow `secret` to be sent to `host` for this run only: a `secret_granted` event of the run. A secret bound to
    /// no host yet is bound to `host` from then on ("bound at first use"). Shell cannot be granted (only
    /// `allow_secret(.., allow_shell)` allows it).
    pub fn grant_secret(&self, run: &str, secret: &str, host: &str, actor: Actor<'_>) -> Result<Event> {
        let secret = secret_name(secret)?;
        let host = bind_host(host)?;
        let store = self.secret_store()?;
        if !store.list()?.contains(&secret) {
            return Err(Error::not_found(format!("secret `{secret}` is not stored (set it with `runsheet secret set {secret}`)")));
        }
        let run_id = self.resolve_run(run)?;
        let event = self.append(&run_id, actor, EventBody::SecretGranted { secret: secret.clone(), host: host.clone() })?;
        let mut binding = store.binding(&secret)?;
        if binding.hosts.is_empty() {
            binding.hosts.insert(host);
            store.set_binding(&secret, &binding)?;
        }
        Ok(event)
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
        let store = self.secret_store()?;
        names
            .into_iter()
            .map(|name| {
                let set = stored.contains(&name);
                let binding = if set { store.binding(&name)? } else { SecretBinding::default() };
                Ok(SecretStatus {
                    set,
                    hosts: binding.hosts.into_iter().collect(),
                    allow_shell: binding.allow_shell,
                    used_by: uses.get(&name).cloned().unwrap_or_default(),
                    name,
                })
            })
            .collect()
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
