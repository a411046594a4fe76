//! Run commands: list (with a filter), create, open, set an item's state, notes, the event timeline and the
//! planned-versus-actual chart.
//!
//! Left out: the fold, the rules and the view models (runsheet-app). The actor of a change is the operator name
//! from settings, never a value the webview sends (a new run names its operator explicitly).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use runsheet_app::runs::NewRun as AppNewRun;
use runsheet_app::view::{self, ItemState, ItemStatus, RunStatus, RunSummary, RunView, TimelineChartData, TimelineEvent};
use runsheet_app::App;
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::state::{blocking, operator, Perf, Settings};
use crate::wire::{required, trimmed, CmdResult, WireError};

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

#[derive(Debug, Clone, Deserialize, Type)]
pub struct SetItemState {
    pub state: ItemState,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

fn matches(r: &RunSummary, f: &RunFilter, text: Option<&str>) -> bool {
    let fields = [Some(&r.title), r.version.as_ref(), r.environment.as_ref(), Some(&r.operator)];
    f.status.is_none_or(|s| r.status == s)
        && text.is_none_or(|t| fields.into_iter().flatten().any(|x| x.to_lowercase().contains(t)))
}

#[tauri::command]
#[specta::specta]
pub async fn list_runs(filter: Option<RunFilter>, app: State<'_, Arc<App>>) -> CmdResult<Vec<RunSummary>> {
    let f = filter.unwrap_or_default();
    let text = f.text.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    let runs = blocking(&app, |a| a.run_list()).await?;
    Ok(runs.into_iter().filter(|r| matches(r, &f, text.as_deref())).collect())
}

fn parse_time(field: &str, v: Option<&str>) -> CmdResult<Option<DateTime<Utc>>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| WireError::invalid(format!("{field} is not an RFC 3339 time ({s}): {e}"))),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn create_run(input: NewRun, app: State<'_, Arc<App>>) -> CmdResult<RunSummary> {
    let new = AppNewRun {
        checklist: required("checklist_id", &input.checklist_id)?,
        title: required("title", &input.title)?,
        version: trimmed(input.version),
        environment: trimmed(input.environment),
        window_start: parse_time("window_start", input.window_start.as_deref())?,
        window_end: parse_time("window_end", input.window_end.as_deref())?,
    };
    let operator = required("operator", &input.operator)?;
    blocking(&app, move |a| Ok(view::run_summary(&a.run(&a.create_run(new, &operator)?)?, a.now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_run(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<RunView> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| a.run_view(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_item_state(
    run_id: String,
    item_id: String,
    change: SetItemState,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
    perf: State<'_, Perf>,
) -> CmdResult<ItemStatus> {
    let started = Instant::now();
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    let status = blocking(&app, move |a| {
        let c = a.set_item(&run, &item, change.state.into(), change.reason, trimmed(change.note), &actor)?;
        a.item_view(&c.run_id, &c.item)
    })
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
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<ItemStatus> {
    let (run, item, text) = (required("run_id", &run_id)?, required("item_id", &item_id)?, required("note", &text)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        let event = a.add_note(&run, &item, &text, &actor)?;
        a.item_view(&event.run_id, event.body.item().unwrap_or(&item))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn timeline(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<Vec<TimelineEvent>> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| view::timeline(&a.run(&id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn timeline_chart(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<TimelineChartData> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| Ok(view::timeline_chart(&a.run(&id)?))).await
}
