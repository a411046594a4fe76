//! Test harness: real servers on loopback started by the tests themselves (HTTP/HTTPS on tokio with rustls,
//! hostile variants, redis-server, PostgreSQL via initdb/pg_ctl), certificates from rcgen, and helpers to run a
//! probe from its TOML.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_core::probe::{parse, Evidence};
use runsheet_probes::{ProbeJob, ResolvedSecrets, Runner};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Skip a test needing a missing system part, except in CI where it must fail.
pub fn unavailable(what: &str) {
    if in_ci() {
        panic!("CI=true but {what}");
    }
    eprintln!("skipping: {what}");
}

pub async fn probe(toml: &str) -> Evidence {
    probe_with(toml, ResolvedSecrets::none()).await
}

pub async fn probe_with(toml: &str, secrets: ResolvedSecrets) -> Evidence {
    let spec = parse(toml).unwrap_or_else(|e| panic!("test probe does not parse: {e}\n{toml}"));
    let job = ProbeJob { item: "item".into(), index: 0, spec, armed: true, refusal: None };
    Runner::default().run_one(&job, &secrets).await
}

/// Assert an execution finished within its timeout (plus scheduling slack) and return the elapsed time.
pub fn assert_within(ev: &Evidence, limit: Duration) {
    assert!(
        Duration::from_millis(ev.duration_ms) <= limit,
        "took {} ms, limit {} ms: {ev:?}",
        ev.duration_ms,
        limit.as_millis()
    );
}

/// A free loopback port (bound then released; the tests start their server on it right away).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// Poll `f` until it returns true or `limit` passes.
pub fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

// --------------------------------------------------------------------------------------------------------------
// HTTP(S).

#[derive(Debug, Clone)]
pub enum Behavior {
    /// Answer with a status, content type and body.
    Respond(u16, &'static str, String),
    /// Answer 200 with the request head (method, path, headers) as the body.
    Echo,
    /// Accept and never answer.
    Hang,
    /// Send a response one byte per second.
    Drip,
    /// 200 with a generated body of this many bytes (never stored).
    Huge(u64),
}

async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await.ok()?;
        if n == 0 || head.len() > 65536 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Some(head)
}

async fn serve_conn<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, behavior: Behavior) {
    let Some(head) = read_head(&mut s).await else { return };
    match behavior {
        Behavior::Respond(status, ctype, body) => {
            let resp = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
        }
        Behavior::Echo => {
            let resp = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", head.len());
            let _ = s.write_all(resp.as_bytes()).await;
            let _ = s.write_all(&head).await;
        }
        Behavior::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Behavior::Drip => {
            for b in b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" {
                if s.write_all(&[*b]).await.is_err() {
                    return;
                }
                let _ = s.flush().await;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Behavior::Huge(n) => {
            let resp = format!("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {n}\r\n\r\n");
            if s.write_all(resp.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'z'; 256 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len() as u64) as usize;
                if s.write_all(&chunk[..k]).await.is_err() {
                    return;
                }
                left -= k as u64;
            }
        }
    }
    let _ = s.shutdown().await;
}

/// Start an HTTP (or, with `tls`, HTTPS) server on loopback; it lives as long as the test's runtime.
pub async fn http_server(behavior: Behavior, tls: Option<tokio_rustls::TlsAcceptor>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let behavior = behavior.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve_conn(sock, behavior).await,
                    Some(acc) => {
                        if let Ok(s) = acc.accept(sock).await {
                            serve_conn(s, behavior).await
                        }
                    }
                }
            });
        }
    });
    addr
}

/// A raw TCP server that accepts and holds connections without a byte (for tls/redis/postgres hangs).
pub async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            held.push(sock);
        }
    });
    addr
}

/// A test CA and a server certificate for `localhost` / 127.0.0.1 it signed.
pub struct TestPki {
    pub ca_pem: String,
    pub ca_file: tempfile_path::TempPath,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

pub mod tempfile_path {
    /// A file removed on drop.
    #[derive(Debug)]
    pub struct TempPath(pub std::path::PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

pub fn temp_path(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    std::env::temp_dir().join(format!("runsheet-probes-{}-{n}-{name}", std::process::id()))
}

/// Make a PKI; `expired` makes the server certificate's validity end in the past, `days` sets how long it lasts.
pub fn pki(expired: bool, days: i64) -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Runsheet Test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().expect("leaf key");
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("leaf params");
    let now = time::OffsetDateTime::now_utc();
    if expired {
        params.not_before = now - time::Duration::days(30);
        params.not_after = now - time::Duration::days(1);
    } else {
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(days);
    }
    let cert = params.signed_by(&key, &issuer).expect("leaf cert");

    let ca_path = temp_path("ca.pem");
    std::fs::write(&ca_path, ca_cert.pem()).expect("writing ca pem");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
    TestPki {
        ca_pem: ca_cert.pem(),
        ca_file: tempfile_path::TempPath(ca_path),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    }
}

// --------------------------------------------------------------------------------------------------------------
// redis-server and PostgreSQL.

/// A child process killed (and its data removed) on drop.
pub struct Server {
    pub port: u16,
    child: Option<Child>,
    stop: Option<Box<dyn FnOnce() + Send>>,
    dir: Option<PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(d) = self.dir.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(bin)).find(|p| p.is_file())
}

fn answers(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// redis-server on a fresh loopback port with `requirepass`, or None (skipped outside CI) when not installed.
pub fn redis(password: &str) -> Option<Server> {
    let Some(bin) = which("redis-server") else {
        unavailable("redis-server is not installed (apt-get install redis-server)");
        return None;
    };
    let port = free_port();
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--requirepass", password])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting redis-server");
    let server = Server { port, child: Some(child), stop: None, dir: None };
    assert!(wait_for(Duration::from_secs(10), || answers(port)), "redis-server did not listen on {port}");
    Some(server)
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path().join("bin")).collect();
    dirs.sort();
    dirs.into_iter().rev().find(|d| d.join("initdb").is_file())
}

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// PostgreSQL in a temp dir with password (scram) auth for user `runsheet`.
pub fn postgres(password: &str) -> Option<Server> {
    let Some(bin) = pg_bin() else {
        unavailable("PostgreSQL is not installed (apt-get install postgresql)");
        return None;
    };
    let dir = temp_path("pg");
    std::fs::create_dir_all(&dir).expect("pg dir");
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, password).expect("pwfile");
    let as_pg = |cmd: &mut Command| {
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(cmd.get_program()).args(cmd.get_args());
            c
        } else {
            let mut c = Command::new(cmd.get_program());
            c.args(cmd.get_args());
            c
        }
    };
    if is_root() {
        let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().is_ok_and(|s| s.success());
        assert!(ok, "chown of the PostgreSQL temp dir to postgres failed");
    }
    let data = dir.join("data");
    let out = as_pg(Command::new(bin.join("initdb")).arg("-D").arg(&data).args(["-A", "scram-sha-256", "-U", "runsheet", "--no-sync"]).arg(format!("--pwfile={}", pwfile.display())))
        .output()
        .expect("running initdb");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
    let port = free_port();
    let opts = format!("-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", dir.display());
    let out = as_pg(Command::new(bin.join("pg_ctl")).arg("-D").arg(&data).args(["-o", &opts, "-l"]).arg(dir.join("log")).args(["-w", "start"]))
        .output()
        .expect("running pg_ctl start");
    assert!(out.status.success(), "pg_ctl start failed: {}", String::from_utf8_lossy(&out.stderr));
    let stop_cmd: Vec<std::ffi::OsString> = {
        let c = as_pg(Command::new(bin.join("pg_ctl")).arg("-D").arg(&data).args(["-m", "immediate", "stop"]));
        std::iter::once(c.get_program().to_owned()).chain(c.get_args().map(|a| a.to_owned())).collect()
    };
    let server = Server {
        port,
        child: None,
        stop: Some(Box::new(move || {
            let _ = Command::new(&stop_cmd[0]).args(&stop_cmd[1..]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        })),
        dir: Some(dir),
    };
    assert!(wait_for(Duration::from_secs(20), || answers(port)), "postgres did not listen on {port}");
    Some(server)
}

/// A keyring store on a service unique to this test, or None (skipped outside CI) without a keyring.
pub fn keyring_store(test: &str) -> Option<runsheet_secrets::SecretStore> {
    let service = format!("runsheet-probes-test-{test}-{}", std::process::id());
    match runsheet_secrets::SecretStore::with_service(&service).and_then(|s| s.check().map(|()| s)) {
        Ok(s) => Some(s),
        Err(e) => {
            unavailable(&format!("no keyring: {e}"));
            None
        }
    }
}
