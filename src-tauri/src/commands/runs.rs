//! Run commands: list (with filter), create, open, set an item's state, notes, the event timeline and the
//! planned-versus-actual chart data.
//!
//! Left out: the fold of events into state (runsheet-core `run`) and persistence (runsheet-store); the actor of
//! every change is the operator name from settings, never a value the webview sends.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use super::settings::Settings;
use super::{required, store_api, StoreHandle};
use crate::error::{CmdResult, WireError};
use crate::state::{lock, Perf};

/// Item states on the wire (runsheet-core `event::ItemState`, same spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Pending,
    Done,
    Skipped,
    Failed,
    Blocked,
    #[serde(rename = "n/a")]
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum GateMode {
    Strict,
    #[default]
    Advisory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    NotStarted,
    InProgress,
    Blocked,
    Completed,
    Signed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Progress {
    pub total: u32,
    pub pending: u32,
    pub done: u32,
    pub skipped: u32,
    pub failed: u32,
    pub blocked: u32,
    pub na: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunSummary {
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub operator: String,
    pub checklist_id: String,
    pub checklist_title: String,
    pub created_at: String,
    pub updated_at: String,
    pub status: RunStatus,
    pub progress: Progress,
}

#[derive(Debug, Clone, Default, Deserialize, Type)]
pub struct RunFilter {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub status: Option<RunStatus>,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct NewRun {
    pub checklist_id: String,
    pub title: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub window_start: Option<String>,
    #[serde(default)]
    pub window_end: Option<String>,
    pub operator: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Note {
    pub at: String,
    pub actor: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Waiver {
    pub item: String,
    /// The item's text, for display.
    pub item_title: String,
    pub reason: String,
    pub approver: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ItemStatus {
    pub state: ItemState,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub at: Option<String>,
    pub notes: Vec<Note>,
    pub waiver: Option<Waiver>,
    pub armed: bool,
    /// Latest evidence per probe (see probes.rs `Evidence`).
    pub evidence: Vec<super::probes::Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct RunSettings {
    pub four_eyes: bool,
    pub gate_mode: GateMode,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunView {
    pub summary: RunSummary,
    /// The run's frozen checklist (runsheet-core `Checklist`).
    pub checklist: serde_json::Value,
    pub items: BTreeMap<String, ItemStatus>,
    pub settings: RunSettings,
    pub suggestions: Vec<super::library::SuggestedProbe>,
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct SetItemState {
    pub state: ItemState,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TimelineEvent {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub lamport: u32,
    pub device: String,
    pub hash: String,
    /// The event body as runsheet-core serialises it (`type`-tagged), without the frozen checklist.
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SectionTiming {
    pub phase: String,
    pub section: String,
    pub title: String,
    pub planned_start_min: Option<f64>,
    pub planned_end_min: Option<f64>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TimelineChartData {
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub rows: Vec<SectionTiming>,
}

pub(crate) fn operator(settings: &Mutex<Settings>) -> CmdResult<String> {
    Ok(lock(settings, "settings")?.operator_name.clone())
}

#[tauri::command]
#[specta::specta]
pub async fn list_runs(filter: Option<RunFilter>, store: State<'_, StoreHandle>) -> CmdResult<Vec<RunSummary>> {
    let filter = filter.unwrap_or_default();
    let runs = store.with(store_api::list_runs).await?;
    let text = filter.text.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    Ok(runs
        .into_iter()
        .filter(|r| filter.status.is_none_or(|s| r.status == s))
        .filter(|r| {
            text.as_ref().is_none_or(|t| {
                [Some(&r.title), r.version.as_ref(), r.environment.as_ref(), Some(&r.operator)]
                    .into_iter()
                    .flatten()
                    .any(|f| f.to_lowercase().contains(t.as_str()))
            })
        })
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn create_run(input: NewRun, store: State<'_, StoreHandle>) -> CmdResult<RunSummary> {
    let checklist_id = required("checklist_id", &input.checklist_id)?;
    let title = required("title", &input.title)?;
    let operator = required("operator", &input.operator)?;
    let start = parse_time("window_start", input.window_start.as_deref())?;
    let end = parse_time("window_end", input.window_end.as_deref())?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(WireError::invalid("window_end is before window_start"));
        }
    }
    let template = super::library::template_source(&checklist_id).transpose()?;
    let new = store_api::NewRunArgs {
        checklist_id,
        template,
        title,
        version: trimmed(input.version),
        environment: trimmed(input.environment),
        window_start: start,
        window_end: end,
        operator,
    };
    store.with(move |s| store_api::create_run(s, new)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_run(run_id: String, store: State<'_, StoreHandle>) -> CmdResult<RunView> {
    let id = required("run_id", &run_id)?;
    store.with(move |s| store_api::run_view(s, &id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_item_state(
    run_id: String,
    item_id: String,
    change: SetItemState,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
    perf: State<'_, Perf>,
) -> CmdResult<ItemStatus> {
    let started = Instant::now();
    let run = required("run_id", &run_id)?;
    let item = required("item_id", &item_id)?;
    let reason = trimmed(change.reason);
    if change.state == ItemState::Skipped && reason.is_none() {
        return Err(WireError::invalid("skipping an item needs a reason"));
    }
    let actor = operator(&settings)?;
    let status = store
        .with(move |s| store_api::set_item(s, &run, &item, change.state, reason, trimmed(change.note), &actor))
        .await?;
    perf.record(started.elapsed().as_secs_f64() * 1000.0);
    Ok(status)
}

#[tauri::command]
#[specta::specta]
pub async fn add_note(
    run_id: String,
    item_id: String,
    text: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<ItemStatus> {
    let run = required("run_id", &run_id)?;
    let item = required("item_id", &item_id)?;
    let text = required("note", &text)?;
    let actor = operator(&settings)?;
    store.with(move |s| store_api::add_note(s, &run, &item, &text, &actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn timeline(run_id: String, store: State<'_, StoreHandle>) -> CmdResult<Vec<TimelineEvent>> {
    let id = required("run_id", &run_id)?;
    store.with(move |s| store_api::timeline(s, &id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn timeline_chart(run_id: String, store: State<'_, StoreHandle>) -> CmdResult<TimelineChartData> {
    let id = required("run_id", &run_id)?;
    store.with(move |s| store_api::timeline_chart(s, &id)).await
}

pub(crate) fn trimmed(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(crate) fn parse_time(field: &str, v: Option<&str>) -> CmdResult<Option<chrono::DateTime<chrono::Utc>>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|e| WireError::invalid(format!("{field} is not an RFC 3339 time ({s}): {e}"))),
    }
}

impl From<ItemState> for runsheet_core::event::ItemState {
    fn from(s: ItemState) -> Self {
        use runsheet_core::event::ItemState as C;
        match s {
            ItemState::Pending => C::Pending,
            ItemState::Done => C::Done,
            ItemState::Skipped => C::Skipped,
            ItemState::Failed => C::Failed,
            ItemState::Blocked => C::Blocked,
            ItemState::NotApplicable => C::NotApplicable,
        }
    }
}

impl From<runsheet_core::event::ItemState> for ItemState {
    fn from(s: runsheet_core::event::ItemState) -> Self {
        use runsheet_core::event::ItemState as C;
        match s {
            C::Pending => Self::Pending,
            C::Done => Self::Done,
            C::Skipped => Self::Skipped,
            C::Failed => Self::Failed,
            C::Blocked => Self::Blocked,
            C::NotApplicable => Self::NotApplicable,
        }
    }
}
