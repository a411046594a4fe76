//! Sign-off commands: roles with their blockers (four-eyes, pending items, stale evidence), phase gates,
//! waivers, signing a role, adding a role, and run settings (four-eyes, gate mode).
//!
//! Left out: the rules themselves (runsheet-core `signoff`); the signer's name comes from the UI (a second
//! person signs on the same laptop) and the four-eyes check is the core's, not the webview's.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use std::sync::Mutex;

use runsheet_core::event::EventBody;

use super::runs::{operator, trimmed, RunSettings, Waiver};
use super::settings::Settings;
use super::{required, store_api, StoreHandle};
use crate::error::CmdResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum BlockerKind {
    Pending,
    Failed,
    Blocked,
    FailedProbe,
    StaleEvidence,
    MissingEvidence,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Blocker {
    pub kind: BlockerKind,
    pub item: String,
    pub phase: String,
    /// What blocks, naming the item by its text (`Run the smoke tests — probe fail`).
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Signature {
    pub name: String,
    pub at: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RoleStatus {
    pub role: String,
    pub phase: Option<String>,
    /// The title of `phase`, for display.
    pub phase_title: Option<String>,
    pub signed: Option<Signature>,
    pub excluded: Vec<String>,
    pub blockers: Vec<Blocker>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PhaseGate {
    pub phase: String,
    pub title: String,
    pub open: bool,
    pub blockers: Vec<Blocker>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SignoffView {
    pub settings: RunSettings,
    pub operator: String,
    pub roles: Vec<RoleStatus>,
    pub gates: Vec<PhaseGate>,
    pub waivers: Vec<Waiver>,
}

/// A partial update of run settings.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct RunSettingsPatch {
    #[serde(default)]
    pub four_eyes: Option<bool>,
    #[serde(default)]
    pub gate_mode: Option<super::runs::GateMode>,
}

#[tauri::command]
#[specta::specta]
pub async fn signoff(run_id: String, store: State<'_, StoreHandle>) -> CmdResult<SignoffView> {
    let run = required("run_id", &run_id)?;
    store.with(move |s| store_api::signoff_view(s, &run)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_off(
    run_id: String,
    role: String,
    name: String,
    comment: Option<String>,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let (run, role, name) = (required("run_id", &run_id)?, required("role", &role)?, required("name", &name)?);
    let actor = operator(&settings)?;
    store.with(move |s| store_api::sign_off(s, &run, &role, &name, trimmed(comment), &actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_role(
    run_id: String,
    role: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let (run, role) = (required("run_id", &run_id)?, required("role", &role)?);
    let actor = operator(&settings)?;
    store.with(move |s| store_api::append_run(s, &run, &actor, EventBody::RoleAdded { role })).await
}

#[tauri::command]
#[specta::specta]
pub async fn waive(
    run_id: String,
    item_id: String,
    reason: String,
    approver: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let (reason, approver) = (required("reason", &reason)?, required("approver", &approver)?);
    let actor = operator(&settings)?;
    store.with(move |s| store_api::append_run(s, &run, &actor, EventBody::Waived { item, reason, approver })).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_run_settings(
    run_id: String,
    patch: RunSettingsPatch,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<SignoffView> {
    let run = required("run_id", &run_id)?;
    let actor = operator(&settings)?;
    let gate_mode = patch.gate_mode.map(|g| match g {
        super::runs::GateMode::Strict => runsheet_core::event::GateMode::Strict,
        super::runs::GateMode::Advisory => runsheet_core::event::GateMode::Advisory,
    });
    let body = EventBody::SettingsChanged { four_eyes: patch.four_eyes, gate_mode };
    store.with(move |s| store_api::append_run(s, &run, &actor, body)).await
}
