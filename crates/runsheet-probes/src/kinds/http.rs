//! `http` probes with reqwest (rustls): status, body substring and JSON pointer checks.
//!
//! The body is streamed: every byte is hashed, the first 64 KiB kept, and reading stops at the deadline. A body cut
//! by the deadline is judged on what arrived: checks that the received part already satisfies pass (the detail
//! says the body was cut), checks that need the rest end in `timeout`.

use std::error::Error as _;

use runsheet_core::probe::{JsonCheck, Outcome};
use tokio::time::{timeout_at, Instant};

use super::Attempt;
use crate::capture::Capture;

#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub expect_status: u16,
    pub body_contains: Option<String>,
    pub json: Option<JsonCheck>,
    pub insecure: bool,
    pub ca_file: Option<String>,
    /// Longest secret value, kept beyond the excerpt so masking sees it whole.
    pub slack: usize,
    /// The request carries a secret (in its URL or headers): redirects may not leave the host the secret is bound
    /// to, since reqwest forwards custom headers such as `X-Api-Key` across hosts.
    pub same_host_redirects: bool,
}

fn client(req: &HttpRequest) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("runsheet-probe/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect_policy(req.same_host_redirects));
    if req.insecure {
        b = b.danger_accept_invalid_certs(true);
    }
    if let Some(path) = &req.ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("reading ca_file {path}: {e}"))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("ca_file {path}: {e}"))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| format!("building the HTTP client: {e}"))
}

fn redirect_policy(same_host: bool) -> reqwest::redirect::Policy {
    if !same_host {
        return reqwest::redirect::Policy::limited(5);
    }
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().and_then(|u| u.host_str()).map(str::to_ascii_lowercase);
        let next = attempt.url().host_str().map(str::to_ascii_lowercase);
        if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else if first != next {
            let to = next.unwrap_or_default();
            attempt.error(format!("redirect to {to} refused: the request carries a secret bound to its host"))
        } else {
            attempt.follow()
        }
    })
}

/// The most specific cause in a reqwest error chain ("connection refused", "certificate expired", ...).
fn cause(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    // reqwest's own text repeats the URL (which may hold a secret); the innermost cause does not.
    msg
}

pub(crate) async fn run(req: HttpRequest, deadline: Instant) -> Attempt {
    let client = match client(&req) {
        Ok(c) => c,
        Err(m) => return Attempt::error(m),
    };
    let method = match reqwest::Method::from_bytes(req.method.as_bytes()) {
        Ok(m) => m,
        Err(_) => return Attempt::error(format!("invalid HTTP method {}", req.method)),
    };
    let mut builder = client.request(method, &req.url);
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let response = match timeout_at(deadline, builder.send()).await {
        Err(_) => return Attempt::timeout("no response before the timeout"),
        Ok(Err(e)) => {
            let why = cause(&e);
            let kind = if e.is_connect() { "cannot connect" } else { "request failed" };
            return Attempt::error(format!("{kind}: {why}"));
        }
        Ok(Ok(r)) => r,
    };
    let status = response.status().as_u16();
    let mut capture = Capture::new(req.slack);
    let mut response = response;
    let mut complete = true;
    let mut read_error = None;
    loop {
        match timeout_at(deadline, response.chunk()).await {
            Err(_) => {
                complete = false;
                break;
            }
            Ok(Ok(Some(chunk))) => capture.push(&chunk),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => {
                complete = false;
                read_error = Some(cause(&e));
                break;
            }
        }
        // Stop early once the deadline has passed even if the server keeps the pipe full.
        if Instant::now() >= deadline {
            complete = false;
            break;
        }
    }
    let mut a = judge(&req, status, &capture, complete, read_error);
    a.status_code = Some(status);
    a.capture = Some(capture);
    a
}

fn judge(req: &HttpRequest, status: u16, capture: &Capture, complete: bool, read_error: Option<String>) -> Attempt {
    if status != req.expect_status {
        return Attempt::fail(format!("status {status}, expected {}", req.expect_status));
    }
    let cut = if complete {
        String::new()
    } else {
        match &read_error {
            Some(e) => format!(" (body cut after {} bytes: {e})", capture.total()),
            None => format!(" (body cut by the timeout after {} bytes)", capture.total()),
        }
    };
    let incomplete = |what: &str| {
        if read_error.is_some() {
            Attempt::error(format!("status {status}; {what}{cut}"))
        } else {
            Attempt::timeout(format!("status {status}; {what}{cut}"))
        }
    };
    if let Some(needle) = &req.body_contains {
        // The whole body is only hashed, so the substring check sees the kept start of the body.
        let found = memmem(capture.kept(), needle.as_bytes());
        if !found {
            if !complete {
                return incomplete("body text not found in what arrived");
            }
            let where_ = if capture.total() > capture.kept().len() as u64 { " in the first 64 KiB" } else { "" };
            return Attempt::fail(format!("status {status}; body does not contain the expected text{where_}"));
        }
    }
    if let Some(check) = &req.json {
        if !complete {
            return incomplete("JSON check needs the whole body");
        }
        if capture.total() > capture.kept().len() as u64 {
            return Attempt::fail(format!("status {status}; body too large for a JSON check ({} bytes)", capture.total()));
        }
        let doc: serde_json::Value = match serde_json::from_slice(capture.kept()) {
            Ok(d) => d,
            Err(e) => return Attempt::fail(format!("status {status}; body is not JSON: {e}")),
        };
        if let Err(why) = check.evaluate(&doc) {
            return Attempt::fail(format!("status {status}; {why}"));
        }
    }
    let mut a = Attempt::new(Outcome::Pass, format!("status {status}{cut}"));
    if let Some(e) = read_error {
        if req.body_contains.is_none() && req.json.is_none() {
            a = Attempt::error(format!("status {status}; reading the body failed: {e}"));
        }
    }
    a
}

fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}
