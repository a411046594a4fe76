//! End-to-end: events → signed PDF → our verifier and validators nobody here wrote (poppler's pdfsig and
//! pdftotext, pyHanko). A missing external tool fails the test when CI=true and skips it (loudly) elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use runsheet_report::{export_signed_pdf, verify_pdf, ExportOptions, Identity, Paper};

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn identity() -> Identity {
    Identity::generate("Dana Ops", common::t0()).unwrap()
}

fn signed(paper: Paper, finished: bool) -> (Vec<u8>, Identity) {
    let id = identity();
    let events = common::run(6, finished);
    let pdf = export_signed_pdf(&common::state(&events), &id, common::t0() + chrono::TimeDelta::hours(3), ExportOptions { paper }).unwrap();
    (pdf, id)
}

/// Find an external tool: PATH, then the repo's test venv (scripts/test.sh creates `.venv-test`).
fn tool(name: &str) -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cands: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    cands.push(repo.join(".venv-test/bin").join(name));
    if let Some(v) = std::env::var_os("RUNSHEET_TEST_VENV") {
        cands.push(PathBuf::from(v).join("bin").join(name));
    }
    let found = cands.into_iter().find(|p| p.is_file());
    if found.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{name} is required in CI (see scripts/setup.sh / test.sh)");
        // Past libtest's capture (it hides `eprintln!` of a passing test), so the skip shows in every run and in
        // scripts/test.sh's summary.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipped: {name} not installed (CI=true requires it)\n").as_bytes());
    }
    found
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn our_verifier_accepts_the_signed_pdf_and_rejects_tampering() {
    let (pdf, id) = signed(Paper::A4, true);
    let rep = verify_pdf(&pdf).unwrap();
    assert!(rep.ok, "fresh export must verify: {:?}", rep.problems);
    assert_eq!(rep.signatures.len(), 1);
    assert_eq!(rep.signatures[0].signer, "Dana Ops");
    assert_eq!(rep.signatures[0].fingerprint, id.fingerprint());
    assert_eq!(rep.signatures[0].sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    let log = rep.run_log.as_ref().unwrap();
    assert_eq!(log.events, common::run(6, true).len(), "the attached log holds every event");
    assert!(log.dag_ok);

    // One flipped byte inside the first signed range (in the middle of the page content).
    let mut bad = pdf.clone();
    let at = rep.signatures[0].byte_range[1] / 2;
    bad[at] ^= 0x01;
    let r = verify_pdf(&bad);
    assert!(r.map(|r| !r.ok).unwrap_or(true), "a flipped byte must fail verification");

    // An incremental update appended after signing.
    let mut appended = pdf.clone();
    appended.extend_from_slice(b"\n1 0 obj\n<</Type/Catalog>>\nendobj\n");
    let r = verify_pdf(&appended).unwrap();
    assert!(!r.ok && !r.covers_whole_file, "bytes after the signed range must fail: {:?}", r.problems);
}

#[test]
fn pdfsig_reports_valid_and_total_document_signed() {
    let Some(pdfsig) = tool("pdfsig") else { return };
    let (pdf, _) = signed(Paper::Letter, true);
    let path = out_dir().join("pdfsig-ok.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (_, text) = run(Command::new(&pdfsig).arg(&path));
    assert!(text.contains("Signature Validation: Signature is Valid."), "pdfsig output:\n{text}");
    assert!(text.contains("Total document signed"), "pdfsig output:\n{text}");
    assert!(text.contains("ETSI.CAdES.detached"), "pdfsig output:\n{text}");

    let mut bad = pdf.clone();
    let br: usize = text
        .lines()
        .find(|l| l.contains("Signed Ranges"))
        .and_then(|l| l.split(['[', ']']).nth(1).and_then(|r| r.split(" - ").nth(1).map(|n| n.trim().parse().unwrap())))
        .unwrap_or(1000);
    bad[br / 2] ^= 0x01;
    let path = out_dir().join("pdfsig-bad.pdf");
    std::fs::write(&path, &bad).unwrap();
    let (_, text) = run(Command::new(&pdfsig).arg(&path));
    assert!(!text.contains("Signature is Valid."), "a flipped byte must invalidate the signature:\n{text}");
}

#[test]
fn pyhanko_validates_intact_whole_file_with_the_certificate_as_trust_root() {
    let Some(python) = tool("python3") else { return };
    let (pdf, id) = signed(Paper::A4, true);
    let dir = out_dir();
    let path = dir.join("pyhanko-ok.pdf");
    let cert = dir.join("signer.pem");
    std::fs::write(&path, &pdf).unwrap();
    std::fs::write(&cert, id.cert_pem().unwrap()).unwrap();
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder
vc = ValidationContext(trust_roots=[load_cert_from_pemder(sys.argv[2])])
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    sigs = r.embedded_signatures
    assert len(sigs) == 1, len(sigs)
    st = validate_pdf_signature(sigs[0], vc)
    print("intact", st.intact, "valid", st.valid, "trusted", st.trusted, "coverage", st.coverage, "bottom_line", st.bottom_line)
    print("docmdp", st.docmdp_ok, "modification", st.modification_level)
"#;
    // Prefer the venv's python (it has pyHanko); fall back to the one on PATH.
    let py = tool_in_venv("python3").unwrap_or(python);
    let (_, text) = run(Command::new(&py).arg("-c").arg(script).arg(&path).arg(&cert));
    if text.contains("ModuleNotFoundError") {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "pyHanko is required in CI:\n{text}");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"skipped: pyHanko not installed (CI=true requires it)\n");
        return;
    }
    assert!(text.contains("intact True valid True trusted True"), "pyHanko:\n{text}");
    assert!(text.contains("ENTIRE_FILE"), "pyHanko must see the whole file covered:\n{text}");
    assert!(text.contains("bottom_line True"), "pyHanko:\n{text}");

    let mut bad = pdf.clone();
    bad[2000] ^= 0x01;
    let path = dir.join("pyhanko-bad.pdf");
    std::fs::write(&path, &bad).unwrap();
    let (_, text) = run(Command::new(&py).arg("-c").arg(script).arg(&path).arg(&cert));
    assert!(!text.contains("bottom_line True"), "pyHanko must reject a flipped byte:\n{text}");
}

fn tool_in_venv(name: &str) -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut c = vec![repo.join(".venv-test/bin").join(name)];
    if let Some(v) = std::env::var_os("RUNSHEET_TEST_VENV") {
        c.insert(0, PathBuf::from(v).join("bin").join(name));
    }
    c.into_iter().find(|p| p.is_file())
}

#[test]
fn pdftotext_finds_every_item_name_and_emoji_heading() {
    let Some(pdftotext) = tool("pdftotext") else { return };
    for (paper, name) in [(Paper::A4, "a4"), (Paper::Letter, "letter")] {
        let (pdf, _) = signed(paper, false);
        let path = out_dir().join(format!("sample-{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let (ok, text) = run(Command::new(&pdftotext).args(["-layout"]).arg(&path).arg("-"));
        assert!(ok, "{text}");
        let (_, raw) = run(Command::new(&pdftotext).arg(&path).arg("-"));
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = squash(&raw);
        for needle in ["🚀 Pre-Deployment", "📦 Deployment", "✅ Verification & Smoke Tests", "⏪ Rollback Procedures", "Checks 🔍",
            "Dana Ops", "Sam Lead", "Technical Lead", "Release Manager", "Product Owner", "IN PROGRESS", "Page 1 of", "ROLLBACK",
            "transient 503 during drain", "not applicable to this region", "GET http://localhost:8001/health"] {
            assert!(flat.contains(needle), "pdftotext ({name}) lacks {needle:?}");
        }
        for (p, _, it) in common::checklist(6).items() {
            let _ = p;
            let want = squash(&it.text.replace('\u{FE0F}', ""));
            // Long texts wrap; check each word sequence of the item appears (wrapping only inserts whitespace).
            assert!(flat.contains(&want), "pdftotext ({name}) lacks item text {want:?}");
        }
    }
}

#[test]
fn markdown_deployment_log_has_timeline_issues_and_signoff() {
    let events = common::run(6, true);
    let input = runsheet_report::ReportInput::from_state(&common::state(&events), common::t0()).unwrap();
    let md = runsheet_report::markdown::deployment_log(&input);
    for needle in ["## Timeline", "## Issues", "## Sign-off", "waived by Sam Lead", "skipped — not applicable", "| Technical Lead | Sam Lead |"] {
        assert!(md.contains(needle), "markdown lacks {needle:?}:\n{md}");
    }
}

fn state_of(events: &[runsheet_core::event::Event]) -> runsheet_core::run::RunState {
    runsheet_core::run::RunState::fold(events.to_vec()).unwrap()
}

#[test]
fn a_tampered_run_log_fails_the_chain_check() {
    let events = common::run(3, true);
    let log = runsheet_report::run_log_json(&state_of(&events), common::t0()).unwrap();
    assert!(runsheet_report::verify::check_run_log(&log).dag_ok);
    // Past the `run` view: the edit must land in an event.
    let text = String::from_utf8(log).unwrap();
    let at = text.find("\n  \"events\": ").unwrap();
    let edited = format!("{}{}", &text[..at], text[at..].replacen("Sam Lead", "Mallory", 1));
    assert_ne!(edited, text);
    let r = runsheet_report::verify::check_run_log(edited.as_bytes());
    assert!(!r.dag_ok && !r.problems.is_empty(), "an edited event must fail");
}

/// The report reads the one fold (the property test over random event sets, comparing the report with the CLI's
/// JSON and the desktop's view, is runsheet-app's `tests/runsheet-app/fold.rs`).
mod one_fold {
    use super::common;
    use chrono::TimeDelta;
    use runsheet_core::event::{EventBody, ItemState};
    use runsheet_core::run::RunStatus;
    use runsheet_report::ReportInput;

    /// The sample run, every rollback item marked n/a: all settled, the failed item `deploy-1-0` waived.
    fn settled_with_a_waived_failure() -> common::Log {
        let mut log = common::Log { events: common::run(2, true) };
        let at = common::t0() + TimeDelta::hours(2);
        for (p, _, it) in common::checklist(2).items() {
            if p.rollback {
                log.push("Dana Ops", at, EventBody::ItemSet { item: it.id.clone(), state: ItemState::NotApplicable, reason: None, note: None });
            }
        }
        log
    }

    #[test]
    fn a_waived_failure_reads_the_same_in_the_state_the_pdf_and_the_markdown() {
        let log = settled_with_a_waived_failure();
        let state = common::state(&log.events);
        assert_eq!(state.items["deploy-1-0"].state, ItemState::Failed, "the fixture has a failed item");
        assert!(state.waivers.contains_key("deploy-1-0"), "and it is waived");
        assert_eq!(state.status(), RunStatus::Complete, "a waived failure is settled; Product Owner has not signed");
        let input = ReportInput::from_state(&state, common::t0()).unwrap();
        assert_eq!(input.status, state.status());
        // The PDF's cover banner is `outcome()`; the Markdown log's status row is the same line.
        assert_eq!(input.outcome(), "COMPLETED (awaiting sign-off)");
        let md = runsheet_report::markdown::deployment_log(&input);
        assert!(md.contains("| Status | COMPLETED (awaiting sign-off) |") && !md.contains("FAILED"), "{md}");

        let mut log = log;
        let at = common::t0() + TimeDelta::hours(3);
        log.push("Paula", at, EventBody::SignedOff { role: "product OWNER".into(), name: "Paula".into(), comment: None });
        let state = common::state(&log.events);
        assert_eq!(state.status(), RunStatus::Signed, "the role matched case-insensitively; every role signed");
        let input = ReportInput::from_state(&state, at).unwrap();
        assert_eq!(input.outcome(), "COMPLETED AND SIGNED OFF");
        assert!(!input.in_progress());
    }

    #[test]
    fn a_run_with_follow_ups_open_reads_monitoring_in_the_pdf_and_the_markdown() {
        let mut log = settled_with_a_waived_failure();
        let at = common::t0() + TimeDelta::hours(3);
        let reopen = EventBody::ItemSet { item: "verify-0-0".into(), state: ItemState::Pending, reason: None, note: None };
        log.push("Dana Ops", at, reopen);
        let mut state = common::state(&log.events);
        assert_eq!(state.status(), RunStatus::InProgress, "a T-relative phase is part of the deployment");
        // The same checklist with the verification written as a follow-up (`First Day`, from the window's end).
        let verify = state.checklist.phases.iter_mut().find(|p| p.id == "verify").expect("the fixture's phase");
        verify.timing = Some(runsheet_core::Timing { label: "First Day".into(), offset_minutes: Some(0), end_offset_minutes: None });
        assert_eq!(state.status(), RunStatus::Monitoring);
        let input = ReportInput::from_state(&state, at).unwrap();
        assert_eq!(input.outcome(), "MONITORING — follow-ups open");
        assert!(input.in_progress(), "the run is not over: the report is not final");
        let md = runsheet_report::markdown::deployment_log(&input);
        assert!(md.contains("| Status | MONITORING — follow-ups open |"), "{md}");
        let log_json = runsheet_report::run_log_json(&state, at).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&log_json).unwrap();
        assert_eq!(v["run"]["status"], "monitoring", "the run log carries the status as the schema names it");
    }
}

mod run_log {
    //! The one JSON run log (`runsheet-run-log/2`): its shape, that the PDF carries exactly it, and that readers
    //! take both versions and check what /2 claims.
    use super::*;
    use runsheet_report::verify::{check_run_log, extract_run_log, read_run_log};
    use serde_json::{json, Value};

    fn log_value(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn the_pdf_attachment_is_run_log_json_byte_for_byte() {
        let events = common::run(4, true);
        let now = common::t0() + chrono::TimeDelta::hours(3);
        let pdf = export_signed_pdf(&state_of(&events), &identity(), now, ExportOptions::default()).unwrap();
        let attached = extract_run_log(&pdf).unwrap().expect("the PDF carries the run log");
        let written = runsheet_report::run_log_json(&state_of(&events), now).unwrap();
        assert!(attached == written, "the attachment and run_log_json differ for the same run and time");
        assert!(written.ends_with(b"}\n"));
    }

    #[test]
    fn v2_shape_and_order() {
        let events = common::run(2, true);
        let state = state_of(&events);
        let now = common::t0() + chrono::TimeDelta::hours(3);
        let bytes = runsheet_report::run_log_json(&state, now).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        // Top-level keys in the documented order (pretty JSON indents them by two spaces).
        let at: Vec<usize> = ["format", "run_id", "exported_at", "head_hashes", "run", "events"]
            .iter()
            .map(|k| text.find(&format!("\n  \"{k}\": ")).unwrap_or_else(|| panic!("no top-level {k}")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "keys out of order: {at:?}");
        let v = log_value(&bytes);
        assert_eq!(v.as_object().unwrap().len(), 6);
        assert_eq!(v["format"], runsheet_report::RUN_LOG_FORMAT);
        assert_eq!(v["run_id"], state.run_id.as_str());
        assert_eq!(v["exported_at"], json!(now));
        assert_eq!(v["run"], state.to_json(now), "the run view is RunState::to_json at the export time");
        let ids: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        let fold: Vec<&str> = state.timeline.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, fold, "events in fold order");
        let check = check_run_log(&serde_json::to_vec(&v).unwrap());
        assert!(check.dag_ok, "{:?}", check.problems);
        assert_eq!(json!(check.heads), v["head_hashes"]);
        assert_eq!(check.format.as_deref(), Some("runsheet-run-log/2"));
    }

    #[test]
    fn v1_logs_still_read() {
        let events = common::run(2, true);
        let state = state_of(&events);
        let pdf_v1 = json!({ "format": "runsheet-run-log/1", "events": state.timeline });
        let cli_v1 = json!({ "format": "runsheet-run-log/1", "run": state.to_json(common::t0()), "events": events });
        for (what, doc) in [("pdf /1", pdf_v1), ("cli /1", cli_v1), ("bare array", json!(events))] {
            let bytes = serde_json::to_vec_pretty(&doc).unwrap();
            let check = check_run_log(&bytes);
            assert!(check.dag_ok, "{what}: {:?}", check.problems);
            assert_eq!(check.events, events.len(), "{what}");
            assert_eq!(read_run_log(&bytes).unwrap().events.len(), events.len(), "{what}");
        }
    }

    #[test]
    fn v2_claims_are_checked() {
        let events = common::run(2, true);
        let good = log_value(&runsheet_report::run_log_json(&state_of(&events), common::t0()).unwrap());
        let bad = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            check_run_log(&serde_json::to_vec(&v).unwrap())
        };
        let r = bad(&|v| v["head_hashes"] = json!(["0".repeat(64)]));
        assert!(!r.dag_ok && r.problems.iter().any(|p| p.contains("head_hashes")), "{:?}", r.problems);
        let r = bad(&|v| v["run_id"] = json!("another-run"));
        assert!(!r.dag_ok && r.problems.iter().any(|p| p.contains("run_id")), "{:?}", r.problems);
        let r = bad(&|v| v["events"].as_array_mut().unwrap().swap(1, 2));
        assert!(!r.dag_ok, "events out of fold order: {:?}", r.problems);
        let r = bad(&|v| v["format"] = json!("runsheet-run-log/3"));
        assert!(!r.dag_ok && r.problems[0].contains("unsupported format"), "{:?}", r.problems);
        let r = bad(&|v| {
            v.as_object_mut().unwrap().remove("head_hashes");
        });
        assert!(!r.dag_ok && r.problems[0].contains("head_hashes"), "{:?}", r.problems);
        // The run view is informative: editing it changes nothing verification relies on.
        let r = bad(&|v| v["run"]["title"] = json!("edited"));
        assert!(r.dag_ok, "{:?}", r.problems);
    }
}
