//! A plain HTTP server on a loopback address for the test suites that probe one (runsheet-probes, runsheet-app,
//! runsheet-cli), written once and included with `#[path]` (test crates cannot share a module otherwise).
//!
//! It answers every request in a thread and keeps every request head it read. A probe waits for the answer, so once
//! a probe has returned, every request it made is in the list: tests read it without sleeping.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// The request heads a server received, in arrival order.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// Serve on `ip` (port chosen by the OS) with `respond(request head)` as the raw response; returns the port and
/// the heads received.
pub fn http_server(ip: &str, respond: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> (u16, Seen) {
    let l = std::net::TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("binding {ip}: {e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("no local address: {e}"));
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if let Ok(mut k) = kept.lock() {
                k.push(String::from_utf8_lossy(&head).to_string());
            }
            let _ = s.write_all(&respond(&head));
        }
    });
    (port, seen)
}

/// A server on `ip` answering `200 ok` to everything.
#[allow(dead_code)] // not every including suite needs each helper
pub fn ok_server(ip: &str) -> (u16, Seen) {
    http_server(ip, |_| b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".to_vec())
}
