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

use std::collections::BTreeSet;

use runsheet_core::probe::{destination, normalize_host, url_hosts, Destination, Outcome, ProbeCheck};
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

/// The `{{secret:NAME}}` names in `s` (none when it has no valid reference).
fn secret_refs_of(s: &str) -> Vec<String> {
    runsheet_core::probe::parse_secret_refs(s).unwrap_or_default()
}

/// A probe carrying a secret must connect to the hosts its bindings were checked against: the destination core
/// reads from the spec as written. Filling in a secret (a value holding `@` or `/` in a URL's user part) or a URL
/// that another parser reads differently (`http://a\@b/` goes to `a`) must not move the request elsewhere.
fn same_destination(check: &ProbeCheck, sent: BTreeSet<String>) -> Result<(), String> {
    let checked = match destination(check) {
        Destination::Hosts(h) => h,
        _ => BTreeSet::new(),
    };
    if !sent.is_empty() && sent.is_subset(&checked) {
        return Ok(());
    }
    let sent = if sent.is_empty() { "no host".to_string() } else { sent.into_iter().collect::<Vec<_>>().join(", ") };
    let checked = if checked.is_empty() {
        "a host its secrets could be bound to".to_string()
    } else {
        format!("{} that its secrets are bound to", checked.into_iter().collect::<Vec<_>>().join(", "))
    };
    Err(format!(
        "refused: the request would go to {sent}, not to {checked} (a secret value or the URL itself changes the \
         host; percent-encode `@`, `/` and `\\` in URLs)"
    ))
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
            let carries_secret = !secret_refs_of(url).is_empty() || headers.values().any(|v| !secret_refs_of(v).is_empty());
            let url = s!(url);
            if carries_secret {
                // The bindings were checked against the host core reads from the URL as written; the request goes
                // to the host reqwest reads from the URL as sent. They must be the same host.
                let sent = reqwest::Url::parse(&url).ok().and_then(|u| u.host_str().map(normalize_host));
                if let Err(m) = same_destination(check, sent.into_iter().collect()) {
                    return Attempt::error(m);
                }
            }
            let req = http::HttpRequest {
                url,
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
                same_host_redirects: carries_secret,
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
            let sent = s!(url);
            if !secret_refs_of(url).is_empty() {
                let hosts = match url_hosts(&sent) {
                    Destination::Hosts(h) => h,
                    _ => BTreeSet::new(),
                };
                if let Err(m) = same_destination(check, hosts) {
                    return Attempt::error(m);
                }
            }
            postgres::run(&sent, pw.as_deref(), &s!(query), expect.as_deref(), deadline).await
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
