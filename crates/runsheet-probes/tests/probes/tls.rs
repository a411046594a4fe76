//! `tls` probes: days left, hostname, trust and an expired certificate, against a rustls server on loopback.

use std::time::Duration;

use runsheet_core::probe::Outcome;

use crate::support::*;

#[tokio::test]
async fn days_left_hostname_and_trust() {
    let pki = pki(false, 30);
    let addr = http_server(Behavior::Respond(200, "text/plain", "x".into()), Some(pki.acceptor.clone())).await;
    let ca = pki.ca_file.0.display();
    let a = format!("localhost:{}", addr.port());
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{a}\"\nca_file = \"{ca}\"")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert!(ev.detail.contains("trusted"), "{}", ev.detail);
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{a}\"\nca_file = \"{ca}\"\nmin_days = 60")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "30 days left < 60: {ev:?}");
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{a}\"\nca_file = \"{ca}\"\nserver_name = \"example.com\"")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert!(ev.detail.contains("not valid for example.com"), "{}", ev.detail);
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{a}\"")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "unknown CA: {ev:?}");
    assert!(ev.detail.contains("not trusted"), "{}", ev.detail);
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{a}\"\ninsecure = true")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
}

#[tokio::test]
async fn expired_certificate_fails_with_its_date() {
    let pki = pki(true, 0);
    let addr = http_server(Behavior::Respond(200, "text/plain", "x".into()), Some(pki.acceptor.clone())).await;
    let ev = probe(&format!("kind = \"tls\"\naddress = \"localhost:{}\"\ninsecure = true", addr.port())).await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert!(ev.detail.contains("expired on"), "{}", ev.detail);
}

#[tokio::test]
async fn silent_server_times_out_the_handshake() {
    let addr = silent_server().await;
    let ev = probe(&format!("kind = \"tls\"\naddress = \"{addr}\"\ntimeout = \"1s\"")).await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(1500));
}
