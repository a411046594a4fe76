//! Secrets a batch of probes needs, read from the keyring once before the batch runs.
//!
//! A secret that cannot be read does not stop the batch: the probes that need it record an `error` outcome naming
//! the secret, the others run. Values stay in [`Sensitive`] and are only exposed when substituted into a request.

use std::collections::BTreeMap;

use runsheet_core::probe::{secret_refs, substitute_secrets, ProbeSpec};
use runsheet_secrets::{Masker, SecretStore, Sensitive};

#[derive(Debug, Default, Clone)]
pub struct ResolvedSecrets {
    values: BTreeMap<String, Sensitive<String>>,
    /// Name → why it could not be read.
    failures: BTreeMap<String, String>,
    masker: Masker,
}

impl ResolvedSecrets {
    /// No secrets at all (probes that reference one record an error).
    pub fn none() -> Self {
        Self::default()
    }

    /// Read every secret the specs reference. Blocking (talks to the keyring): call it outside async code or
    /// through `spawn_blocking`. `store` is the keyring open result, so an unavailable keyring becomes a per-probe
    /// error rather than a refusal to run probes that need no secret.
    pub fn resolve<'a>(
        store: Result<&SecretStore, &runsheet_secrets::SecretError>,
        specs: impl IntoIterator<Item = &'a ProbeSpec>,
    ) -> Self {
        let mut out = Self::default();
        let mut names: Vec<String> = specs.into_iter().flat_map(secret_refs).collect();
        names.sort();
        names.dedup();
        for name in names {
            match store {
                Ok(s) => match s.get(&name) {
                    Ok(v) => out.insert(&name, v),
                    Err(e) => {
                        out.failures.insert(name, e.to_string());
                    }
                },
                Err(e) => {
                    out.failures.insert(name, e.to_string());
                }
            }
        }
        out
    }

    /// Add a value directly (tests, and callers that obtained a secret some other way).
    pub fn insert(&mut self, name: &str, value: Sensitive<String>) {
        self.masker.add(name, &value);
        self.values.insert(name.to_string(), value);
    }

    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Sensitive<String>> {
        self.values.get(name)
    }

    /// Why a referenced secret is unavailable, for the first unavailable one of `spec`.
    pub(crate) fn missing_for(&self, spec: &ProbeSpec) -> Option<String> {
        secret_refs(spec).into_iter().find(|n| !self.values.contains_key(n)).map(|n| {
            self.failures.get(&n).cloned().unwrap_or_else(|| format!("secret `{n}` was not resolved before the run"))
        })
    }

    /// `s` with every `{{secret:NAME}}` replaced by its value.
    pub(crate) fn substitute(&self, s: &str) -> Result<String, String> {
        substitute_secrets(s, &|n| self.values.get(n).map(|v| v.expose().clone()))
            .map_err(|name| format!("secret `{name}` is not available"))
    }
}
