//! Probes of a run: plan which probes a request covers (an item, a section, a phase, or the whole run — always the
//! run's effective probes, `RunState::probes`), refuse the jobs whose secrets may not go where they send them
//! (each secret's binding plus the run's grants), resolve the secrets of the others from the keyring once per
//! batch, run them on the shared runner, and record each result as an `evidence` event. Arming shell probes, attaching a
//! probe during the run and the preflight of a checklist file (nothing recorded) live here too.
//!
//! Left out: execution, timeouts and masking (runsheet-probes, runsheet-secrets) and the probe format
//! (runsheet-core `probe`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use runsheet_core::event::{Event, EventBody};
use runsheet_core::probe::{secret_refs, secret_refusal, Evidence, ProbeCheck, SecretBinding, SecretRefusal};
use runsheet_core::run::RunState;
use runsheet_core::Checklist;
use runsheet_probes::{ProbeJob, ProbeResult, ResolvedSecrets};
use serde::{Deserialize, Serialize};

use crate::runs::resolve_item;
use crate::{Actor, App, Error, Result};

/// Which probes to run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum ProbeTarget {
    /// One item's probes.
    Item { item: String },
    /// Every probe of the items of a section.
    Section { section: String },
    /// Every probe of the items of a phase.
    Phase { phase: String },
    /// Several items' probes (empty: every probe of the run).
    Items { items: Vec<String> },
}

/// The probes a request covers, ready to run.
#[derive(Debug, Clone)]
pub struct ProbePlan {
    pub run_id: String,
    pub jobs: Vec<ProbeJob>,
}

/// One probe's outcome as recorded.
#[derive(Debug, Clone)]
pub struct RecordedProbe {
    pub result: ProbeResult,
    /// The `evidence` event, or why it could not be stored.
    pub event: Result<Event>,
}

/// A probe attached during the run.
#[derive(Debug, Clone)]
pub struct AddedProbe {
    pub item: String,
    /// Its index among the item's probes (what its evidence names).
    pub index: usize,
    pub event: Event,
}

/// The jobs of every probe of `checklist`'s items for which `wanted` holds; shell probes carry `armed(item)`.
fn jobs_where(checklist: &Checklist, wanted: &dyn Fn(&str, &str, &str) -> bool, armed: &dyn Fn(&str) -> bool) -> Vec<ProbeJob> {
    let mut jobs = Vec::new();
    for (phase, section, item) in checklist.items() {
        if !wanted(&phase.id, &section.id, &item.id) {
            continue;
        }
        for (i, decl) in item.probes.iter().enumerate() {
            jobs.push(ProbeJob {
                item: item.id.clone(),
                index: u32::try_from(i).unwrap_or(u32::MAX),
                spec: decl.spec.clone(),
                armed: armed(&item.id),
                refusal: None,
            });
        }
    }
    jobs
}

/// The jobs a target covers in a run, or `NotFound` when the target names nothing in it.
pub fn plan(state: &RunState, target: &ProbeTarget) -> Result<Vec<ProbeJob>> {
    let effective = state.effective_checklist();
    let armed = |item: &str| state.armed.contains(item);
    let jobs = match target {
        ProbeTarget::Item { item } => {
            let id = resolve_item(state, item)?;
            jobs_where(&effective, &|_, _, i| i == id, &armed)
        }
        ProbeTarget::Items { items } => {
            let ids = items.iter().map(|i| resolve_item(state, i)).collect::<Result<Vec<_>>>()?;
            jobs_where(&effective, &|_, _, i| ids.is_empty() || ids.iter().any(|x| x == i), &armed)
        }
        ProbeTarget::Section { section } => {
            if !effective.phases.iter().any(|p| p.sections.iter().any(|s| &s.id == section)) {
                return Err(Error::not_found(format!("no section `{section}` in run {}", state.run_id)));
            }
            jobs_where(&effective, &|_, s, _| s == section, &armed)
        }
        ProbeTarget::Phase { phase } => {
            if !effective.phases.iter().any(|p| &p.id == phase) {
                return Err(Error::not_found(format!("no phase `{phase}` in run {}", state.run_id)));
            }
            jobs_where(&effective, &|p, _, _| p == phase, &armed)
        }
    };
    Ok(jobs)
}

impl App {
    /// The probes `target` covers in the run, each refused whose secrets may not go where it sends them
    /// ([`App::refuse_unbound`] with the run's grants). Blocking (reads bindings from the keyring).
    pub fn plan_probes(&self, run: &str, target: &ProbeTarget) -> Result<ProbePlan> {
        let state = self.run(run)?;
        let mut jobs = plan(&state, target)?;
        self.refuse_unbound(&state.grants, &mut jobs);
        Ok(ProbePlan { jobs, run_id: state.run_id })
    }

    /// Mark every job that would send a secret somewhere its binding and `grants` do not allow: the runner then
    /// records the refusal as its evidence without connecting, and [`App::resolve_secrets`] does not read its
    /// secrets. Blocking (reads the bindings of the referenced secrets from the keyring). A keyring that cannot be
    /// opened refuses nothing here: the secrets cannot be read either, and resolution records that per probe.
    pub fn refuse_unbound(&self, grants: &BTreeMap<String, BTreeSet<String>>, jobs: &mut [ProbeJob]) {
        let names: BTreeSet<String> = jobs.iter().flat_map(|j| secret_refs(&j.spec)).collect();
        if names.is_empty() {
            return;
        }
        let Ok(store) = runsheet_secrets::SecretStore::with_service(&self.services().secrets) else { return };
        let mut bindings: BTreeMap<String, SecretBinding> = BTreeMap::new();
        let mut unreadable: BTreeMap<String, String> = BTreeMap::new();
        for name in names {
            match store.binding(&name) {
                Ok(b) => {
                    bindings.insert(name, b);
                }
                Err(e) => {
                    unreadable.insert(name, e.to_string());
                }
            }
        }
        for job in jobs.iter_mut().filter(|j| j.refusal.is_none()) {
            let unread = secret_refs(&job.spec).into_iter().find_map(|n| unreadable.get(&n).map(|e| (n, e)));
            job.refusal = match unread {
                Some((secret, e)) => Some(SecretRefusal {
                    secret: secret.clone(),
                    host: String::new(),
                    grantable: false,
                    message: format!("secret `{secret}` refused: its binding cannot be read ({e})"),
                }),
                None => secret_refusal(&job.spec, &bindings, grants),
            };
        }
    }

    /// Read the secrets the jobs reference from the keyring (blocking: call it off async threads), leaving out those
    /// only refused jobs reference. A keyring that cannot be opened becomes a per-probe error, so probes that need
    /// no secret still run.
    pub fn resolve_secrets(&self, jobs: &[ProbeJob]) -> ResolvedSecrets {
        let allowed = || jobs.iter().filter(|j| j.refusal.is_none());
        if allowed().all(|j| secret_refs(&j.spec).is_empty()) {
            return ResolvedSecrets::none();
        }
        let store = runsheet_secrets::SecretStore::with_service(&self.services().secrets);
        ResolvedSecrets::resolve(store.as_ref(), allowed().map(|j| &j.spec))
    }

    /// Record one probe's evidence on the run; when it fires a rollback trigger (a failing probe with
    /// `rollback_trigger = true`, the core decides: `RunState::fired_by_evidence`), record the `trigger_fired`
    /// event right after it, naming it.
    pub fn record_evidence(&self, run_id: &str, item: &str, evidence: &Evidence, actor: Actor<'_>) -> Result<Event> {
        let event = self
            .append(run_id, actor, EventBody::Evidence { item: item.to_string(), evidence: evidence.to_value() })
            .map_err(|e| e.context(format!("recording evidence for {item}")))?;
        if let Some(fired) = self.run(&event.run_id)?.fired_by_evidence(item, &event.id) {
            self.append(&event.run_id, actor, fired)
                .map_err(|e| e.context(format!("recording the rollback trigger fired by {item}")))?;
        }
        Ok(event)
    }

    /// Run one planned job on the shared runner and record its evidence (off the async threads). For front ends
    /// that report progress per probe; `secrets` come from [`App::resolve_secrets`] once per batch.
    pub async fn run_job(self: &Arc<Self>, run_id: &str, job: &ProbeJob, secrets: &ResolvedSecrets, actor: &str) -> RecordedProbe {
        let evidence = self.runner().run_one(job, secrets).await;
        let (app, run, item, ev, who) =
            (Arc::clone(self), run_id.to_string(), job.item.clone(), evidence.clone(), actor.to_string());
        let event = match tokio::task::spawn_blocking(move || app.record_evidence(&run, &item, &ev, &who)).await {
            Ok(r) => r,
            Err(e) => Err(e.into()),
        };
        RecordedProbe { result: ProbeResult { item: job.item.clone(), evidence }, event }
    }

    /// Run the probes `target` covers and record every result; blocking (the CLI). Results come back in plan order.
    pub fn run_probes(&self, run: &str, target: &ProbeTarget, actor: Actor<'_>, concurrency: usize) -> Result<Vec<RecordedProbe>> {
        let plan = self.plan_probes(run, target)?;
        if plan.jobs.is_empty() {
            return Ok(Vec::new());
        }
        let secrets = self.resolve_secrets(&plan.jobs);
        let results = runsheet_probes::run_blocking(plan.jobs, secrets, concurrency)?;
        Ok(results
            .into_iter()
            .map(|r| {
                let event = self.record_evidence(&plan.run_id, &r.item, &r.evidence, actor);
                RecordedProbe { result: r, event }
            })
            .collect())
    }

    /// Run a checklist file's probes without a run (preflight); nothing is recorded. Shell probes run only with
    /// `allow_shell` (the operator's consent for this check).
    pub fn check_file_probes(&self, path: &Path, allow_shell: bool, concurrency: usize) -> Result<Vec<ProbeResult>> {
        let (_, _, checklist) = crate::library::read_file(path)?;
        let mut jobs = jobs_where(&checklist, &|_, _, _| true, &|_| allow_shell);
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        // No run, so no grants: only the secrets' own bindings.
        self.refuse_unbound(&BTreeMap::new(), &mut jobs);
        let secrets = self.resolve_secrets(&jobs);
        Ok(runsheet_probes::run_blocking(jobs, secrets, concurrency)?)
    }

    /// Arm the shell probes of an item for this run (they refuse to run until armed). `Ok(None)` when they were
    /// armed already; `Invalid` when the item has no shell probe to arm.
    pub fn arm(&self, run: &str, item: &str, actor: Actor<'_>) -> Result<Option<Event>> {
        let state = self.run(run)?;
        let item = resolve_item(&state, item)?;
        if !state.probes(&item).iter().any(|p| matches!(p.spec.check, ProbeCheck::Shell { .. })) {
            return Err(Error::invalid(format!("item `{item}` has no shell probe to arm")));
        }
        if state.armed.contains(&item) {
            return Ok(None);
        }
        self.append(&state.run_id, actor, EventBody::ProbeArmed { item }).map(Some)
    }

    /// Attach a probe (a probe block's TOML, with or without its ```probe fence) to an item of the run.
    pub fn add_probe(&self, run: &str, item: &str, toml: &str, actor: Actor<'_>) -> Result<AddedProbe> {
        let source = strip_probe_fence(toml);
        runsheet_core::probe::parse(&source).map_err(|e| Error::invalid(format!("invalid probe: {e}")))?;
        let state = self.run(run)?;
        let item = resolve_item(&state, item)?;
        let index = state.probes(&item).len();
        let event = self.append(&state.run_id, actor, EventBody::ProbeAdded { item: item.clone(), source })?;
        Ok(AddedProbe { item, index, event })
    }
}

/// The probe kinds as a probe editor shows them: each kind's fields, then the settings every kind takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeKinds {
    pub kinds: Vec<ProbeKindView>,
    pub common: Vec<ProbeFieldView>,
}

/// One probe kind (runsheet-core `probe::KindSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeKindView {
    pub kind: String,
    pub summary: String,
    pub fields: Vec<ProbeFieldView>,
}

/// One field of a probe kind (runsheet-core `probe::FieldSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeFieldView {
    pub name: String,
    /// The value's type as the editor names it ("host:port", "integer 100-599").
    #[serde(rename = "type")]
    pub type_label: String,
    pub required: bool,
    /// The value used when the field is left out, as TOML (`"GET"`, `200`).
    pub default: Option<String>,
    pub help: String,
}

fn field_view(f: &runsheet_core::probe::FieldSpec) -> ProbeFieldView {
    ProbeFieldView {
        name: f.name.to_string(),
        type_label: f.ty.label(),
        required: f.required,
        default: f.default.map(str::to_string),
        help: f.help.to_string(),
    }
}

/// Every probe kind's description (the one in runsheet-core each kind's parser reads), for the probe editor.
pub fn probe_kinds() -> ProbeKinds {
    ProbeKinds {
        kinds: runsheet_core::probe::kinds()
            .iter()
            .map(|k| ProbeKindView {
                kind: k.kind.to_string(),
                summary: k.summary.to_string(),
                fields: k.fields.iter().map(field_view).collect(),
            })
            .collect(),
        common: runsheet_core::probe::COMMON_FIELDS.iter().map(field_view).collect(),
    }
}

/// Validate a probe block's TOML (for editors): the parsed spec, or the error naming the field.
pub fn validate_probe(toml: &str) -> std::result::Result<runsheet_core::probe::ProbeSpec, runsheet_core::probe::ProbeSpecError> {
    runsheet_core::probe::parse(&strip_probe_fence(toml))
}

/// The TOML inside a ```` ```probe ```` fence, or the text itself when it has none.
pub fn strip_probe_fence(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    if let (Some(a), Some(b)) = (first, last) {
        let open = lines[a].trim();
        if b > a && (open == "```probe" || open == "~~~probe") && matches!(lines[b].trim(), "```" | "~~~") {
            let indent = lines[a].len() - lines[a].trim_start().len();
            return lines[a + 1..b].iter().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect::<Vec<_>>().join("\n")
                + "\n";
        }
    }
    text.to_string()
}
