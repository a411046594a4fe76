//! Sign-off commands: the sign-off view (roles, blockers, phase gates, waivers), signing a role, adding a role,
//! waiving an item, and run settings (four-eyes, gate mode). Each change returns the new sign-off view.
//!
//! Left out: the rules and their checks (runsheet-core `signoff`, runsheet-app `signoff`). The signer's name comes
//! from the UI (a second person signs on the same laptop); whether they may sign is the app's decision.

use std::sync::{Arc, Mutex};

use runsheet_app::runs::SettingsPatch;
use runsheet_app::view::{GateMode, SignoffView};
use runsheet_app::App;
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::state::{blocking, operator, Settings};
use crate::wire::{required, trimmed, CmdResult};

/// A partial update of run settings.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct RunSettingsPatch {
    #[serde(default)]
    pub four_eyes: Option<bool>,
    #[serde(default)]
    pub gate_mode: Option<GateMode>,
}

#[tauri::command]
#[specta::specta]
pub async fn signoff(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<SignoffView> {
    let run = required("run_id", &run_id)?;
    blocking(&app, move |a| a.signoff_view(&run)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_off(
    run_id: String,
    role: String,
    name: String,
    comment: Option<String>,
    app: State<'_, Arc<App>>,
) -> CmdResult<SignoffView> {
    let (run, role, name) = (required("run_id", &run_id)?, required("role", &role)?, required("name", &name)?);
    blocking(&app, move |a| {
        a.sign_off(&run, &role, &name, trimmed(comment))?;
        a.signoff_view(&run)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn add_role(
    run_id: String,
    role: String,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let (run, role) = (required("run_id", &run_id)?, required("role", &role)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        a.add_role(&run, &role, &actor)?;
        a.signoff_view(&run)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn waive(
    run_id: String,
    item_id: String,
    reason: String,
    approver: String,
    app: State<'_, Arc<App>>,
) -> CmdResult<SignoffView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let (reason, approver) = (required("reason", &reason)?, required("approver", &approver)?);
    blocking(&app, move |a| {
        a.waive(&run, &item, &reason, &approver)?;
        a.signoff_view(&run)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_run_settings(
    run_id: String,
    patch: RunSettingsPatch,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let run = required("run_id", &run_id)?;
    let actor = operator(&settings)?;
    let patch = SettingsPatch { four_eyes: patch.four_eyes, gate_mode: patch.gate_mode.map(Into::into) };
    blocking(&app, move |a| {
        a.set_settings(&run, patch, &actor)?;
        a.signoff_view(&run)
    })
    .await
}
