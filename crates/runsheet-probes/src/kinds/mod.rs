//! One module per probe kind; each runs a single attempt against a deadline and reports an [`Attempt`].
//!
//! Every attempt ends by its deadline: network reads and process output are bounded by `timeout_at`, and the
//! runner adds nothing on top. Secrets are substituted here, at the last moment, and never appear in `detail`
//! unmasked (the runner masks the finished evidence by value as well).

mod http;
mod local;
mod net;
mod postgres;
mod redis;
mod shell;
mod tls;

use runsheet_core::probe::{Outcome, ProbeCheck};
use tokio::time::Instant;

use crate::capture::Capture;
use crate::secrets::ResolvedSecrets;

/// The result of one attempt, before it becomes evidence.
#[derive(Debug)]
pub(crate) struct Attempt {
    pub outcome: Outcome,
    pub detail: String,
    pub status_code: Option<u16>,
    pub exit_code: Option<i32>,
    pub capture: Option<Capture>,
}

impl Attempt {
    pub fn new(outcome: Outcome, detail: impl Into<String>) -> Self {
        Attempt { outcome, detail: detail.into(), status_code: None, exit_code: None, capture: None }
    }
    pub fn pass(detail: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, detail)
    }
    pub fn fail(detail: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, detail)
    }
    pub fn error(detail: String) -> Self {
        Self::new(Outcome::Error, detail)
    }
    pub fn timeout(detail: impl Into<String>) -> Self {
        Self::new(Outcome::Timeout, detail)
    }
    /// Pass when `ok`, fail otherwise.
    pub fn check(ok: bool, detail: impl Into<String>) -> Self {
        Self::new(if ok { Outcome::Pass } else { Outcome::Fail }, detail)
    }
}

/// Run one attempt of `check`, finishing by `deadline`.
pub(crate) async fn attempt(check: &ProbeCheck, deadline: Instant, secrets: &ResolvedSecrets) -> Attempt {
    let sub = |s: &str| secrets.substitute(s);
    macro_rules! s {
        ($e:expr) => {
            match sub($e) {
                Ok(v) => v,
                Err(m) => return Attempt::error(m),
            }
        };
    }
    match check {
        ProbeCheck::Http { url, method, headers, expect_status, body_contains, json, insecure, ca_file } => {
            let mut hs = Vec::new();
            for (k, v) in headers {
                hs.push((k.clone(), s!(v)));
            }
            let req = http::HttpRequest {
                url: s!(url),
                method: method.clone(),
                headers: hs,
                expect_status: *expect_status,
                body_contains: match body_contains {
                    Some(b) => Some(s!(b)),
                    None => None,
                },
                json: json.clone(),
                insecure: *insecure,
                ca_file: ca_file.clone(),
                slack: secrets.masker().longest(),
                same_host_redirects: !runsheet_core::probe::parse_secret_refs(url).unwrap_or_default().is_empty()
                    || headers.values().any(|v| v.contains("{{secret:")),
            };
            http::run(req, deadline).await
        }
        ProbeCheck::Tcp { address } => net::tcp(&s!(address), deadline).await,
        ProbeCheck::PortFree { port, host } => net::port_free(&s!(host), *port).await,
        ProbeCheck::Dns { name, expect } => net::dns(&s!(name), expect.as_deref(), deadline).await,
        ProbeCheck::Tls { address, server_name, min_days, insecure, ca_file } => {
            let sn = match server_name {
                Some(n) => Some(s!(n)),
                None => None,
            };
            tls::run(&s!(address), sn, *min_days, *insecure, ca_file.as_deref(), deadline).await
        }
        ProbeCheck::Redis { address, password } => {
            let pw = match password {
                Some(p) => Some(s!(p)),
                None => None,
            };
            redis::run(&s!(address), pw.as_deref(), deadline).await
        }
        ProbeCheck::Postgres { url, password, query, expect } => {
            let pw = match password {
                Some(p) => Some(s!(p)),
                None => None,
            };
            postgres::run(&s!(url), pw.as_deref(), &s!(query), expect.as_deref(), deadline).await
        }
        ProbeCheck::Disk { path, min_free } => local::disk(&s!(path), min_free.0).await,
        ProbeCheck::Env { name } => local::env(name),
        ProbeCheck::File { path } => local::file(&s!(path)).await,
        ProbeCheck::Shell { command, cwd, env, expect_exit } => {
            shell::run(command, cwd.as_deref(), env, *expect_exit, secrets, deadline).await
        }
    }
}

/// Seconds left before `deadline`, for messages.
pub(crate) fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        std::io::ErrorKind::UnexpectedEof => "connection closed before an answer".into(),
        _ => e.to_string(),
    }
}
