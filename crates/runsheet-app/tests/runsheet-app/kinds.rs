//! The probe kinds the editor shows (no run needed).
#![allow(clippy::expect_used)]

use runsheet_app::probes::probe_kinds;
use runsheet_core::probe::KINDS;

/// The fake backend's copy of `probe_kinds()` (the browser preview and UI tests serve it), relative to this crate.
const FAKE_PROBE_KINDS: &str = "../../ui/src/lib/backend/fake/probe-kinds.json";

#[test]
fn probe_kinds_follow_the_core_descriptions() {
    let kinds = probe_kinds();
    let names: Vec<&str> = kinds.kinds.iter().map(|k| k.kind.as_str()).collect();
    assert_eq!(names, KINDS, "every kind, in the order of DESIGN.md's table");
    let http = &kinds.kinds[0];
    let method = http.fields.iter().find(|f| f.name == "method").expect("http describes method");
    assert_eq!((method.required, method.default.as_deref()), (false, Some("\"GET\"")), "the editor shows the default");
    let url = http.fields.iter().find(|f| f.name == "url").expect("http describes url");
    assert!(url.required && url.default.is_none(), "url must be given");
    let common: Vec<&str> = kinds.common.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(common, ["timeout", "retries", "fresh_for"]);
}

/// The fake backend serves this file instead of a TypeScript copy of the list; it must be what Rust answers.
/// `UPDATE_PROBE_KINDS=1 cargo test -p runsheet-app probe_kinds` rewrites it.
#[test]
fn fake_backend_probe_kinds_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FAKE_PROBE_KINDS);
    let fresh = serde_json::to_string_pretty(&probe_kinds()).expect("plain strings and bools serialize") + "\n";
    if std::env::var_os("UPDATE_PROBE_KINDS").is_some() {
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    assert!(
        committed == fresh,
        "{} is stale: run UPDATE_PROBE_KINDS=1 cargo test -p runsheet-app probe_kinds",
        path.display()
    );
}
