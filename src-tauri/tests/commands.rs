//! Command tests through Tauri's mock runtime: real IPC requests (deserialisation, the capability ACL built from
//! `capabilities/` and the app manifest, our handlers) against a real data directory in a temp dir.
//! Modules mirror `src/commands/`. Left out: the webview and the real event loop (tests/e2e covers those).

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewUrl, WebviewWindow, WebviewWindowBuilder};

struct App {
    _app: tauri::App<MockRuntime>,
    main: WebviewWindow<MockRuntime>,
    home: tempfile::TempDir,
}

fn app() -> App {
    // Its own keyring services (secrets, and identities beside them), so a developer's real entries are never
    // touched; read by the app when it is built, so set before.
    std::env::set_var("RUNSHEET_KEYRING_SERVICE", format!("runsheet-desktop-test-{}", std::process::id()));
    let home = tempfile::tempdir().unwrap();
    let specta = runsheet_desktop::specta_builder!(MockRuntime);
    let paths = runsheet_desktop::state::Paths { home: home.path().to_path_buf() };
    let app = mock_builder()
        .invoke_handler(specta.invoke_handler())
        // The real config and capabilities, so the ACL is the one the app ships with.
        .build(tauri::generate_context!(test = true))
        .unwrap();
    // State is managed on the built app directly: the mock runtime does not run `setup` before `run`.
    specta.mount_events(&app);
    runsheet_desktop::manage_state(app.handle(), paths).unwrap();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    App { _app: app, main, home }
}

fn invoke(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        // On Linux the http://tauri.localhost form is treated as a remote origin.
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(w, request).map(|b| b.deserialize::<Value>().unwrap())
}

/// The wire error's code, asserting its shape is exactly `{ code, message }`.
fn code(err: Value) -> String {
    let obj = err.as_object().unwrap_or_else(|| panic!("a command error is an object, got {err}"));
    assert_eq!(obj.len(), 2, "the wire error has exactly code and message: {err}");
    assert!(obj["message"].as_str().is_some_and(|m| !m.is_empty()), "message is a non-empty string: {err}");
    obj["code"].as_str().unwrap().to_string()
}

mod acl {
    use super::*;

    #[test]
    fn commands_are_allowed_only_in_the_main_window() {
        let a = app();
        assert!(invoke(&a.main, "get_settings", json!({})).is_ok());
        // Our commands are gated by the app manifest: a window no capability names cannot call them.
        let other = WebviewWindowBuilder::new(&a._app, "other", WebviewUrl::default()).build().unwrap();
        let denied = invoke(&other, "get_settings", json!({})).unwrap_err();
        assert!(denied.to_string().contains("not allowed"), "denied by the ACL: {denied}");
    }

    #[test]
    fn manifest_capability_and_handlers_list_the_same_commands() {
        let cap: Value = serde_json::from_str(include_str!("../capabilities/main-window.json")).unwrap();
        let mut allowed: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|s| s.replace('-', "_")))
            .collect();
        allowed.sort();
        let mut names: Vec<String> = runsheet_desktop::commands::names::COMMANDS.iter().map(|s| s.to_string()).collect();
        names.sort();
        assert_eq!(allowed, names, "every command is allowed explicitly, and nothing else");
        // Every name reaches a handler: an unknown command would be rejected with a Tauri string, not our error.
        let a = app();
        for name in &names {
            if let Err(e) = invoke(&a.main, name, json!({})) {
                assert!(!e.to_string().contains("not found"), "{name} has a handler: {e}");
            }
        }
    }
}

mod settings {
    use super::*;

    #[test]
    fn operator_name_is_validated_and_persisted() {
        let a = app();
        let e = invoke(&a.main, "update_settings", json!({ "patch": { "operator_name": "   " } })).unwrap_err();
        assert_eq!(code(e), "Invalid");
        let s = invoke(&a.main, "update_settings", json!({ "patch": { "operator_name": " Ada ", "paper_size": "letter" } })).unwrap();
        assert_eq!((&s["operator_name"], &s["paper_size"]), (&json!("Ada"), &json!("letter")), "trimmed and saved: {s}");
        let on_disk: Value = serde_json::from_slice(&std::fs::read(a.home.path().join("desktop-settings.json")).unwrap()).unwrap();
        assert_eq!(on_disk["operator_name"], "Ada", "settings survive a restart");
    }

    #[test]
    fn bad_paper_size_is_rejected_before_the_handler() {
        let a = app();
        assert!(invoke(&a.main, "update_settings", json!({ "patch": { "paper_size": "a3" } })).is_err());
    }
}

mod library {
    use super::*;

    #[test]
    fn import_file_needs_an_absolute_existing_path() {
        let a = app();
        assert_eq!(code(invoke(&a.main, "import_checklist_file", json!({ "path": "rel/x.md" })).unwrap_err()), "Invalid");
        let missing = a.home.path().join("missing.md");
        let e = invoke(&a.main, "import_checklist_file", json!({ "path": missing })).unwrap_err();
        assert_eq!(code(e), "NotFound");
        assert_eq!(code(invoke(&a.main, "import_checklist_file", json!({ "path": a.home.path() })).unwrap_err()), "Invalid");
    }

    #[test]
    fn unparsable_text_comes_back_as_issues_with_a_line() {
        let a = app();
        let mut md = String::from("# Deep\n\n## Phase\n\n");
        for depth in 0..40 {
            md.push_str(&format!("{}- [ ] level {depth}\n", "  ".repeat(depth)));
        }
        let out = invoke(&a.main, "import_checklist_text", json!({ "fileName": "deep.md", "text": md })).unwrap();
        assert_eq!(out["checklist"], Value::Null, "nothing is added: {out}");
        assert_eq!(out["issues"][0]["severity"], "error");
        assert!(out["issues"][0]["line"].as_u64().unwrap() > 0, "the issue points at a line: {out}");
    }

    #[test]
    fn empty_file_name_is_invalid() {
        let a = app();
        let e = invoke(&a.main, "import_checklist_text", json!({ "fileName": " ", "text": "# x" })).unwrap_err();
        assert_eq!(code(e), "Invalid");
    }
}

mod runs {
    use super::*;

    #[test]
    fn skipping_without_a_reason_is_invalid() {
        let a = app();
        let e = invoke(
            &a.main,
            "set_item_state",
            json!({ "runId": "r", "itemId": "i", "change": { "state": "skipped", "reason": "  " } }),
        )
        .unwrap_err();
        assert_eq!(code(e), "Invalid");
    }

    #[test]
    fn create_run_validates_title_and_window() {
        let a = app();
        let base = json!({ "checklist_id": "c", "title": "", "operator": "Ada" });
        assert_eq!(code(invoke(&a.main, "create_run", json!({ "input": base })).unwrap_err()), "Invalid");
        let bad_time = json!({ "checklist_id": "c", "title": "T", "operator": "Ada", "window_start": "tomorrow" });
        assert_eq!(code(invoke(&a.main, "create_run", json!({ "input": bad_time })).unwrap_err()), "Invalid");
        let reversed = json!({ "checklist_id": "c", "title": "T", "operator": "Ada",
            "window_start": "2026-01-02T10:00:00Z", "window_end": "2026-01-02T09:00:00Z" });
        assert_eq!(code(invoke(&a.main, "create_run", json!({ "input": reversed })).unwrap_err()), "Invalid");
    }

    #[test]
    fn unknown_run_is_not_found() {
        let a = app();
        assert_eq!(code(invoke(&a.main, "get_run", json!({ "runId": "nope" })).unwrap_err()), "NotFound");
    }
}

mod probes {
    use super::*;

    #[test]
    fn validate_probe_reports_bad_toml_as_a_value() {
        let a = app();
        let bad = invoke(&a.main, "validate_probe", json!({ "toml": "kind = " })).unwrap();
        assert_eq!(bad["ok"], false);
        let no_kind = invoke(&a.main, "validate_probe", json!({ "toml": "url = \"http://x\"" })).unwrap();
        assert_eq!(no_kind["ok"], false);
        assert_eq!(no_kind["field"], "kind");
    }

    #[test]
    fn probe_kinds_lists_every_kind_with_its_fields() {
        let a = app();
        let kinds = invoke(&a.main, "probe_kinds", json!({})).unwrap();
        let expected = serde_json::to_value(runsheet_app::probes::probe_kinds()).unwrap();
        assert_eq!(kinds, expected, "the command answers the application layer's list unchanged");
        let names: Vec<&str> = kinds["kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
        assert_eq!((names.len(), names[0], names[2]), (11, "http", "port_free"), "every kind, in DESIGN.md's order");
        let port = &kinds["kinds"][2]["fields"][0];
        assert_eq!((port["name"].as_str(), port["required"].as_bool()), (Some("port"), Some(true)));
        assert_eq!(kinds["kinds"][2]["fields"][1]["default"], "\"127.0.0.1\"", "defaults travel as TOML");
    }

    #[test]
    fn a_suggested_probe_is_offered_then_added_to_the_run() {
        let a = app();
        invoke(&a.main, "update_settings", json!({ "patch": { "operator_name": "Ada" } })).unwrap();
        let md = "# T\n\n## Go\n\n- [ ] Health: `curl -f http://127.0.0.1:9/health`\n- [ ] Other\n";
        let imported = invoke(&a.main, "import_checklist_text", json!({ "fileName": "t.md", "text": md })).unwrap();
        let checklist = imported["checklist"]["id"].as_str().unwrap().to_string();
        let preview = invoke(&a.main, "preview_checklist", json!({ "checklistId": checklist })).unwrap();
        assert_eq!(preview["suggestions"].as_array().unwrap().len(), 1, "the curl command suggests an http probe: {preview}");
        let run = invoke(&a.main, "create_run", json!({ "input": { "checklist_id": checklist, "title": "r", "operator": "Ada" } })).unwrap();
        let run = run["id"].as_str().unwrap().to_string();
        let view = invoke(&a.main, "get_run", json!({ "runId": run })).unwrap();
        let s = &view["suggestions"][0];
        assert_eq!(s["kind"], "http");
        let item = s["item"].as_str().unwrap().to_string();

        let bad = invoke(&a.main, "add_probe", json!({ "runId": run, "itemId": item, "toml": "kind = \"http\"" })).unwrap_err();
        assert_eq!(code(bad), "Invalid", "an http probe needs a url");
        let unknown = invoke(&a.main, "add_probe", json!({ "runId": run, "itemId": "nope", "toml": s["source"] })).unwrap_err();
        assert_eq!(code(unknown), "NotFound");

        let view = invoke(&a.main, "add_probe", json!({ "runId": run, "itemId": item, "toml": s["source"] })).unwrap();
        let probes = &view["checklist"]["phases"][0]["sections"][0]["items"][0]["probes"];
        assert_eq!(probes.as_array().map(Vec::len), Some(1), "the item now has the probe: {view}");
        assert_eq!(view["suggestions"].as_array().unwrap().len(), 0, "an accepted suggestion is not offered again");
    }
}

mod secrets {
    use super::*;

    #[test]
    fn secret_names_are_validated() {
        let a = app();
        let e = invoke(&a.main, "set_credential", json!({ "name": "bad name!", "value": "x", "hosts": [], "allowShell": false }))
            .unwrap_err();
        assert_eq!(code(e), "Invalid");
    }

    /// A grant names a bare host: a URL or `shell` is refused before the keyring or the run is touched.
    #[test]
    fn grants_name_a_bare_host() {
        let a = app();
        for host in ["https://api.example.com/", "shell", "api.example.com:443"] {
            let args = json!({ "runId": "no-such-run", "secret": "api_token", "host": host });
            assert_eq!(code(invoke(&a.main, "grant_secret", args).unwrap_err()), "Invalid", "{host}");
        }
    }
}

mod identity {
    use super::*;
    use std::process::Command;

    fn openssl(dir: &std::path::Path, args: &[&str]) {
        let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl (scripts/setup.sh installs it)");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Settings → Import PKCS#12: an organisation-CA identity made by OpenSSL lands in the keyring, a wrong
    /// password is refused, and the certificate exported afterwards is the imported one.
    #[test]
    fn pkcs12_import_then_certificate_export() {
        let a = app();
        // Its own keyring service, so a developer's real identity is never touched.
        std::env::set_var("RUNSHEET_KEYRING_SERVICE", format!("runsheet-desktop-test-{}", std::process::id()));
        if let Err(e) = invoke(&a.main, "keyring_status", json!({})).map(|s| s["available"] == true).and_then(|ok| if ok { Ok(()) } else { Err(json!("no keyring")) }) {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but no keyring: {e}");
            eprintln!("SKIPPING: no keyring ({e})");
            return;
        }
        let dir = a.home.path();
        openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
        openssl(dir, &["req", "-x509", "-new", "-key", "ca.key", "-subj", "/O=Org/CN=Org Release CA", "-days", "30", "-out", "ca.pem"]);
        openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "me.key"]);
        openssl(dir, &["req", "-new", "-key", "me.key", "-subj", "/O=Org/CN=Grace Signer", "-out", "me.csr"]);
        openssl(dir, &["x509", "-req", "-in", "me.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30", "-out", "me.pem"]);
        openssl(dir, &["pkcs12", "-export", "-inkey", "me.key", "-in", "me.pem", "-certfile", "ca.pem", "-out", "me.p12", "-passout", "pass:pw-4711"]);
        let p12 = dir.join("me.p12");

        let wrong = invoke(&a.main, "import_identity", json!({ "path": p12, "password": "nope" })).unwrap_err();
        assert_eq!(code(wrong), "Invalid", "a wrong password is a clear input error");
        let id = invoke(&a.main, "import_identity", json!({ "path": p12, "password": "pw-4711" })).unwrap();
        assert_eq!(id["subject"], "Grace Signer", "{id}");
        let out = dir.join("exported.pem");
        invoke(&a.main, "export_certificate", json!({ "path": out })).unwrap();
        let pem = std::fs::read_to_string(&out).unwrap();
        let mine = std::fs::read_to_string(dir.join("me.pem")).unwrap();
        assert_eq!(pem.trim(), mine.trim(), "the exported certificate is the imported one");
        assert!(!std::fs::read_dir(a.home.path()).unwrap().flatten().any(|e| {
            e.path().extension().is_some_and(|x| x == "db") && std::fs::read(e.path()).is_ok_and(|b| b.windows(6).any(|w| w == b"pw-4711"))
        }), "the PKCS#12 password never reaches the database");
    }
}

mod export {
    use super::*;

    #[test]
    fn open_path_refuses_files_the_app_did_not_export() {
        let a = app();
        let e = invoke(&a.main, "open_path", json!({ "path": "/etc/passwd" })).unwrap_err();
        assert_eq!(code(e), "NotFound");
        assert_eq!(code(invoke(&a.main, "open_path", json!({ "path": "x.pdf" })).unwrap_err()), "Invalid");
    }
}

mod signing_key {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// A loopback HTTP server that answers 200 and keeps every request it received.
    fn server() -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&seen);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
                let mut buf = vec![0u8; 16 * 1024];
                let n = conn.read(&mut buf).unwrap_or(0);
                keep.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            }
        });
        (format!("http://{addr}"), seen)
    }

    fn probe(url: &str, header: Option<&str>) -> String {
        let headers = header.map(|h| format!("headers = {{ Authorization = \"{h}\" }}\n")).unwrap_or_default();
        format!("```probe\nkind = \"http\"\nurl = \"{url}/health\"\n{headers}```\n")
    }

    /// Issue 10: a checklist whose probe sends `{{secret:runsheet-signing-key}}` must never get the signing key
    /// out of the desktop. On the old main the desktop kept its identity in the probe secrets' service under that
    /// very name, and the import, the run and the request all went through. Now the name is reserved: the import
    /// is refused at parse time with an error saying why, the probe cannot be attached to a run either, and the
    /// loopback server sees only the harmless control probe that `run_probes` runs next to it.
    #[test]
    fn a_probe_asking_for_the_signing_key_never_reaches_the_server() {
        let a = app();
        invoke(&a.main, "update_settings", json!({ "patch": { "operator_name": "Ada" } })).unwrap();
        let (url, seen) = server();
        let steal = "{{secret:runsheet-signing-key}}";

        let evil = format!("# Evil\n\n## Go\n\n- [ ] Health\n\n{}", probe(&url, Some(steal)));
        let out = invoke(&a.main, "import_checklist_text", json!({ "fileName": "evil.md", "text": evil })).unwrap();
        assert_eq!(out["checklist"], Value::Null, "the checklist is refused, nothing is added: {out}");
        let issue = out["issues"][0]["message"].as_str().unwrap_or_default();
        assert!(issue.contains("runsheet-signing-key") && issue.contains("reserved"), "the refusal says why: {issue}");

        // The same probe attached during a run is refused too; the run keeps only its harmless control probe.
        let md = format!("# Ok\n\n## Go\n\n- [ ] Health\n\n{}", probe(&url, None));
        let ok = invoke(&a.main, "import_checklist_text", json!({ "fileName": "ok.md", "text": md })).unwrap();
        let checklist = ok["checklist"]["id"].as_str().unwrap_or_else(|| panic!("imported: {ok}")).to_string();
        let run = invoke(&a.main, "create_run", json!({ "input": { "checklist_id": checklist, "title": "r", "operator": "Ada" } })).unwrap();
        let run = run["id"].as_str().unwrap().to_string();
        let view = invoke(&a.main, "get_run", json!({ "runId": run })).unwrap();
        let item = view["items"].as_object().unwrap().keys().next().unwrap().clone();
        let toml = probe(&url, Some(steal));
        let refused = invoke(&a.main, "add_probe", json!({ "runId": run, "itemId": item, "toml": toml })).unwrap_err();
        assert!(refused["message"].as_str().unwrap_or_default().contains("reserved"), "says why: {refused}");
        assert_eq!(code(refused), "Invalid");

        invoke(&a.main, "run_probes", json!({ "runId": run, "target": { "item": item } })).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let evidence = loop {
            let ev = invoke(&a.main, "evidence", json!({ "runId": run, "itemId": item })).unwrap();
            if ev.as_array().is_some_and(|e| !e.is_empty()) {
                break ev;
            }
            assert!(Instant::now() < deadline, "the control probe recorded evidence within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(evidence.as_array().map(Vec::len), Some(1), "only the control probe ran: {evidence}");
        assert_eq!(evidence[0]["outcome"], "pass", "{evidence}");
        let requests = seen.lock().unwrap().clone();
        assert_eq!(requests.len(), 1, "the server saw exactly the control request: {requests:?}");
        assert!(!requests[0].to_lowercase().contains("authorization"), "no credential was sent: {}", requests[0]);
    }
}
