//! The rule scenarios of `tests/fixtures/scenarios/*.json` (four-eyes, waivers, phase gates, stale and failing
//! evidence, blockers in advisory mode) run against the application layer. The same files are replayed by the
//! UI through the desktop's commands over the test bridge (`ui/src/scenarios.test.ts`), so the UI's tests hold the
//! real rules to the same expectations; the format is described in that folder's README.
//!
//! Views are compared as the JSON the desktop sends (`serde_json::to_value` of the view types), so a check reads
//! the same fields here and in the UI.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use runsheet_app::probes::ProbeTarget;
use runsheet_app::runs::{resolve_item, NewRun, SettingsPatch};
use runsheet_app::{App, ErrorKind};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

fn scenarios() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/fixtures/scenarios exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
            (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), v)
        })
        .collect()
}

fn s<'a>(step: &'a Value, field: &str) -> &'a str {
    step[field].as_str().unwrap_or_else(|| panic!("step {step} needs a string `{field}`"))
}

fn opt(step: &Value, field: &str) -> Option<String> {
    step[field].as_str().map(str::to_string)
}

/// The driver: a run of the scenario's checklist and the current operator.
struct Driver<'a> {
    app: &'a App,
    run: String,
    operator: String,
}

impl Driver<'_> {
    fn item(&self, text: &str) -> String {
        resolve_item(&self.app.run(&self.run).expect("the run folds"), text).expect("the scenario's item exists")
    }

    /// One action; its error, if any, as (kind, message).
    fn act(&mut self, step: &Value) -> Result<(), (ErrorKind, String)> {
        let (app, run, actor) = (self.app, self.run.as_str(), self.operator.as_str());
        let r = match s(step, "do") {
            "operator" => {
                self.operator = s(step, "name").to_string();
                Ok(())
            }
            "set_item" => {
                let state = serde_json::from_value(step["state"].clone()).expect("a valid item state");
                app.set_item(run, s(step, "item"), state, opt(step, "reason"), None, actor).map(drop)
            }
            "run_probes" => {
                let target = ProbeTarget::Item { item: s(step, "item").to_string() };
                app.run_probes(run, &target, actor, runsheet_app::DEFAULT_CONCURRENCY).map(drop)
            }
            "settings" => {
                let patch = SettingsPatch {
                    four_eyes: step["four_eyes"].as_bool(),
                    gate_mode: step.get("gate_mode").map(|g| serde_json::from_value(g.clone()).expect("a valid gate mode")),
                };
                app.set_settings(run, patch, actor).map(drop)
            }
            "waive" => app.waive(run, s(step, "item"), s(step, "reason"), s(step, "approver")).map(drop),
            "sign_off" => app.sign_off(run, s(step, "role"), s(step, "name"), None).map(drop),
            other => panic!("unknown action `{other}` in {step}"),
        };
        r.map_err(|e| (e.kind, e.message))
    }

    /// One check against the views as the desktop serialises them; `Err` says what differs.
    fn check(&self, step: &Value) -> Result<(), String> {
        let signoff = serde_json::to_value(self.app.signoff_view(&self.run).map_err(|e| e.message)?).expect("a view serialises");
        let view = serde_json::to_value(self.app.run_view(&self.run).map_err(|e| e.message)?).expect("a view serialises");
        check(step, &signoff, &view, &|text| self.item(text))
    }
}

/// A check over the sign-off view and the run view (the same function the UI's replay implements over the same
/// JSON).
fn check(step: &Value, signoff: &Value, view: &Value, item_id: &dyn Fn(&str) -> String) -> Result<(), String> {
    let differs = |what: &str, want: &Value, got: &Value| Err(format!("{what}: expected {want}, got {got}"));
    match s(step, "check") {
        "role" => {
            let name = s(step, "role");
            let roles = signoff["roles"].as_array().cloned().unwrap_or_default();
            let role = roles.iter().find(|r| r["role"] == name).ok_or_else(|| format!("no role {name} in {signoff}"))?;
            if let Some(want) = step.get("signed_by") {
                let got = role["signed"].get("name").cloned().unwrap_or(Value::Null);
                if &got != want {
                    return differs(&format!("{name} signed by"), want, &got);
                }
            }
            if let Some(want) = step.get("blockers") {
                let mut kinds: Vec<String> =
                    role["blockers"].as_array().into_iter().flatten().filter_map(|b| b["kind"].as_str().map(str::to_string)).collect();
                kinds.sort();
                let got = Value::from(kinds);
                if &got != want {
                    return differs(&format!("{name} blockers"), want, &got);
                }
            }
            Ok(())
        }
        "gate" => {
            let title = s(step, "phase");
            let gates = signoff["gates"].as_array().cloned().unwrap_or_default();
            let gate = gates.iter().find(|g| g["title"] == title).ok_or_else(|| format!("no gate {title} in {signoff}"))?;
            if gate["open"] != step["open"] {
                return differs(&format!("gate {title} open"), &step["open"], &gate["open"]);
            }
            Ok(())
        }
        "item" => {
            let text = s(step, "item");
            let got = view["items"].get(item_id(text)).map_or(Value::from("pending"), |i| i["state"].clone());
            if got != step["state"] {
                return differs(&format!("state of {text}"), &step["state"], &got);
            }
            Ok(())
        }
        "status" => {
            let got = &view["summary"]["status"];
            if got != &step["status"] {
                return differs("run status", &step["status"], got);
            }
            Ok(())
        }
        other => panic!("unknown check `{other}` in {step}"),
    }
}

/// Runs one scenario; every step that does not go as written is reported.
fn run(file: &str, sc: &Value) -> Vec<String> {
    let h = crate::support::home(&format!("scenario-{}", file.trim_end_matches(".json")));
    let md = std::fs::read(dir().join(s(sc, "checklist"))).expect("the scenario's checklist exists");
    let c = h.app.import_bytes(s(sc, "checklist"), &md).expect("the scenario's checklist imports");
    let operator = s(sc, "operator").to_string();
    let new = NewRun { checklist: c.id, title: s(sc, "name").chars().take(60).collect(), ..Default::default() };
    let run = h.app.create_run(new, &operator).expect("a run is created");
    let mut d = Driver { app: &h.app, run, operator };
    let mut failures = Vec::new();
    for (i, step) in sc["steps"].as_array().expect("steps").iter().enumerate() {
        let at = format!("{file} step {} {step}", i + 1);
        if step.get("check").is_some() {
            // A deadline for checks that hold only once time has passed (evidence going stale): polled until it.
            let deadline = Instant::now() + Duration::from_secs_f64(step["within_s"].as_f64().unwrap_or(0.0));
            let mut outcome = d.check(step);
            while outcome.is_err() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
                outcome = d.check(step);
            }
            if let Err(e) = outcome {
                failures.push(format!("{at}: {e}"));
            }
            continue;
        }
        match (d.act(step), step.get("error")) {
            (Ok(()), None) => {}
            (Ok(()), Some(want)) => failures.push(format!("{at}: succeeded, expected {want}")),
            (Err((kind, message)), None) => failures.push(format!("{at}: failed with {kind:?}: {message}")),
            (Err((kind, message)), Some(want)) => {
                if format!("{kind:?}") != s(want, "kind") {
                    failures.push(format!("{at}: failed with {kind:?} ({message}), expected {}", want["kind"]));
                }
                if let Some(word) = want["says"].as_str() {
                    if !message.contains(word) {
                        failures.push(format!("{at}: the message does not say `{word}`: {message}"));
                    }
                }
            }
        }
    }
    failures
}

#[test]
fn every_rule_scenario_holds_in_the_application_layer() {
    let all = scenarios();
    assert!(all.len() >= 5, "the scenarios are found: {}", dir().display());
    let failures: Vec<String> = all.iter().flat_map(|(f, sc)| run(f, sc)).collect();
    assert!(failures.is_empty(), "steps that did not go as the scenario says:\n{}", failures.join("\n"));
}
