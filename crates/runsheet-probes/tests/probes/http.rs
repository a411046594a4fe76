//! `http` probes: checks, HTTPS verification, and hostile servers that must not outlive the timeout.

use std::time::Duration;

use runsheet_core::probe::{Outcome, EXCERPT_LIMIT};
use runsheet_probes::ResolvedSecrets;
use runsheet_secrets::Sensitive;

use crate::support::*;

#[tokio::test]
async fn status_body_and_json_checks() {
    let body = r#"{"status":"ok","error_rate":0.002}"#.to_string();
    let addr = http_server(Behavior::Respond(200, "application/json", body), None).await;
    let url = format!("http://{addr}/health");
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\nbody_contains = \"ok\"\njson = '/status == \"ok\"'")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(ev.status_code, Some(200));
    assert_eq!(ev.excerpt, r#"{"status":"ok","error_rate":0.002}"#);
    assert_eq!(ev.sha256.as_deref().map(str::len), Some(64));
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\njson = \"/error_rate < 0.001\"")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert!(ev.detail.contains("/error_rate is 0.002"), "{}", ev.detail);
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\nexpect_status = 204")).await;
    assert_eq!(ev.outcome, Outcome::Fail);
    assert_eq!(ev.detail, "status 200, expected 204");
}

#[tokio::test]
async fn https_verifies_certificates_unless_insecure() {
    let pki = pki(false, 90);
    let addr = http_server(Behavior::Respond(200, "text/plain", "secure".into()), Some(pki.acceptor.clone())).await;
    let url = format!("https://localhost:{}/", addr.port());
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"")).await;
    assert_eq!(ev.outcome, Outcome::Error, "an unknown CA must be refused by default: {ev:?}");
    assert!(ev.detail.to_lowercase().contains("certificate") || ev.detail.contains("issuer"), "{}", ev.detail);
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\nca_file = \"{}\"", pki.ca_file.0.display())).await;
    assert_eq!(ev.outcome, Outcome::Pass, "trusted through ca_file: {ev:?}");
    assert_eq!(ev.excerpt, "secure");
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\ninsecure = true")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let pki = pki(true, 0);
    let addr = http_server(Behavior::Respond(200, "text/plain", "x".into()), Some(pki.acceptor.clone())).await;
    let url = format!("https://localhost:{}/", addr.port());
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\nca_file = \"{}\"", pki.ca_file.0.display())).await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.to_lowercase().contains("expired"), "{}", ev.detail);
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let addr = http_server(Behavior::Hang, None).await;
    let ev = probe(&format!("kind = \"http\"\nurl = \"http://{addr}/\"\ntimeout = \"1s\"")).await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(1500));
}

#[tokio::test]
async fn dripping_server_times_out() {
    let addr = http_server(Behavior::Drip, None).await;
    let ev = probe(&format!("kind = \"http\"\nurl = \"http://{addr}/\"\ntimeout = \"2s\"")).await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(2500));
}

#[tokio::test]
async fn one_gigabyte_body_is_cut_at_the_timeout_with_a_capped_excerpt() {
    let addr = http_server(Behavior::Huge(1 << 30), None).await;
    let url = format!("http://{addr}/big");
    // Status-only check: the status decides; the cut body is hashed as far as it arrived.
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\ntimeout = \"2s\"")).await;
    assert_within(&ev, Duration::from_millis(2500));
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert!(ev.detail.contains("body cut by the timeout") || ev.bytes == 1 << 30, "{}", ev.detail);
    assert!(ev.excerpt.len() <= EXCERPT_LIMIT && ev.excerpt_truncated);
    // A check needing the whole body cannot pass on a cut body: timeout.
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\ntimeout = \"1s\"\njson = \"/x\"")).await;
    assert_within(&ev, Duration::from_millis(1500));
    if ev.bytes < 1 << 30 {
        assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    }
    // A substring found in the part that arrived decides on its own.
    let ev = probe(&format!("kind = \"http\"\nurl = \"{url}\"\ntimeout = \"1s\"\nbody_contains = \"zzzz\"")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
}

#[tokio::test]
async fn refused_and_unknown_hosts_are_errors() {
    let port = free_port();
    let ev = probe(&format!("kind = \"http\"\nurl = \"http://127.0.0.1:{port}/\"")).await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.contains("refused"), "{}", ev.detail);
    let ev = probe("kind = \"http\"\nurl = \"http://no-such-host.invalid/\"\ntimeout = \"3s\"").await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert_within(&ev, Duration::from_millis(3500));
}

#[tokio::test]
async fn secrets_in_headers_are_sent_and_masked_in_evidence() {
    let addr = http_server(Behavior::Echo, None).await;
    let mut secrets = ResolvedSecrets::none();
    secrets.insert("api_token", Sensitive::new("tok-3xQ9-very-secret".into()));
    let ev = probe_with(
        &format!("kind = \"http\"\nurl = \"http://{addr}/?t={{{{secret:api_token}}}}\"\nheaders = {{ Authorization = \"Bearer {{{{secret:api_token}}}}\" }}\nbody_contains = \"Bearer tok-3xQ9\""),
        secrets,
    )
    .await;
    assert_eq!(ev.outcome, Outcome::Pass, "the server saw the real value: {ev:?}");
    let json = serde_json::to_string(&ev.to_value()).unwrap();
    assert!(!json.contains("tok-3xQ9-very-secret"), "secret leaked into evidence: {json}");
    assert!(ev.excerpt.contains("Bearer [secret:api_token]"), "{}", ev.excerpt);
}

#[tokio::test]
async fn missing_secret_is_an_error_naming_it() {
    let ev = probe("kind = \"http\"\nurl = \"http://127.0.0.1:1/\"\nheaders = { X = \"{{secret:absent}}\" }").await;
    assert_eq!(ev.outcome, Outcome::Error);
    assert!(ev.detail.contains("absent"), "{}", ev.detail);
}

/// An HTTP server on `ip` answering every request with `response`, keeping the request heads.
fn threaded_server(ip: &str, response: String) -> (u16, crate::http_server::Seen) {
    crate::http_server::http_server(ip, move |_| response.clone().into_bytes())
}

/// reqwest forwards custom headers such as `X-Api-Key` across a redirect to another host: a request carrying a
/// secret (bound to its host) must not follow one, while a request without secrets still does.
#[tokio::test]
async fn a_request_carrying_a_secret_does_not_follow_a_redirect_to_another_host() {
    let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".to_string();
    let (other, seen) = threaded_server("127.0.0.2", ok);
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:{other}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (first, _) = threaded_server("127.0.0.1", redirect);
    let mut secrets = ResolvedSecrets::none();
    secrets.insert("tok", Sensitive::new("tok-REDIRECT-77".into()));
    let with_secret = format!("kind = \"http\"\nurl = \"http://127.0.0.1:{first}/\"\nheaders = {{ X-Api-Key = \"{{{{secret:tok}}}}\" }}");
    let ev = probe_with(&with_secret, secrets).await;
    assert_ne!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert!(ev.detail.contains("redirect to 127.0.0.2 refused"), "says why: {}", ev.detail);
    assert!(seen.lock().map(|s| s.is_empty()).unwrap_or(false), "127.0.0.2 got nothing: {seen:?}");

    let ev = probe(&format!("kind = \"http\"\nurl = \"http://127.0.0.1:{first}/\"")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "without a secret the redirect is followed: {ev:?}");
    assert_eq!(seen.lock().map(|s| s.len()).unwrap_or(0), 1);
}

/// The bindings are checked against the host core reads from the URL as written; the request must go there and
/// nowhere else. WHATWG URL parsing (reqwest's) reads `http://a\@b/` as host `a`, and a secret value holding `@`
/// and `/` in a URL's user part moves the host after substitution: both are refused before any connection.
#[tokio::test]
async fn a_request_carrying_a_secret_goes_only_to_the_host_its_binding_was_checked_against() {
    let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".to_string();
    let (elsewhere, seen) = threaded_server("127.0.0.2", ok.clone());
    let (bound, bound_seen) = threaded_server("127.0.0.1", ok);
    let secrets = |v: &str| {
        let mut s = ResolvedSecrets::none();
        s.insert("tok", Sensitive::new(v.into()));
        s
    };
    let header = "headers = { X-Api-Key = \"{{secret:tok}}\" }";

    // A backslash before the user part: a plain split reads 127.0.0.1, reqwest would connect to 127.0.0.2 (core now
    // names no host for it, so the plan refuses it too; the runner's own check is what this tests).
    let backslash = format!("kind = \"http\"\nurl = \"http://127.0.0.2:{elsewhere}\\\\@127.0.0.1:{bound}/\"\n{header}");
    let ev = probe_with(&backslash, secrets("tok-BACKSLASH-41")).await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.contains("would go to 127.0.0.2"), "says where and why: {}", ev.detail);

    // A secret in the user part whose value ends the authority early.
    let moved = format!("kind = \"http\"\nurl = \"http://{{{{secret:tok}}}}@127.0.0.1:{bound}/\"");
    let ev = probe_with(&moved, secrets(&format!("x@127.0.0.2:{elsewhere}/"))).await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert!(ev.detail.contains("would go to 127.0.0.2"), "{}", ev.detail);
    assert!(seen.lock().map(|s| s.is_empty()).unwrap_or(false), "127.0.0.2 got nothing: {seen:?}");

    // The same secret to the host it was checked against goes through.
    let fine = format!("kind = \"http\"\nurl = \"http://127.0.0.1:{bound}/\"\n{header}");
    let ev = probe_with(&fine, secrets("tok-FINE-42")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(bound_seen.lock().map(|s| s.len()).unwrap_or(0), 1);
}
