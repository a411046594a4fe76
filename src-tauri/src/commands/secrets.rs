//! Credential commands: keyring status, the probe secrets the checklists reference and whether each is set,
//! set/replace/delete. Values go in and never come back: no command returns a secret value.
//!
//! Left out: the keyring, name rules and masking (runsheet-app `secrets`). Signing identities live in their own
//! keyring service and are never listed here.

use std::sync::Arc;

use runsheet_app::secrets::{KeyringStatus, SecretStatus};
use runsheet_app::{App, Sensitive};
use tauri::State;

use crate::state::blocking;
use crate::wire::CmdResult;

#[tauri::command]
#[specta::specta]
pub async fn keyring_status(app: State<'_, Arc<App>>) -> CmdResult<KeyringStatus> {
    blocking(&app, |a| Ok(a.keyring_status())).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_credentials(app: State<'_, Arc<App>>) -> CmdResult<Vec<SecretStatus>> {
    blocking(&app, App::secrets).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_credential(name: String, value: String, app: State<'_, Arc<App>>) -> CmdResult<()> {
    // Wrapped at once: from here on the value cannot be printed by accident.
    let value = Sensitive::new(value);
    blocking(&app, move |a| a.set_secret(&name, value)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_credential(name: String, app: State<'_, Arc<App>>) -> CmdResult<()> {
    blocking(&app, move |a| a.delete_secret(&name)).await
}
