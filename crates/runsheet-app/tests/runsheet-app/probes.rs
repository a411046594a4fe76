//! Secrets bound to where they may go (issue 10), end to end through the app: the real keyring (run inside
//! `scripts/with-keyring.sh`), real SQLite runs and real loopback servers. A refused probe must make no connection
//! at all, which is checked on the listening socket itself, not on what the probe reports.

// A failed `expect` in a test is the test failing, with its reason.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Read;
use std::net::TcpListener;

use runsheet_app::probes::ProbeTarget;
use runsheet_app::secrets::SecretBinding;
use runsheet_app::ErrorKind;
use runsheet_core::event::EventBody;
use runsheet_core::probe::{Evidence, Outcome};
use runsheet_secrets::Sensitive;

use crate::support::{home, Home};

const TOKEN: &str = "tok-BIND-4c1d9e77";

/// A listener nobody accepts on: a probe that connected leaves its connection in the backlog, so
/// [`connections`] after the run sees it (the probes time out waiting for an answer that never comes).
fn silent_listener(ip: &str) -> (TcpListener, u16) {
    let l = TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("binding {ip}: {e}"));
    let port = l.local_addr().expect("a bound address").port();
    (l, port)
}

/// Every connection made to `l` so far, with what the client sent before it gave up.
fn connections(l: &TcpListener) -> Vec<String> {
    l.set_nonblocking(true).expect("non-blocking");
    let mut out = Vec::new();
    while let Ok((mut s, _)) = l.accept() {
        s.set_nonblocking(false).expect("blocking");
        s.set_read_timeout(Some(std::time::Duration::from_secs(2))).expect("read timeout");
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        out.push(String::from_utf8_lossy(&got).to_string());
    }
    out
}

fn need_keyring(h: &Home) {
    if let Err(e) = h.app.secret_store().and_then(|s| Ok(s.check()?)) {
        panic!("these tests need a Secret Service keyring: run them inside scripts/with-keyring.sh ({})", e.message);
    }
}

fn http_probe(url: &str) -> String {
    format!(
        "  ```probe\n  kind = \"http\"\n  url = \"{url}\"\n  headers = {{ Authorization = \"Bearer {{{{secret:api_token}}}}\" }}\n  timeout = \"1s\"\n  ```\n"
    )
}

/// Import `md`, start a run of it; the run id.
fn run_of(h: &Home, md: &str) -> String {
    let c = h.app.import_bytes("bind.md", md.as_bytes()).expect("the checklist imports");
    let new = runsheet_app::runs::NewRun { checklist: c.id, title: "Bind".into(), ..Default::default() };
    h.app.create_run(new, "op").expect("a run is created")
}

/// Run the probes of `item` and return its evidence.
fn probe(h: &Home, run: &str, item: &str) -> Evidence {
    let done = h.app.run_probes(run, &ProbeTarget::Item { item: item.into() }, "op", 4).expect("probes run");
    assert_eq!(done.len(), 1, "one probe per item here");
    done[0].event.as_ref().expect("the evidence is recorded");
    done[0].result.evidence.clone()
}

#[test]
fn a_secret_bound_to_one_host_never_reaches_another() {
    let h = home("bind-host");
    need_keyring(&h);
    h.app
        .set_secret("api_token", Sensitive::new(TOKEN.into()), Some(SecretBinding::new(["127.0.0.1"], false)))
        .expect("stored");
    let (other, other_port) = silent_listener("127.0.0.2");
    let (port, seen) = crate::http_server::ok_server("127.0.0.1");
    let md = format!(
        "# Bind\n\n## Go\n\n- [ ] Elsewhere\n{}- [ ] Bound host\n{}",
        http_probe(&format!("http://127.0.0.2:{other_port}/")),
        http_probe(&format!("http://127.0.0.1:{port}/"))
    );
    let run = run_of(&h, &md);
    let (elsewhere, bound) = (h.item(&run, "Elsewhere"), h.item(&run, "Bound host"));

    let ev = probe(&h, &run, &elsewhere);
    assert_eq!(connections(&other), Vec::<String>::new(), "127.0.0.2 was never even connected to");
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert_eq!(ev.attempts, 0, "refused before any attempt");
    assert!(ev.detail.contains("api_token") && ev.detail.contains("127.0.0.2"), "names secret and host: {}", ev.detail);
    assert!(ev.detail.contains("runsheet secret allow api_token --host 127.0.0.2"), "says how: {}", ev.detail);
    let refusal = ev.refusal.as_ref().expect("the refusal is structured for the desktop");
    assert_eq!((refusal.secret.as_str(), refusal.host.as_str(), refusal.grantable), ("api_token", "127.0.0.2", true));
    let view = runsheet_app::view::evidence_of(&h.app.run(&run).expect("folds"), &elsewhere, h.app.now());
    let offer = view[0].grant.as_ref().expect("the desktop offers the grant");
    assert_eq!((offer.secret.as_str(), offer.host.as_str()), ("api_token", "127.0.0.2"));

    let ev = probe(&h, &run, &bound);
    assert_eq!(ev.outcome, Outcome::Pass, "the bound host gets it: {ev:?}");
    assert!(seen.lock().expect("not poisoned").iter().any(|r| r.contains(TOKEN)), "127.0.0.1 received the token");
    assert!(!ev.detail.contains(TOKEN));
    h.app.delete_secret("api_token").expect("deleted");
}

#[test]
fn shell_probes_get_a_secret_only_when_it_allows_shell() {
    let h = home("bind-shell");
    need_keyring(&h);
    h.app
        .set_secret("api_token", Sensitive::new(TOKEN.into()), Some(SecretBinding::new(["127.0.0.1"], false)))
        .expect("stored");
    let dir = tempfile::tempdir().expect("a temp dir");
    let marker = dir.path().join("got");
    let md = format!(
        "# Bind\n\n## Go\n\n- [ ] Script\n  ```probe\n  kind = \"shell\"\n  command = \"printf %s \\\"$T\\\" > {}\"\n  env = {{ T = \"{{{{secret:api_token}}}}\" }}\n  ```\n",
        marker.display()
    );
    let run = run_of(&h, &md);
    let item = h.item(&run, "Script");
    h.app.arm(&run, &item, "op").expect("armed");

    let ev = probe(&h, &run, &item);
    assert!(!marker.exists(), "the command never ran with the secret");
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.contains("api_token") && ev.detail.contains("--shell"), "says how: {}", ev.detail);
    let e = h.app.grant_secret(&run, "api_token", "shell", "op").expect_err("shell cannot be granted");
    assert_eq!(e.kind, ErrorKind::Invalid);

    h.app.allow_secret("api_token", &[], true).expect("allowed for shell");
    let ev = probe(&h, &run, &item);
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(std::fs::read_to_string(&marker).expect("the command ran"), TOKEN);
    h.app.delete_secret("api_token").expect("deleted");
}

#[test]
fn an_unbound_secret_is_refused_until_granted_and_the_grant_binds_it() {
    let h = home("bind-grant");
    need_keyring(&h);
    // A secret stored before bindings existed: no hosts, no shell.
    h.app.set_secret("api_token", Sensitive::new(TOKEN.into()), None).expect("stored");
    assert!(h.app.secret_binding("api_token").expect("readable").is_unbound());
    let (silent, silent_port) = silent_listener("127.0.0.1");
    let (port, seen) = crate::http_server::ok_server("127.0.0.1");
    let md = format!(
        "# Bind\n\n## Go\n\n- [ ] First use\n{}- [ ] Second\n{}",
        http_probe(&format!("http://127.0.0.1:{silent_port}/")),
        http_probe(&format!("http://127.0.0.1:{port}/"))
    );
    let run = run_of(&h, &md);
    let (first, second) = (h.item(&run, "First use"), h.item(&run, "Second"));

    let ev = probe(&h, &run, &first);
    assert_eq!(connections(&silent), Vec::<String>::new(), "no connection for a refused probe");
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.contains("not bound to any host"), "{}", ev.detail);
    assert!(ev.detail.contains("runsheet secret allow api_token --host 127.0.0.1"), "{}", ev.detail);

    let grant = h.app.grant_secret(&run, "api_token", "127.0.0.1", "op").expect("granted");
    assert!(
        matches!(&grant.body, EventBody::SecretGranted { secret, host } if secret == "api_token" && host == "127.0.0.1"),
        "{grant:?}"
    );
    assert!(h.app.events(&run).expect("events").iter().any(|e| e.id == grant.id), "the grant is an event of the run");
    assert_eq!(h.app.secret_binding("api_token").expect("readable").hosts.into_iter().collect::<Vec<_>>(), ["127.0.0.1"]);

    let ev = probe(&h, &run, &second);
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert!(seen.lock().expect("not poisoned").iter().any(|r| r.contains(TOKEN)));
    h.app.delete_secret("api_token").expect("deleted");
}

#[test]
fn a_grant_for_a_bound_secret_is_for_that_run_only() {
    let h = home("bind-once");
    need_keyring(&h);
    h.app
        .set_secret("api_token", Sensitive::new(TOKEN.into()), Some(SecretBinding::new(["127.0.0.1"], false)))
        .expect("stored");
    let (port, seen) = crate::http_server::ok_server("127.0.0.2");
    let md = format!("# Bind\n\n## Go\n\n- [ ] Staging\n{}", http_probe(&format!("http://127.0.0.2:{port}/")));
    let (run1, run2) = (run_of(&h, &md), run_of(&h, &md));
    let item = h.item(&run1, "Staging");

    h.app.grant_secret(&run1, "api_token", "127.0.0.2", "op").expect("granted");
    assert_eq!(probe(&h, &run1, &item).outcome, Outcome::Pass, "granted for run 1");
    assert_eq!(seen.lock().expect("not poisoned").len(), 1);
    let ev = probe(&h, &run2, &item);
    assert_eq!(ev.outcome, Outcome::Error, "run 2 has no grant: {ev:?}");
    assert_eq!(seen.lock().expect("not poisoned").len(), 1, "run 2 made no request");
    let b = h.app.secret_binding("api_token").expect("readable");
    assert_eq!(b.hosts.into_iter().collect::<Vec<_>>(), ["127.0.0.1"], "a bound secret's binding is not widened");
    h.app.delete_secret("api_token").expect("deleted");
}
