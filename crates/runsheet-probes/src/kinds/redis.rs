//! `redis` probes speaking RESP directly over TCP: optional `AUTH password`, then `PING` must answer `+PONG`.
//!
//! Replies are read one line at a time with a 4 KiB cap, so a hostile server cannot make us buffer without bound.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::time::{timeout_at, Instant};

use super::{net, Attempt};

fn command(parts: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for p in parts {
        out.extend_from_slice(format!("${}\r\n", p.len()).as_bytes());
        out.extend_from_slice(p.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

async fn read_line<R: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<R>, deadline: Instant) -> Result<String, Attempt> {
    let mut buf = Vec::new();
    let mut limited = (&mut *r).take(4096);
    match timeout_at(deadline, limited.read_until(b'\n', &mut buf)).await {
        Err(_) => Err(Attempt::timeout("no answer from redis before the timeout")),
        Ok(Err(e)) => Err(Attempt::error(format!("reading from redis: {}", super::describe_io_error(&e)))),
        Ok(Ok(0)) => Err(Attempt::error("redis closed the connection".into())),
        Ok(Ok(_)) => Ok(String::from_utf8_lossy(&buf).trim_end().to_string()),
    }
}

use tokio::io::AsyncReadExt as _;

pub(crate) async fn run(address: &str, password: Option<&str>, deadline: Instant) -> Attempt {
    let stream = match net::connect(address, deadline).await {
        Ok(s) => s,
        Err(a) => return a,
    };
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    if let Some(pw) = password {
        if let Err(e) = timeout_at(deadline, wr.write_all(&command(&["AUTH", pw]))).await.unwrap_or_else(|_| {
            Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "timeout"))
        }) {
            return Attempt::error(format!("sending AUTH: {e}"));
        }
        match read_line(&mut rd, deadline).await {
            Err(a) => return a,
            Ok(l) if l == "+OK" => {}
            Ok(l) => return Attempt::fail(format!("AUTH refused: {l}")),
        }
    }
    if let Err(e) = timeout_at(deadline, wr.write_all(&command(&["PING"]))).await.unwrap_or_else(|_| {
        Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "timeout"))
    }) {
        return Attempt::error(format!("sending PING: {e}"));
    }
    match read_line(&mut rd, deadline).await {
        Err(a) => a,
        Ok(l) if l == "+PONG" => Attempt::pass(format!("PING → PONG{}", if password.is_some() { " (authenticated)" } else { "" })),
        Ok(l) => Attempt::fail(format!("PING answered {l:?}, expected +PONG")),
    }
}
