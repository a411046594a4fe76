//! `runsheet trigger` and `runsheet decide` through the binary, with a probe marked `rollback_trigger = true`
//! against an HTTP server on loopback that fails: the failing evidence fires the trigger, `run show` (text and
//! JSON) puts it first among the blockers until someone decides, a rollback switches the run to its rollback phase,
//! and the JSON run log with both new event kinds still matches its schema.

use serde_json::Value;

use crate::http_server::http_server;
use crate::run_log::Schema;
use crate::Home;

/// A checklist whose health probe is a rollback trigger pointing at `port`, and a rollback phase.
fn checklist(port: u16) -> String {
    format!(
        "# Deploy checkout

## Deployment

- [ ] Ship the new image
- [ ] Error rate stays low
  ```probe
  kind = \"http\"
  url = \"http://127.0.0.1:{port}/health\"
  rollback_trigger = true
  ```

## Rollback procedures

- [ ] Rollback if error rate > 5% for 5 minutes
- [ ] Restore the previous image

- [ ] Release Manager: ____
"
    )
}

fn show(h: &Home, run: &str) -> Value {
    serde_json::from_str(&h.ok(&["run", "show", run, "--json"])).expect("run show --json is JSON")
}

/// The id of the item whose text starts with `prefix`.
fn item(doc: &Value, prefix: &str) -> String {
    let mut found = Vec::new();
    for p in doc["phases"].as_array().into_iter().flatten() {
        for s in p["sections"].as_array().into_iter().flatten() {
            for it in s["items"].as_array().into_iter().flatten() {
                if it["text"].as_str().is_some_and(|t| t.starts_with(prefix)) {
                    found.push(it["id"].as_str().expect("id").to_string());
                }
            }
        }
    }
    assert_eq!(found.len(), 1, "one item starts with {prefix:?}");
    found.remove(0)
}

#[test]
fn a_failing_trigger_probe_fires_and_the_run_waits_for_a_decision() {
    // Every request gets a 503: the deployment broke something.
    let (port, seen) = http_server("127.0.0.1", |_| {
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\ndown".to_vec()
    });
    let h = Home::new();
    let file = h.file("deploy.md", &checklist(port));
    let run = h.ok(&["run", "new", file.to_str().expect("path"), "--title", "checkout v7"]).trim().to_string();
    let doc = show(&h, &run);
    let (health, cond) = (item(&doc, "Error rate"), item(&doc, "Rollback if"));
    let triggers: Vec<&str> = doc["triggers"].as_array().expect("triggers").iter().filter_map(|t| t["item"].as_str()).collect();
    assert_eq!(triggers, [health.as_str(), cond.as_str()], "the trigger probe's item and the rollback condition");
    assert!(doc["firings"].as_array().expect("firings").is_empty(), "nothing fired before the probe ran");

    // The probe fails (exit 1, as for any failing probe) and its evidence fires the trigger.
    let err = h.fails(&["probe", "run", &run, &health], 1);
    assert!(err.contains("did not pass"), "{err}");
    assert_eq!(seen.lock().expect("lock").len(), 1, "the probe reached the loopback server once");
    let doc = show(&h, &run);
    let firing = &doc["firings"][0];
    assert_eq!(firing["trigger"], health.as_str(), "{doc}");
    assert_eq!(firing["probe"], 0, "{firing}");
    assert!(firing["decision"].is_null(), "{firing}");
    let evidence_id = firing["evidence"].as_str().expect("the firing names its evidence");
    let events: Value = serde_json::from_str(&h.ok(&["run", "export", &run, "--format", "json"])).expect("json");
    let ev = events["events"].as_array().expect("events").iter().find(|e| e["id"] == evidence_id).expect("that event");
    assert_eq!(ev["body"]["type"], "evidence", "{ev}");
    assert_eq!(ev["body"]["evidence"]["outcome"], "fail", "{ev}");
    assert!(firing["summary"].as_str().is_some_and(|s| s.contains("503")), "the summary says what was seen: {firing}");
    assert_eq!(doc["blockers"][0]["kind"], "trigger_open", "the open trigger is the first blocker: {}", doc["blockers"]);
    let text = h.ok(&["run", "show", &run]);
    let first = text.lines().skip_while(|l| *l != "blockers:").nth(1).expect("a blocker line");
    assert!(first.contains("rollback trigger") && first.contains(&health), "first blocker in text: {text}");
    // Running the failing probe again does not fire a second time while the first waits.
    h.fails(&["probe", "run", &run, &health], 1);
    assert_eq!(show(&h, &run)["firings"].as_array().expect("firings").len(), 1);

    // Continuing needs a reason; a decision must be one of two words; sign-off waits for the decision.
    let err = h.fails(&["decide", &run, &health, "continue"], 1);
    assert!(err.contains("continuing needs a reason"), "{err}");
    let err = h.fails(&["decide", &run, &health, "maybe"], 1);
    assert!(err.contains("unknown decision `maybe`"), "{err}");
    let err = h.fails(&["signoff", &run, "Release Manager", "--as", "dana"], 1);
    assert!(err.lines().nth(1).is_some_and(|l| l.contains("rollback trigger")), "the trigger blocks first: {err}");

    // Roll back: the run switches to the rollback phase, the decision shows with who made it.
    let out = h.ok(&["decide", &run, &health, "rollback", "--reason", "503 on every request", "--as", "carol"]);
    assert!(out.contains("decided rollback") && out.contains("active phase: Rollback procedures"), "{out}");
    let doc = show(&h, &run);
    let rollback_phase = doc["phases"][1]["id"].as_str().expect("phase id");
    assert_eq!(doc["active_phase"], rollback_phase, "{doc}");
    assert_eq!(doc["firings"][0]["decision"]["decision"], "rollback");
    assert_eq!(doc["firings"][0]["decision"]["by"], "carol");
    assert_eq!(doc["firings"][0]["decision"]["reason"], "503 on every request");
    assert_ne!(doc["blockers"][0]["kind"], "trigger_open", "decided: no longer a blocker");
    let text = h.ok(&["run", "show", &run]);
    assert!(text.contains("active phase: Rollback procedures"), "{text}");
    assert!(text.contains("decision: rollback by carol"), "{text}");
    let err = h.fails(&["decide", &run, &health, "continue", "--reason", "late"], 1);
    assert!(err.contains("already decided"), "a firing is decided once: {err}");

    // The operator declares the written condition too, and continues with a reason.
    let out = h.ok(&["trigger", &run, "Rollback if error rate > 5% for 5 minutes", "--reason", "5xx at 6%"]);
    assert!(out.contains(&format!("rollback trigger {cond} fired")), "{out}");
    h.ok(&["decide", &run, &cond, "continue", "--reason", "canary only, traffic drained", "--as", "carol"]);
    let err = h.fails(&["trigger", &run, &item(&doc, "Restore"), "--reason", "x"], 1);
    assert!(err.contains("is not a rollback trigger"), "{err}");
    let err = h.fails(&["trigger", &run, "no such item"], 1);
    assert!(err.contains("no item `no such item`"), "{err}");

    // The JSON run log carries both new event kinds and the run view's new fields, and matches the schema.
    let exported = h.ok(&["run", "export", &run, "--format", "json"]);
    let log: Value = serde_json::from_str(&exported).expect("json");
    Schema::load().check(&log).unwrap_or_else(|e| panic!("the run log breaks the schema:\n{e}"));
    let kinds: Vec<&str> = log["events"].as_array().into_iter().flatten().filter_map(|e| e["body"]["type"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "trigger_fired").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "rollback_decided").count(), 2, "{kinds:?}");
    assert!(h.ok(&["verify", &run]).starts_with("ok"), "the chain holds");
}
