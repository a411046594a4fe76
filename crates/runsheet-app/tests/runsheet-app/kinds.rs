//! The probe kinds the editor shows (no run needed). The UI reads them from the desktop's `probe_kinds` command
//! (in its tests through the test bridge), so no copy of the list is kept anywhere else.
#![allow(clippy::expect_used)]

use runsheet_app::probes::probe_kinds;
use runsheet_core::probe::KINDS;

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
    assert_eq!(common, ["timeout", "retries", "fresh_for", "rollback_trigger"]);
}
