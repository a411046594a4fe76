//! Secrets for probes: stored in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows, through `keyring` 4), wrapped in [`Sensitive`] while in memory, and masked by value with [`Masker`]
//! in everything Runsheet stores or prints.
//!
//! Deliberately left out: any plaintext, file or in-memory fallback. No keyring means
//! [`SecretError::KeyringUnavailable`] with a message that says what to install or unlock.
//!
//! Listing: keyrings have no portable enumeration, so the store keeps an index of secret NAMES (never values) as
//! one more keyring entry (user `INDEX_USER` under the same service). Names are not secret but stay out of files,
//! so a copied database or home directory reveals nothing about which credentials exist.
//!
//! Bindings: where a secret may be sent ([`SecretBinding`], the core's rule) is kept next to it as JSON under the
//! user `runsheet:binding:NAME` of the same service. A reserved name, so no secret can collide with it; not in the
//! names index, so never listed as a secret; deleted with the secret. It holds hosts and a flag, never a value.

use std::fmt;
use std::sync::Mutex;

pub use runsheet_core::probe::{is_valid_secret_name, SecretBinding};

/// Service name of Runsheet's keyring entries (tests pass their own with [`SecretStore::with_service`]).
pub const DEFAULT_SERVICE: &str = "runsheet";

/// Keyring user under which the names index is kept; not a valid secret name, so it cannot collide.
const INDEX_USER: &str = "runsheet:index";

/// Keyring user prefix of the bindings (`runsheet:binding:NAME`); reserved, like the index.
pub const BINDING_PREFIX: &str = "runsheet:binding:";

const UNAVAILABLE_HINT: &str = "install and unlock a keyring: on Linux gnome-keyring (or KeePassXC with its \
Secret Service integration) running in your D-Bus session, e.g. `gnome-keyring-daemon --unlock --components=secrets`; \
on macOS the login Keychain; on Windows the Credential Manager";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable OS keyring (no Secret Service on the session bus, keyring locked, access refused).
    #[error("no usable OS keyring ({detail}): {hint}")]
    KeyringUnavailable { detail: String, hint: &'static str },
    #[error("secret `{name}` not found in the keyring (set it with `runsheet secret set {name}`)")]
    NotFound { name: String },
    #[error("invalid secret name `{name}` (use letters, digits, `_`, `-` and `.`, at most 128 characters)")]
    InvalidName { name: String },
    #[error("secret `{name}` is empty")]
    EmptyValue { name: String },
    #[error("keyring error for `{name}`: {detail}")]
    Keyring { name: String, detail: String },
}


pub type Result<T> = std::result::Result<T, SecretError>;

/// A value that must not leak: `Debug` prints `<redacted>`, there is no `Display` and no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }
    /// The wrapped value; call sites that use it are the places to audit.
    pub fn expose(&self) -> &T {
        &self.0
    }
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Secrets of one keyring service.
#[derive(Debug)]
pub struct SecretStore {
    service: String,
}

/// Serialises read-modify-write of the names index within this process.
static INDEX_LOCK: Mutex<()> = Mutex::new(());

impl SecretStore {
    /// The product's store (service `runsheet`).
    pub fn open() -> Result<Self> {
        Self::with_service(DEFAULT_SERVICE)
    }

    /// A store under another service name (tests use one each so they can run in parallel).
    pub fn with_service(service: &str) -> Result<Self> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError::KeyringUnavailable { detail: e.to_string(), hint: UNAVAILABLE_HINT });
        }
        Ok(SecretStore { service: service.to_string() })
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Check that the keyring answers (reads the names index); `KeyringUnavailable` otherwise.
    pub fn check(&self) -> Result<()> {
        self.read_index().map(|_| ())
    }

    fn entry(&self, user: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, user).map_err(|e| map_err(user, e))
    }

    pub fn get(&self, name: &str) -> Result<Sensitive<String>> {
        validate(name)?;
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Sensitive(v)),
            Err(keyring::Error::NoEntry) => Err(SecretError::NotFound { name: name.to_string() }),
            Err(e) => Err(map_err(name, e)),
        }
    }

    pub fn set(&self, name: &str, value: &Sensitive<String>) -> Result<()> {
        validate(name)?;
        if value.expose().is_empty() {
            return Err(SecretError::EmptyValue { name: name.to_string() });
        }
        self.entry(name)?.set_password(value.expose()).map_err(|e| map_err(name, e))?;
        self.update_index(|names| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        })
    }

    pub fn delete(&self, name: &str) -> Result<()> {
        validate(name)?;
        let res = match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(()),
            Err(keyring::Error::NoEntry) => Err(SecretError::NotFound { name: name.to_string() }),
            Err(e) => Err(map_err(name, e)),
        };
        // Keep the index honest even when the entry was already gone; the binding goes with the secret.
        self.update_index(|names| names.retain(|n| n != name))?;
        self.delete_binding(name)?;
        res
    }

    /// Where `name` may be sent; the empty binding (nowhere) when none was ever stored.
    pub fn binding(&self, name: &str) -> Result<SecretBinding> {
        validate(name)?;
        let user = format!("{BINDING_PREFIX}{name}");
        match self.entry(&user)?.get_password() {
            Ok(json) => serde_json::from_str(&json)
                .map_err(|e| SecretError::Keyring { name: name.to_string(), detail: format!("reading its binding: {e}") }),
            Err(keyring::Error::NoEntry) => Ok(SecretBinding::default()),
            Err(e) => Err(map_err(&user, e)),
        }
    }

    /// Store where `name` may be sent (replacing what was stored).
    pub fn set_binding(&self, name: &str, binding: &SecretBinding) -> Result<()> {
        validate(name)?;
        let user = format!("{BINDING_PREFIX}{name}");
        // Plain data with string keys: serialising cannot fail.
        let json = serde_json::to_string(binding).unwrap_or_default();
        self.entry(&user)?.set_password(&json).map_err(|e| map_err(&user, e))
    }

    fn delete_binding(&self, name: &str) -> Result<()> {
        let user = format!("{BINDING_PREFIX}{name}");
        match self.entry(&user)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(&user, e)),
        }
    }

    /// Names of the stored secrets, sorted (never values).
    pub fn list(&self) -> Result<Vec<String>> {
        let mut names = self.read_index()?;
        names.sort();
        Ok(names)
    }

    /// A masker for these names' values (missing names are the error: a probe cannot run without them).
    pub fn masker_for<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Result<(Masker, Vec<(String, Sensitive<String>)>)> {
        let mut masker = Masker::default();
        let mut values = Vec::new();
        for n in names {
            let v = self.get(n)?;
            masker.add(n, &v);
            values.push((n.to_string(), v));
        }
        Ok((masker, values))
    }

    fn read_index(&self) -> Result<Vec<String>> {
        match self.entry(INDEX_USER)?.get_password() {
            Ok(s) => Ok(s.lines().filter(|l| is_valid_secret_name(l)).map(str::to_string).collect()),
            Err(keyring::Error::NoEntry) => Ok(Vec::new()),
            Err(e) => Err(map_err(INDEX_USER, e)),
        }
    }

    fn update_index(&self, change: impl FnOnce(&mut Vec<String>)) -> Result<()> {
        // A poisoned lock only means another thread panicked mid-update; the index is re-read anyway.
        let _guard = INDEX_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let mut names = self.read_index()?;
        change(&mut names);
        names.sort();
        names.dedup();
        let entry = self.entry(INDEX_USER)?;
        if names.is_empty() {
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(map_err(INDEX_USER, e)),
            }
        } else {
            entry.set_password(&names.join("\n")).map_err(|e| map_err(INDEX_USER, e))
        }
    }
}

fn validate(name: &str) -> Result<()> {
    if is_valid_secret_name(name) {
        Ok(())
    } else {
        Err(SecretError::InvalidName { name: name.to_string() })
    }
}

fn map_err(name: &str, e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoDefaultStore | keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            SecretError::KeyringUnavailable { detail: e.to_string(), hint: UNAVAILABLE_HINT }
        }
        other => SecretError::Keyring { name: name.to_string(), detail: other.to_string() },
    }
}

/// Replaces every known secret value in text with `[secret:NAME]`.
///
/// Values are matched longest first (so a secret containing another is masked whole) and also in their
/// percent-encoded form, which is how they appear when echoed back inside URLs.
#[derive(Default, Clone)]
pub struct Masker {
    /// (needle, replacement), longest needle first.
    needles: Vec<(String, String)>,
}

impl fmt::Debug for Masker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Masker({} values)", self.needles.len())
    }
}

impl Masker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, value: &Sensitive<String>) {
        let v = value.expose();
        if v.is_empty() {
            return;
        }
        let replacement = format!("[secret:{name}]");
        let encoded = percent_encode(v);
        self.needles.push((v.clone(), replacement.clone()));
        if encoded != *v {
            self.needles.push((encoded, replacement));
        }
        self.needles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        self.needles.dedup_by(|a, b| a.0 == b.0);
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Length in bytes of the longest value masked (callers keep that much slack before truncating output).
    pub fn longest(&self) -> usize {
        self.needles.first().map(|n| n.0.len()).unwrap_or(0)
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (needle, replacement) in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), replacement);
            }
        }
        out
    }

    /// Mask every string inside a JSON value (keys included).
    pub fn mask_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.mask(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.mask_json(v)).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (self.mask(k), self.mask_json(v))).collect()),
            other => other.clone(),
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_debug_is_redacted() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }

    #[test]
    fn masker_masks_every_occurrence_longest_first() {
        let mut m = Masker::new();
        m.add("short", &Sensitive::new("abc".into()));
        m.add("long", &Sensitive::new("abcdef".into()));
        m.add("url", &Sensitive::new("p@ss word".into()));
        assert_eq!(m.mask("x abcdef y abc z"), "x [secret:long] y [secret:short] z");
        assert_eq!(m.mask("https://u:p%40ss%20word@h/"), "https://u:[secret:url]@h/");
        let v = serde_json::json!({"detail": "token abc", "n": 1});
        assert_eq!(m.mask_json(&v)["detail"], "token [secret:short]");
    }
}
