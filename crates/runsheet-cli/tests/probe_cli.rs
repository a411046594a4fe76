//! `runsheet secret` and `runsheet probe` end to end through the real binary, the real keyring (gnome-keyring in
//! `dbus-run-session` in CI) and a real SQLite file: a secret used by an http and a shell probe must reach the
//! target yet appear nowhere in the database file, the exports or anything the commands printed.
//! (Owned by the probes engineer.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "../../../tests/support/http_server.rs"]
mod http_server;

const SECRET: &str = "tok-LEAK-CHECK-9f8e7d6c";

struct Env {
    home: PathBuf,
    service: String,
    /// Everything the commands printed, to search for the secret afterwards.
    printed: Vec<u8>,
}

impl Env {
    fn new(test: &str) -> Env {
        let home = std::env::temp_dir().join(format!("runsheet-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        Env { home, service: format!("runsheet-cli-test-{test}-{}", std::process::id()), printed: Vec::new() }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_runsheet"));
        c.args(args)
            .env("RUNSHEET_HOME", &self.home)
            .env("RUNSHEET_SECRET_SERVICE", &self.service)
            .env("RUNSHEET_OPERATOR", "tester");
        c
    }

    fn run(&mut self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = self.cmd(args);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut sin = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            sin.write_all(s.as_bytes()).unwrap();
        }
        drop(sin);
        let out = child.wait_with_output().unwrap();
        self.printed.extend_from_slice(&out.stdout);
        self.printed.extend_from_slice(&out.stderr);
        out
    }

    fn ok(&mut self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "runsheet {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn keyring_available(env: &mut Env) -> bool {
    let out = env.run(&["secret", "list"], None);
    if out.status.success() {
        return true;
    }
    let msg = String::from_utf8_lossy(&out.stderr).to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but no keyring: {msg}");
    }
    eprintln!("skipping: {msg}");
    false
}

/// An HTTP server on loopback that answers every request with the request head as the body.
fn echo_server() -> u16 {
    http_server::http_server("127.0.0.1", |head| {
        let mut r = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", head.len()).into_bytes();
        r.extend_from_slice(head);
        r
    })
    .0
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_reach_probes_but_never_the_database_exports_or_output() {
    let mut env = Env::new("leak");
    if !keyring_available(&mut env) {
        return;
    }
    env.ok(&["secret", "set", "api_token", "--host", "127.0.0.1", "--shell"], Some(&format!("{SECRET}\n")));
    let names: serde_json::Value = serde_json::from_str(&env.ok(&["secret", "list", "--json"], None)).unwrap();
    assert_eq!(names, serde_json::json!([{ "name": "api_token", "hosts": ["127.0.0.1"], "allow_shell": true }]));

    let port = echo_server();
    let checklist = format!(
        "# Leak check\n\n## Verify\n\n- [ ] API answers with the token\n  ```probe\n  kind = \"http\"\n  url = \"http://127.0.0.1:{port}/health\"\n  headers = {{ Authorization = \"Bearer {{{{secret:api_token}}}}\" }}\n  body_contains = \"Bearer\"\n  ```\n- [ ] Script sees the token\n  ```probe\n  kind = \"shell\"\n  command = \"echo token=$RUNSHEET_SECRET_API_TOKEN\"\n  ```\n"
    );
    let file = env.home.join("leak.md");
    std::fs::write(&file, &checklist).unwrap();
    let file = file.to_str().unwrap().to_string();

    let inspect: serde_json::Value = serde_json::from_str(&env.ok(&["inspect", &file, "--json"], None)).unwrap();
    let items = inspect["phases"][0]["sections"][0]["items"].as_array().unwrap().clone();
    let shell_item = items[1]["id"].as_str().unwrap().to_string();

    let run_out = env.ok(&["run", "new", &file, "--title", "Leak check"], None);
    let run_id = run_out.split_whitespace().next().unwrap().to_string();

    // The shell probe is not armed yet: it records an error and the command exits 1.
    let out = env.run(&["probe", "run", &run_id, "--json"], None);
    assert!(!out.status.success());
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results[0]["outcome"], "pass", "{results}");
    assert_eq!(results[0]["kind"], "http");
    assert_eq!(results[1]["outcome"], "error", "{results}");
    for key in ["item", "kind", "target", "outcome", "duration_ms", "detail"] {
        assert!(results[0].get(key).is_some(), "JSON result lacks {key}: {results}");
    }

    env.ok(&["probe", "arm", &run_id, &shell_item], None);
    let results: serde_json::Value =
        serde_json::from_str(&env.ok(&["probe", "run", &run_id, &shell_item, "--json"], None)).unwrap();
    assert_eq!(results[0]["outcome"], "pass", "{results}");

    let export_json = env.home.join("export.json");
    let export_md = env.home.join("export.md");
    env.ok(&["run", "export", &run_id, "--format", "json", "-o", export_json.to_str().unwrap()], None);
    env.ok(&["run", "export", &run_id, "--format", "md", "-o", export_md.to_str().unwrap()], None);
    let exported = std::fs::read_to_string(&export_json).unwrap();
    assert!(exported.contains("[secret:api_token]"), "the echoed token is in the evidence, masked");

    let mut leaks = Vec::new();
    for f in files_under(&env.home) {
        if contains(&std::fs::read(&f).unwrap(), SECRET) {
            leaks.push(f.display().to_string());
        }
    }
    if contains(&env.printed, SECRET) {
        leaks.push("command output".into());
    }
    env.ok(&["secret", "rm", "api_token"], None);
    assert!(leaks.is_empty(), "the secret value leaked into: {leaks:?}");
}

#[test]
fn no_keyring_is_a_clear_error() {
    let mut env = Env::new("nokeyring");
    let out = env
        .cmd(&["secret", "list"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/runsheet-test-bus")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gnome-keyring") && err.contains("unlock"), "{err}");
    let _ = &mut env;
}

/// A probe added to an item during a run (an accepted suggestion) runs with the run's own probes, its evidence is
/// recorded, a bad block is refused naming the field, and the chain still verifies.
#[test]
fn an_added_probe_runs_and_is_recorded() {
    let mut env = Env::new("add");
    let port = echo_server();
    let md = env.home.join("c.md");
    std::fs::write(&md, format!("# T\n\n## Go\n\n- [ ] Health: `curl -f http://127.0.0.1:{port}/health`\n- [ ] Other\n")).unwrap();
    let run = env.ok(&["run", "new", md.to_str().unwrap(), "--title", "t"], None).trim().to_string();
    let show: serde_json::Value = serde_json::from_str(&env.ok(&["run", "show", &run, "--json"], None)).unwrap();
    let item = show["phases"][0]["sections"][0]["items"][0]["id"].as_str().unwrap().to_string();

    // Nothing to run before the probe is added.
    let before = env.run(&["probe", "run", &run, "--json"], None);
    let before: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap_or(serde_json::json!([]));
    assert_eq!(before.as_array().map_or(0, Vec::len), 0, "the checklist has no probe of its own: {before}");

    let bad = env.run(&["probe", "add", &run, &item], Some("kind = \"http\"\nurll = \"x\"\n"));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("urll"), "the error names the field");

    let block = format!("```probe\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/health\"\nbody_contains = \"GET /health\"\n```\n");
    let out = env.ok(&["probe", "add", &run, &item], Some(&block));
    assert!(out.contains("added probe #0"), "{out}");

    let res: serde_json::Value = serde_json::from_str(&env.ok(&["probe", "run", &run, "--json"], None)).unwrap();
    let res = res.as_array().unwrap();
    assert_eq!(res.len(), 1, "{res:?}");
    assert_eq!(res[0]["item"], item.as_str());
    assert_eq!(res[0]["outcome"], "pass", "{res:?}");

    let show: serde_json::Value = serde_json::from_str(&env.ok(&["run", "show", &run, "--json"], None)).unwrap();
    let it = &show["phases"][0]["sections"][0]["items"][0];
    assert_eq!(it["probes"], 1);
    assert_eq!(it["evidence"].as_array().unwrap().len(), 1);
    assert!(env.ok(&["verify"], None).contains("ok"));
    let md = env.ok(&["run", "export", &run, "--format", "md"], None);
    assert!(md.contains("body_contains = \"GET /health\""), "the md export writes the added probe back:\n{md}");
}

/// `secret set --host`, `secret allow` and `secret list` show where a secret may go; `probe run` prints the
/// refusal of a probe that would send it elsewhere, and that host receives nothing until it is allowed.
#[test]
fn secrets_go_only_to_the_hosts_they_are_bound_to() {
    let mut env = Env::new("bind");
    if !keyring_available(&mut env) {
        return;
    }
    let bad = env.run(&["secret", "set", "api_token", "--host", "https://127.0.0.1/"], Some("x\n"));
    assert!(!bad.status.success(), "a URL is not a host");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bare host"), "{}", String::from_utf8_lossy(&bad.stderr));

    env.ok(&["secret", "set", "api_token", "--host", "127.0.0.1"], Some(&format!("{SECRET}\n")));
    let list = env.ok(&["secret", "list"], None);
    assert!(list.contains("api_token") && list.contains("127.0.0.1"), "{list}");

    let (port, seen) = http_server::ok_server("127.0.0.2");
    let md = env.home.join("bind.md");
    std::fs::write(
        &md,
        format!("# B\n\n## Go\n\n- [ ] Staging\n  ```probe\n  kind = \"http\"\n  url = \"http://127.0.0.2:{port}/\"\n  headers = {{ X-Api-Key = \"{{{{secret:api_token}}}}\" }}\n  ```\n"),
    )
    .unwrap();
    let run = env.ok(&["run", "new", md.to_str().unwrap(), "--title", "b"], None).split_whitespace().next().unwrap().to_string();

    let out = env.run(&["probe", "run", &run], None);
    assert!(!out.status.success(), "a refused probe did not pass");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("ERROR") && printed.contains("api_token") && printed.contains("127.0.0.2"), "{printed}");
    assert!(printed.contains("runsheet secret allow api_token --host 127.0.0.2"), "says how to allow it: {printed}");
    assert!(seen.lock().unwrap().is_empty(), "127.0.0.2 received nothing: {:?}", seen.lock().unwrap());

    env.ok(&["secret", "allow", "api_token", "--host", "127.0.0.2"], None);
    let listed: serde_json::Value = serde_json::from_str(&env.ok(&["secret", "list", "--json"], None)).unwrap();
    assert_eq!(listed[0]["hosts"], serde_json::json!(["127.0.0.1", "127.0.0.2"]), "{listed}");
    assert_eq!(listed[0]["allow_shell"], false);
    let res: serde_json::Value = serde_json::from_str(&env.ok(&["probe", "run", &run, "--json"], None)).unwrap();
    assert_eq!(res[0]["outcome"], "pass", "{res}");
    assert!(seen.lock().unwrap().iter().any(|r| r.contains(SECRET)), "now it goes to 127.0.0.2");
    assert!(!contains(&env.printed, SECRET), "the value was never printed");
    env.ok(&["secret", "rm", "api_token"], None);
    let listed: serde_json::Value = serde_json::from_str(&env.ok(&["secret", "list", "--json"], None)).unwrap();
    assert_eq!(listed, serde_json::json!([]), "the binding is not left behind as a secret");
}
