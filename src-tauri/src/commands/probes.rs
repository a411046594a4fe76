//! Probe commands: run the probes of an item, section or phase (status pushed as `ProbeStatusEvent`s), evidence,
//! arming shell probes, validating and adding probe TOML, and the importer's suggestions.
//!
//! Left out: execution and masking (runsheet-probes, runsheet-secrets). `run_probes` returns once the probes are
//! queued; results arrive as events and are stored as `evidence` events of the run.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Runtime, State};

use std::sync::Mutex;

use runsheet_core::event::EventBody;
use tauri_specta::Event as _;

use super::library::SuggestedProbe;
use super::runs::operator;
use super::settings::Settings;
use super::{required, store_api, StoreHandle};
use crate::error::{CmdResult, WireError};
use crate::events::{ProbeState, ProbeStatusEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ProbeOutcome {
    Pass,
    Fail,
    Timeout,
    Error,
}

/// One probe execution's evidence; `output` is already masked.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Evidence {
    pub item: String,
    pub probe: u32,
    pub kind: String,
    pub outcome: ProbeOutcome,
    pub started_at: String,
    pub duration_ms: f64,
    pub summary: String,
    pub output: String,
    pub response_hash: Option<String>,
    pub fresh_for_s: f64,
    pub stale: bool,
}

/// What to run: one item's probes, or every probe in a section or phase.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(untagged)]
pub enum ProbeTarget {
    Item { item: String },
    Section { section: String },
    Phase { phase: String },
}

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
    app: AppHandle<R>,
    store: State<'_, StoreHandle>,
    runner: State<'_, runsheet_probes::Runner>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<()> {
    let run = required("run_id", &run_id)?;
    let actor = operator(&settings)?;
    let (run, jobs) = store.with(move |s| store_api::probe_jobs(s, &run, &target)).await?;
    if jobs.is_empty() {
        return Err(WireError::invalid("there are no probes to run here"));
    }
    for job in &jobs {
        status(&app, &run, job, ProbeState::Queued, None);
    }
    // Secrets are read once per batch, off the async threads (the keyring is a blocking D-Bus call).
    let specs: Vec<_> = jobs.iter().map(|j| j.spec.clone()).collect();
    let secrets = tokio::task::spawn_blocking(move || {
        let keyring = super::secrets::open_keyring();
        std::sync::Arc::new(runsheet_probes::ResolvedSecrets::resolve(keyring.as_ref(), specs.iter()))
    })
    .await?;
    let (runner, store) = (runner.inner().clone(), store.inner().clone());
    for job in jobs {
        let (app, runner, store, secrets, run, actor) =
            (app.clone(), runner.clone(), store.clone(), secrets.clone(), run.clone(), actor.clone());
        tauri::async_runtime::spawn(async move {
            status(&app, &run, &job, ProbeState::Running, None);
            let ev = runner.run_one(&job, &secrets).await;
            let item = job.item.clone();
            let body = EventBody::Evidence { item: item.clone(), evidence: ev.to_value() };
            let (r, a) = (run.clone(), actor.clone());
            let stored = store.with(move |s| store_api::append_event(s, &r, &a, body)).await;
            let wire = wire_evidence(&item, &ev, chrono::Utc::now());
            let state = match (&stored, wire.outcome) {
                (Err(_), _) | (_, ProbeOutcome::Error) => ProbeState::Error,
                (_, ProbeOutcome::Pass) => ProbeState::Pass,
                (_, ProbeOutcome::Fail) => ProbeState::Fail,
                (_, ProbeOutcome::Timeout) => ProbeState::Timeout,
            };
            let message = stored.err().map(|e| format!("evidence not stored: {}", e.message));
            status(&app, &run, &job, state, Some((wire, message)));
        });
    }
    Ok(())
}

fn status<R: Runtime>(
    app: &AppHandle<R>,
    run: &str,
    job: &runsheet_probes::ProbeJob,
    state: ProbeState,
    done: Option<(Evidence, Option<String>)>,
) {
    let (evidence, message) = done.map(|(e, m)| (Some(e), m)).unwrap_or((None, None));
    let event = ProbeStatusEvent {
        run_id: run.to_string(),
        item: job.item.clone(),
        probe: job.index,
        state,
        duration_ms: evidence.as_ref().map(|e| e.duration_ms),
        evidence: evidence.and_then(|e| serde_json::to_value(e).ok()),
        message,
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("emitting probe status: {e}");
    }
}

#[tauri::command]
#[specta::specta]
pub async fn evidence(run_id: String, item_id: String, store: State<'_, StoreHandle>) -> CmdResult<Vec<Evidence>> {
    let run = required("run_id", &run_id)?;
    let item = required("item_id", &item_id)?;
    let view = store.with(move |s| super::store_api::run_view(s, &run)).await?;
    let status = view.items.get(&item).ok_or_else(|| WireError::not_found(format!("no item {item} in this run")))?;
    Ok(status.evidence.clone())
}

#[tauri::command]
#[specta::specta]
pub async fn arm_shell_probe(
    run_id: String,
    item_id: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<super::runs::ItemStatus> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    let actor = operator(&settings)?;
    store.with(move |s| store_api::arm(s, &run, &item, &actor)).await
}

#[tauri::command]
#[specta::specta]
pub fn validate_probe(toml: String) -> CmdResult<ProbeValidation> {
    if toml.len() > 64 * 1024 {
        return Err(WireError::invalid("probe TOML is larger than 64 KiB"));
    }
    Ok(match runsheet_core::probe::parse(&toml) {
        Ok(spec) => ProbeValidation::Ok {
            ok: true,
            spec: serde_json::to_value(&spec).map_err(|e| WireError::internal(format!("encoding probe: {e}")))?,
        },
        Err(e) => ProbeValidation::Err { ok: false, field: e.field.clone(), line: None, message: e.to_string() },
    })
}

#[tauri::command]
#[specta::specta]
pub async fn add_probe(
    run_id: String,
    item_id: String,
    toml: String,
    store: State<'_, StoreHandle>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<super::runs::RunView> {
    let (run, item) = (required("run_id", &run_id)?, required("item_id", &item_id)?);
    if let Err(e) = runsheet_core::probe::parse(&toml) {
        return Err(WireError::invalid(e.to_string()));
    }
    let actor = operator(&settings)?;
    store.with(move |s| store_api::add_probe(s, &run, &item, &toml, &actor)).await
}

/// Core evidence as the UI shows it.
pub fn wire_evidence(item: &str, ev: &runsheet_core::probe::Evidence, now: chrono::DateTime<chrono::Utc>) -> Evidence {
    use runsheet_core::probe::Outcome;
    Evidence {
        item: item.to_string(),
        probe: ev.probe,
        kind: ev.kind.clone(),
        outcome: match ev.outcome {
            Outcome::Pass => ProbeOutcome::Pass,
            Outcome::Fail => ProbeOutcome::Fail,
            Outcome::Timeout => ProbeOutcome::Timeout,
            Outcome::Error => ProbeOutcome::Error,
        },
        started_at: ev.started_at.to_rfc3339(),
        duration_ms: ev.duration_ms as f64,
        summary: format!("{} {}: {}", ev.kind, ev.target, ev.detail),
        output: ev.excerpt.clone(),
        response_hash: ev.sha256.clone(),
        fresh_for_s: ev.fresh_for_secs as f64,
        stale: ev.is_stale(now),
    }
}

/// The importer's probe suggestions for a checklist's items (runsheet-core `suggest`), leaving out a kind the item
/// already has a probe of (so an accepted suggestion disappears).
pub fn suggestions(checklist: &runsheet_core::Checklist) -> Vec<SuggestedProbe> {
    let mut out = Vec::new();
    for (_, _, item) in checklist.items() {
        for s in runsheet_core::suggest::suggest(item) {
            let kind = s.spec.check.kind();
            if item.probes.iter().any(|p| p.spec.check.kind() == kind) {
                continue;
            }
            out.push(SuggestedProbe { item: item.id.clone(), kind: kind.to_string(), source: s.toml, reason: s.reason });
        }
    }
    out
}
