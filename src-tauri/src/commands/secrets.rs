//! Credential commands: keyring status, the probe secrets the checklists reference and whether each is set,
//! set/replace/delete, with the hosts each may be sent to; granting a refused secret for one run. Values go in and
//! never come back: no command returns a secret value.
//!
//! Left out: the keyring, name rules and masking (runsheet-app `secrets`). Signing identities live in their own
//! keyring service and are never listed here.

use std::sync::Arc;

use runsheet_app::secrets::{KeyringStatus, SecretBinding, SecretStatus};
use runsheet_app::{App, Sensitive};
use tauri::State;

use crate::state::{blocking, operator, Settings};
use crate::wire::{required, CmdResult};

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
pub async fn set_credential(
    name: String,
    value: String,
    hosts: Vec<String>,
    allow_shell: bool,
    app: State<'_, Arc<App>>,
) -> CmdResult<()> {
    // Wrapped at once: from here on the value cannot be printed by accident.
    let value = Sensitive::new(value);
    // The form shows the stored binding and sends it back whole, so it replaces what was stored.
    let binding = SecretBinding::new(hosts.iter().map(String::as_str), allow_shell);
    blocking(&app, move |a| a.set_secret(&name, value, Some(binding))).await
}

/// Send `secret` to `host` for this run (the operator's answer to "Send SECRET to HOST?"); a secret bound to no
/// host yet is bound to it from then on. Recorded as a `secret_granted` event of the run.
#[tauri::command]
#[specta::specta]
pub async fn grant_secret(
    run_id: String,
    secret: String,
    host: String,
    app: State<'_, Arc<App>>,
    settings: State<'_, std::sync::Mutex<Settings>>,
) -> CmdResult<()> {
    let run = required("run_id", &run_id)?;
    let actor = operator(&settings)?;
    blocking(&app, move |a| a.grant_secret(&run, &secret, &host, &actor).map(|_| ())).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_credential(name: String, app: State<'_, Arc<App>>) -> CmdResult<()> {
    blocking(&app, move |a| a.delete_secret(&name)).await
}
