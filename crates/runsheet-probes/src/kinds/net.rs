//! `tcp`, `port_free` and `dns` probes with tokio's resolver and sockets.
//!
//! A refused connection is a `fail` for `tcp` (the check "reachable" did not hold); a name that does not resolve
//! is a `fail` for `dns` and an `error` elsewhere (the probe could not be carried out).

use std::net::{IpAddr, SocketAddr};

use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::{describe_io_error, Attempt};

/// Resolve `host:port`, bounded by the deadline.
pub(crate) async fn resolve(address: &str, deadline: Instant) -> Result<Vec<SocketAddr>, Attempt> {
    match timeout_at(deadline, tokio::net::lookup_host(address)).await {
        Err(_) => Err(Attempt::timeout(format!("resolving {address} took longer than the timeout"))),
        Ok(Err(e)) => Err(Attempt::error(format!("cannot resolve {address}: {e}"))),
        Ok(Ok(addrs)) => {
            let v: Vec<SocketAddr> = addrs.collect();
            if v.is_empty() {
                Err(Attempt::error(format!("cannot resolve {address}: no addresses")))
            } else {
                Ok(v)
            }
        }
    }
}

/// Connect to the first address of `address` that accepts, bounded by the deadline.
pub(crate) async fn connect(address: &str, deadline: Instant) -> Result<TcpStream, Attempt> {
    let addrs = resolve(address, deadline).await?;
    let mut last = None;
    for a in addrs {
        match timeout_at(deadline, TcpStream::connect(a)).await {
            Err(_) => return Err(Attempt::timeout(format!("no TCP connection to {address} before the timeout"))),
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) => last = Some((a, e)),
        }
    }
    let (a, e) = last.map(|(a, e)| (a.to_string(), describe_io_error(&e))).unwrap_or_default();
    Err(Attempt::error(format!("cannot connect to {address} ({a}): {e}")))
}

pub(crate) async fn tcp(address: &str, deadline: Instant) -> Attempt {
    match connect(address, deadline).await {
        Ok(s) => {
            let peer = s.peer_addr().map(|p| p.to_string()).unwrap_or_default();
            Attempt::pass(format!("connected to {peer}"))
        }
        Err(mut a) if a.outcome == runsheet_core::probe::Outcome::Error && a.detail.starts_with("cannot connect") => {
            a.outcome = runsheet_core::probe::Outcome::Fail;
            a
        }
        Err(a) => a,
    }
}

pub(crate) async fn port_free(host: &str, port: u16) -> Attempt {
    let ip: IpAddr = match host.parse() {
        Ok(ip) => ip,
        Err(_) => match tokio::net::lookup_host((host, port)).await {
            Ok(mut it) => match it.next() {
                Some(a) => a.ip(),
                None => return Attempt::error(format!("cannot resolve {host}")),
            },
            Err(e) => return Attempt::error(format!("cannot resolve {host}: {e}")),
        },
    };
    // Binding is the real question ("can the service take this port?"). std's listener does not set
    // SO_REUSEADDR, so it refuses a port any socket is listening on.
    match std::net::TcpListener::bind((ip, port)) {
        Ok(l) => {
            drop(l);
            Attempt::pass(format!("port {port} is free on {ip}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Attempt::fail(format!("port {port} is in use on {ip}")),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Attempt::error(format!("cannot check port {port} on {ip}: permission denied to bind it"))
        }
        // Not a local address: fall back to asking whether anything answers there.
        Err(_) => match std::net::TcpStream::connect_timeout(&SocketAddr::new(ip, port), std::time::Duration::from_secs(2)) {
            Ok(_) => Attempt::fail(format!("something is listening on {ip}:{port}")),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Attempt::pass(format!("nothing is listening on {ip}:{port}"))
            }
            Err(e) => Attempt::error(format!("cannot check {ip}:{port}: {e}")),
        },
    }
}

pub(crate) async fn dns(name: &str, expect: Option<&str>, deadline: Instant) -> Attempt {
    let addrs = match timeout_at(deadline, tokio::net::lookup_host((name, 0))).await {
        Err(_) => return Attempt::timeout(format!("resolving {name} took longer than the timeout")),
        Ok(Err(e)) => return Attempt::fail(format!("{name} does not resolve: {e}")),
        Ok(Ok(a)) => a,
    };
    let mut ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    ips.sort();
    ips.dedup();
    let list = ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    match expect {
        None => Attempt::check(!ips.is_empty(), format!("{name} → {list}")),
        Some(e) => match e.parse::<IpAddr>() {
            Ok(want) => Attempt::check(ips.contains(&want), format!("{name} → {list} (expected {want})")),
            Err(_) => Attempt::error(format!("expected address {e} is not an IP address")),
        },
    }
}
