//! Test-only HTTP bridge: the desktop's commands served over loopback HTTP from the real Rust code, so the UI's
//! unit tests and the headless-Chromium suite exercise the real rules (ui/src/lib/backend/http.ts is its client).
//!
//! It builds the app exactly as `src-tauri/tests/commands.rs` does — Tauri's mock runtime with the real invoke
//! handler (tauri-specta's), the real capability file and app manifest, the real managed state — and hands every
//! `POST /invoke/<command>` to that handler as an IPC request from the main window. There is no second dispatch:
//! argument names, deserialisation, the ACL, the command functions and the wire error are the app's own.
//!
//! Routes (127.0.0.1 only):
//! - `POST /invoke/<command>` with the command's JSON arguments (camelCase keys, as the webview sends them):
//!   `200` and `{ "status": "ok", "data": <result> }`, or `{ "status": "error", "error": <rejection> }` (the wire
//!   error `{ code, message }`, or Tauri's own text for an argument it could not deserialise). A rejection is an
//!   answer, not an HTTP failure, as it is over IPC (and a browser logs no failed request for it); `400` is for a
//!   body that is not JSON.
//! - `GET /events?after=N&wait=MS`: events the commands emitted (probe status, dropped files) after the N-th, as
//!   `{ "next": M, "events": [{ "event", "payload" }] }`; waits up to MS (default and at most 20 s) for one when
//!   there is none yet.
//! - `GET /<path>`: files under `--static DIR` (the built UI; unknown paths serve its index.html), so the page
//!   and the bridge share one origin.
//!
//! Usage: `bridge [--port N] [--home DIR] [--static DIR]`. Without `--home` the data directory is a fresh temp
//! dir (left behind when the bridge is killed: the test harnesses pass `--home` and remove it). It prints
//! `bridge listening on http://127.0.0.1:PORT` once ready. Secrets and identities go to the keyring service
//! `$RUNSHEET_KEYRING_SERVICE` (default `runsheet-bridge-<pid>`), never the user's; the native dialogs answer
//! from `$RUNSHEET_E2E_DIALOG_DIR` when set (see src/commands/dialogs.rs).
//!
//! Only loopback pages may call it: a request whose `Host` is not a loopback name, or whose `Origin` (sent by
//! browsers) is not a loopback origin, is refused with `403`, so a web page open in a browser cannot drive it
//! (the commands write files, e.g. `export_run`), directly or by DNS rebinding.
//!
//! Left out: TLS, keep-alive, chunked bodies, anything but loopback. This is a test harness, not a server.

// A harness binary: a failure to start is reported and exits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// Events the UI listens to (tauri-specta's names for `ProbeStatusEvent` and `FilesDropped`).
const EVENTS: &[&str] = &["probe-status-event", "files-dropped"];
/// The largest request body read (a PDF to verify travels base64-encoded and may be 64 MiB).
const MAX_BODY: usize = 96 * 1024 * 1024;
/// How long `GET /events` waits for an event before answering with none.
const LONG_POLL: Duration = Duration::from_secs(20);

/// Emitted events, in order; `base` is the index of the first one kept.
#[derive(Debug, Default)]
struct Log {
    events: VecDeque<Value>,
    base: usize,
}

#[derive(Debug, Default)]
struct EventLog {
    log: Mutex<Log>,
    added: Condvar,
}

impl EventLog {
    const KEEP: usize = 10_000;

    fn push(&self, event: Value) {
        if let Ok(mut l) = self.log.lock() {
            if l.events.len() == Self::KEEP {
                l.events.pop_front();
                l.base += 1;
            }
            l.events.push_back(event);
        }
        self.added.notify_all();
    }

    /// Events after the `after`-th, waiting until `deadline` for one.
    fn after(&self, after: usize, deadline: Instant) -> Value {
        let Ok(mut l) = self.log.lock() else { return json!({ "next": after, "events": [] }) };
        while l.base + l.events.len() <= after {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            l = match self.added.wait_timeout(l, left) {
                Ok((l, _)) => l,
                Err(_) => return json!({ "next": after, "events": [] }),
            };
        }
        let next = l.base + l.events.len();
        let events: Vec<Value> = l.events.iter().skip(after.saturating_sub(l.base)).cloned().collect();
        json!({ "next": next, "events": events })
    }
}

struct Args {
    port: u16,
    home: Option<PathBuf>,
    static_dir: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut a = Args { port: 0, home: None, static_dir: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => a.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--home" => a.home = Some(value()?.into()),
            "--static" => a.static_dir = Some(value()?.into()),
            other => return Err(format!("unknown argument {other} (bridge [--port N] [--home DIR] [--static DIR])")),
        }
    }
    Ok(a)
}

fn main() {
    let args = args().unwrap_or_else(|e| {
        eprintln!("bridge: {e}");
        std::process::exit(2);
    });
    if std::env::var_os("RUNSHEET_KEYRING_SERVICE").is_none() {
        // Read by the app when it is built: set first, so a developer's real entries are never touched.
        std::env::set_var("RUNSHEET_KEYRING_SERVICE", format!("runsheet-bridge-{}", std::process::id()));
    }
    // Kept until exit, so a data directory made here is removed then.
    let temp = match &args.home {
        Some(_) => None,
        None => Some(tempfile::tempdir().expect("a temp dir for the data directory")),
    };
    let home = args.home.clone().or_else(|| temp.as_ref().map(|t| t.path().to_path_buf())).expect("a data directory");
    std::fs::create_dir_all(&home).unwrap_or_else(|e| panic!("creating {}: {e}", home.display()));

    let specta = runsheet_desktop::specta_builder!(MockRuntime);
    let app = mock_builder()
        .invoke_handler(specta.invoke_handler())
        .build(tauri::generate_context!(test = true))
        .expect("the mock app builds");
    // The mock runtime does not run `setup`: state is managed on the built app, as the command tests do.
    specta.mount_events(&app);
    runsheet_desktop::manage_state(app.handle(), runsheet_desktop::state::Paths { home: home.clone() })
        .unwrap_or_else(|e| panic!("opening {}: {e:#}", home.display()));
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().expect("the main window");

    let log = Arc::new(EventLog::default());
    for name in EVENTS {
        let (log, name) = (Arc::clone(&log), name.to_string());
        app.listen_any(name.clone(), move |e| {
            let payload = serde_json::from_str::<Value>(e.payload()).unwrap_or(Value::Null);
            log.push(json!({ "event": name, "payload": payload }));
        });
    }

    let listener = TcpListener::bind(("127.0.0.1", args.port)).unwrap_or_else(|e| panic!("binding 127.0.0.1:{}: {e}", args.port));
    let port = listener.local_addr().expect("a local address").port();
    println!("bridge listening on http://127.0.0.1:{port} (data in {})", home.display());
    let _ = std::io::stdout().flush();

    let static_dir = args.static_dir.map(Arc::new);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (main, log, static_dir) = (main.clone(), Arc::clone(&log), static_dir.clone());
        std::thread::spawn(move || {
            if let Err(e) = serve(stream, &main, &log, static_dir.as_deref().map(PathBuf::as_path)) {
                eprintln!("bridge: {e}");
            }
        });
    }
    drop((app, temp));
}

struct Request {
    method: String,
    path: String,
    query: String,
    host: Option<String>,
    origin: Option<String>,
    body: Vec<u8>,
}

/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

impl Request {
    /// A request from a loopback page (or a program, which sends no `Origin`) to a loopback name.
    fn is_loopback(&self) -> bool {
        let host_ok = self.host.as_deref().is_some_and(loopback_host);
        let origin_ok = self.origin.as_deref().is_none_or(|o| o.strip_prefix("http://").is_some_and(loopback_host));
        host_ok && origin_ok
    }
}

fn read_request(stream: &TcpStream) -> Result<Request, String> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| format!("reading the request line: {e}"))?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
    let (mut length, mut host, mut origin) = (0usize, None, None);
    loop {
        let mut h = String::new();
        r.read_line(&mut h).map_err(|e| format!("reading a header: {e}"))?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("content-length") {
                length = v.parse().map_err(|e| format!("content-length {v}: {e}"))?;
            } else if k.eq_ignore_ascii_case("host") {
                host = Some(v.to_string());
            } else if k.eq_ignore_ascii_case("origin") {
                origin = Some(v.to_string());
            }
        }
    }
    if length > MAX_BODY {
        return Err(format!("a body of {length} bytes is larger than {MAX_BODY}"));
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).map_err(|e| format!("reading the body: {e}"))?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Ok(Request { method, path: path.to_string(), query: query.to_string(), host, origin, body })
}

fn respond(mut stream: &TcpStream, status: u16, content_type: &str, body: &[u8]) -> Result<(), String> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).map_err(|e| format!("writing the response: {e}"))
}

fn serve(stream: TcpStream, main: &WebviewWindow<MockRuntime>, log: &EventLog, static_dir: Option<&Path>) -> Result<(), String> {
    let req = read_request(&stream)?;
    if !req.is_loopback() {
        return respond(&stream, 403, "text/plain", b"only loopback pages may call the bridge");
    }
    const JSON: &str = "application/json";
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", p) if p.starts_with("/invoke/") => {
            let cmd = &p["/invoke/".len()..];
            let args: Value = if req.body.is_empty() {
                json!({})
            } else {
                match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(e) => return respond(&stream, 400, JSON, json!(format!("arguments are not JSON: {e}")).to_string().as_bytes()),
                }
            };
            respond(&stream, 200, JSON, invoke(main, cmd, args).as_bytes())
        }
        ("GET", "/events") => {
            let param = |name: &str| req.query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse::<u64>().ok());
            let after = param("after").map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
            let wait = param("wait").map_or(LONG_POLL, |ms| Duration::from_millis(ms).min(LONG_POLL));
            respond(&stream, 200, JSON, log.after(after, Instant::now() + wait).to_string().as_bytes())
        }
        ("GET", path) => match static_dir {
            Some(dir) => {
                let (ty, bytes) = static_file(dir, path)?;
                respond(&stream, 200, ty, &bytes)
            }
            None => respond(&stream, 404, "text/plain", b"no --static directory"),
        },
        _ => respond(&stream, 404, "text/plain", b"unknown route"),
    }
}

/// One IPC request from the main window through the app's own invoke handler, as the answer's JSON text.
fn invoke(main: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> String {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        // On Linux the http://tauri.localhost form is treated as a remote origin.
        url: "tauri://localhost".parse().expect("a valid URL"),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    match get_ipc_response(main, request) {
        // The result is already JSON text: spliced in rather than parsed and printed again.
        Ok(tauri::ipc::InvokeResponseBody::Json(s)) => format!("{{\"status\":\"ok\",\"data\":{s}}}"),
        Ok(tauri::ipc::InvokeResponseBody::Raw(bytes)) => json!({ "status": "ok", "data": bytes }).to_string(),
        Err(e) => json!({ "status": "error", "error": e }).to_string(),
    }
}

fn static_file(dir: &Path, path: &str) -> Result<(&'static str, Vec<u8>), String> {
    let rel = path.trim_start_matches('/');
    let safe = !rel.split('/').any(|c| c == ".." || c.contains('\\'));
    let mut file = dir.join(rel);
    if !safe || !file.is_file() {
        file = dir.join("index.html");
    }
    let ty = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    std::fs::read(&file).map(|b| (ty, b)).map_err(|e| format!("reading {}: {e}", file.display()))
}
