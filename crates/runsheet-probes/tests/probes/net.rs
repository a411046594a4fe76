//! `tcp`, `port_free` and `dns` probes against loopback listeners and localhost names.

use std::time::Duration;

use runsheet_core::probe::Outcome;

use crate::support::*;

#[tokio::test]
async fn tcp_reachable_refused_and_unknown() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let ev = probe(&format!("kind = \"tcp\"\naddress = \"{addr}\"")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    drop(l);
    let ev = probe(&format!("kind = \"tcp\"\naddress = \"127.0.0.1:{}\"", free_port())).await;
    assert_eq!(ev.outcome, Outcome::Fail, "refused means not reachable: {ev:?}");
    assert!(ev.detail.contains("refused"), "{}", ev.detail);
    let ev = probe("kind = \"tcp\"\naddress = \"no-such-host.invalid:80\"\ntimeout = \"3s\"").await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
    assert_within(&ev, Duration::from_millis(3500));
}

#[tokio::test]
async fn port_free_sees_a_listener() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let ev = probe(&format!("kind = \"port_free\"\nport = {port}")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    drop(l);
    let ev = probe(&format!("kind = \"port_free\"\nport = {port}")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
}

#[tokio::test]
async fn dns_resolves_localhost_and_refuses_invalid() {
    let ev = probe("kind = \"dns\"\nname = \"localhost\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe("kind = \"dns\"\nname = \"localhost\"\nexpect = \"127.0.0.1\"").await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe("kind = \"dns\"\nname = \"localhost\"\nexpect = \"10.9.8.7\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    let ev = probe("kind = \"dns\"\nname = \"no-such-host.invalid\"\ntimeout = \"3s\"").await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert_within(&ev, Duration::from_millis(3500));
}
