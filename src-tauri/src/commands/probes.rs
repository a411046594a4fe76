//! Probe commands: run the probes of an item, section or phase (status pushed as `ProbeStatusEvent`s), evidence,
//! arming shell probes, the probe kinds an editor lists, validating and adding probe TOML.
//!
//! Left out: planning, secret resolution, execution, masking and recording (runsheet-app `probes`). `run_probes`
//! returns once the probes are queued; results arrive as events and are stored as `evidence` events of the run.

use std::sync::{Arc, Mutex};

use runsheet_app::probes::{ProbeKinds, ProbeTarget};
use runsheet_app::view::{self, ItemStatus, ProbeOutcome, RunView};
use runsheet_app::App;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Runtime, State};
use tauri_specta::Event as _;

use crate::events::{ProbeState, ProbeStatusEvent};
use crate::state::{blocking, operator, Settings};
use crate::wire::{required, CmdResult, WireError};

/// Result of validating probe TOML.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(untagged)]
pub enum ProbeValidation {
    Ok { ok: bool, spec: serde_json::Value },
    Err { ok: bool, field: Option<String>, line: Option<u32>, message: String },
}

#[tauri::command]
#[specta::specta]
pub async fn run_probes<R: Runtime>(
    run_id: String,
    target: ProbeTarget,
    handle: AppHandle<R>,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<()> {
    let run = required("run_id", &run_id)?;
    let actor = operator(&settings)?;
    let plan = blocking(&app, move |a| a.plan_probes(&run, &target)).await?;
    if plan.jobs.is_empty() {
        return Err(WireError::invalid("there are no probes to run here"));
    }
    for job in &plan.jobs {
        status(&handle, &plan.run_id, &job.item, job.index, ProbeState::Queued, None);
    }
    // Secrets are read once per batch, off the async threads (the keyring is a blocking D-Bus call).
    let jobs = plan.jobs.clone();
    let secrets = Arc::new(blocking(&app, move |a| Ok(a.resolve_secrets(&jobs))).await?);
    for job in plan.jobs {
        let (handle, app, secrets, actor, run) =
            (handle.clone(), Arc::clone(&app), Arc::clone(&secrets), actor.clone(), plan.run_id.clone());
        tauri::async_runtime::spawn(async move {
            status(&handle, &run, &job.item, job.index, ProbeState::Running, None);
            let done = app.run_job(&run, &job, &secrets, &actor).await;
            let shown = view::evidence_view(&job.item, &done.result.evidence, app.now());
            let state = match (&done.event, shown.outcome) {
                (Err(_), _) | (_, ProbeOutcome::Error) => ProbeState::Error,
                (_, ProbeOutcome::Pass) => ProbeState::Pass,
                (_, ProbeOutcome::Fail) => ProbeState::Fail,
                (_, ProbeOutcome::Timeout) => ProbeState::Timeout,
            };
            let message = done.event.err().map(|e| format!("evidence not stored: {}", e.message));
            status(&handle, &run, &job.item, job.index, state, Some((shown, message)));
        });
    }
    Ok(())
}

fn status<R: Runtime>(h: &AppHandle<R>, run: &str, item: &str, probe: u32, state: ProbeState, done: Option<(view::Evidence, Option<String>)>) {
    let (evidence, message) = done.map_or((None, None), |(e, m)| (Some(e), m));
    let event = ProbeStatusEvent {
        run_id: run.to_string(),
        item: item.to_string(),
        probe,
        state,
        duration_ms: evidence.as_ref().map(|e| e.duration_ms),
        evidence: evidence.and_then(|e| serde_json::to_value(e).ok()),
        message,
    };
    if let Err(e) = event.emit(h) {
        tracing::warn!("emitting probe status: {e}");
    }
}

#[tauri::command]
#[specta::specta]
pub async fn evidence(run_id: String, item_id: String, app: State<'_, Arc<App>>) -> CmdResult<Vec<view::Evidence>> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    blocking(&app, move |a| Ok(a.item_view(&run, &item)?.evidence)).await
}

#[tauri::command]
#[specta::specta]
pub async fn arm_shell_probe(
    run_id: String,
    item_id: String,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<ItemStatus> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        let item = runsheet_app::runs::resolve_item(&a.run(&run)?, &item)?;
        a.arm(&run, &item, &actor)?;
        a.item_view(&run, &item)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub fn validate_probe(toml: String) -> CmdResult<ProbeValidation> {
    if toml.len() > 64 * 1024 {
        return Err(WireError::invalid("probe TOML is larger than 64 KiB"));
    }
    Ok(match runsheet_app::probes::validate_probe(&toml) {
        Ok(spec) => ProbeValidation::Ok {
            ok: true,
            spec: serde_json::to_value(&spec).map_err(|e| WireError::internal(format!("encoding probe: {e}")))?,
        },
        Err(e) => ProbeValidation::Err { ok: false, field: e.field.clone(), line: None, message: e.to_string() },
    })
}

/// Every probe kind with its fields (type, required, default, help): what the probe editor lists.
#[tauri::command]
#[specta::specta]
pub fn probe_kinds() -> CmdResult<ProbeKinds> {
    Ok(runsheet_app::probes::probe_kinds())
}

#[tauri::command]
#[specta::specta]
pub async fn add_probe(
    run_id: String,
    item_id: String,
    toml: String,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<RunView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        a.add_probe(&run, &item, &toml, &actor)?;
        a.run_view(&run)
    })
    .await
}
