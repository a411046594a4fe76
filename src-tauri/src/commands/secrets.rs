//! Credential commands: keyring status, the secret names the checklists reference and whether each is set,
//! set/replace/delete. Values go in and never come back: no command returns a secret value.
//!
//! Left out: the keyring itself and masking (runsheet-secrets).

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use super::StoreHandle;
use crate::error::{CmdResult, ErrorCode, WireError};

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct KeyringStatus {
    pub available: bool,
    pub backend: String,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CredentialUse {
    pub owner_id: String,
    pub owner_title: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CredentialStatus {
    pub name: String,
    pub set: bool,
    pub used_by: Vec<CredentialUse>,
}

impl From<runsheet_secrets::SecretError> for WireError {
    fn from(e: runsheet_secrets::SecretError) -> Self {
        let code = match e.code() {
            "KeyringUnavailable" => ErrorCode::KeyringUnavailable,
            "NotFound" => ErrorCode::NotFound,
            "Invalid" => ErrorCode::Invalid,
            _ => ErrorCode::Internal,
        };
        WireError::new(code, e.to_string())
    }
}

/// Secret names as checklists write them in `{{secret:NAME}}`.
pub(crate) fn secret_name(name: &str) -> CmdResult<String> {
    let n = name.trim();
    if !runsheet_secrets::is_valid_secret_name(n) {
        return Err(WireError::invalid(format!(
            "secret name {n:?} must be 1-128 characters of letters, digits, `_`, `-` or `.`"
        )));
    }
    Ok(n.to_string())
}

/// The keyring is opened per call: it may appear (unlocked) or vanish while the app runs.
pub(crate) fn keyring() -> CmdResult<runsheet_secrets::SecretStore> {
    Ok(open_keyring()?)
}

/// The service name is `runsheet` unless `RUNSHEET_KEYRING_SERVICE` names another (the e2e suite uses its own).
pub(crate) fn open_keyring() -> runsheet_secrets::Result<runsheet_secrets::SecretStore> {
    let service = std::env::var("RUNSHEET_KEYRING_SERVICE").unwrap_or_else(|_| runsheet_secrets::DEFAULT_SERVICE.into());
    runsheet_secrets::SecretStore::with_service(&service)
}

#[tauri::command]
#[specta::specta]
pub async fn keyring_status() -> CmdResult<KeyringStatus> {
    let checked = tokio::task::spawn_blocking(|| keyring().and_then(|k| k.check().map_err(WireError::from))).await?;
    let backend = if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service (D-Bus)"
    };
    Ok(match checked {
        Ok(()) => KeyringStatus { available: true, backend: backend.into(), fix: None },
        Err(e) => KeyringStatus { available: false, backend: backend.into(), fix: Some(e.message) },
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_credentials(store: State<'_, StoreHandle>) -> CmdResult<Vec<CredentialStatus>> {
    let uses = store.with(super::store_api::secret_uses).await?;
    let stored = tokio::task::spawn_blocking(|| keyring()?.list().map_err(WireError::from)).await??;
    let mut names: Vec<String> = uses.keys().cloned().chain(stored.iter().cloned()).collect();
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .map(|name| CredentialStatus {
            set: stored.contains(&name),
            used_by: uses.get(&name).cloned().unwrap_or_default(),
            name,
        })
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn set_credential(name: String, value: String) -> CmdResult<()> {
    let name = secret_name(&name)?;
    // Wrapped at once: from here on the value cannot be printed by accident.
    let value = runsheet_secrets::Sensitive::new(value);
    if value.expose().is_empty() {
        return Err(WireError::invalid("a secret value must not be empty"));
    }
    tokio::task::spawn_blocking(move || keyring()?.set(&name, &value).map_err(WireError::from)).await?
}

#[tauri::command]
#[specta::specta]
pub async fn delete_credential(name: String) -> CmdResult<()> {
    let name = secret_name(&name)?;
    tokio::task::spawn_blocking(move || keyring()?.delete(&name).map_err(WireError::from)).await?
}
