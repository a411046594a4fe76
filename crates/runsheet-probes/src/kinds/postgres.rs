//! `postgres` probes with tokio-postgres: connect (password from a keyring secret), run the query with the simple
//! protocol and compare the first column of the first row with `expect`.
//!
//! Connections are plain TCP (`NoTls`): a server that requires TLS is reported as an error naming that.

use std::str::FromStr;

use tokio::time::{timeout_at, Instant};

use super::Attempt;

pub(crate) async fn run(url: &str, password: Option<&str>, query: &str, expect: Option<&str>, deadline: Instant) -> Attempt {
    let mut config = match tokio_postgres::Config::from_str(url) {
        Ok(c) => c,
        Err(e) => return Attempt::error(format!("invalid postgres url: {e}")),
    };
    if let Some(pw) = password {
        config.password(pw);
    }
    let remaining = deadline.saturating_duration_since(Instant::now());
    config.connect_timeout(remaining);
    let (client, connection) = match timeout_at(deadline, config.connect(tokio_postgres::NoTls)).await {
        Err(_) => return Attempt::timeout("no postgres connection before the timeout"),
        Ok(Err(e)) => {
            let msg = match e.as_db_error() {
                Some(db) => format!("{}: {}", db.code().code(), db.message()),
                None => {
                    let mut m = e.to_string();
                    let mut src = std::error::Error::source(&e);
                    while let Some(s) = src {
                        m = format!("{m}: {s}");
                        src = s.source();
                    }
                    m
                }
            };
            // Authentication refused is the server answering "no": a failed check, not a broken probe.
            if e.as_db_error().is_some_and(|d| d.code().code().starts_with("28")) {
                return Attempt::fail(format!("connection refused by the server: {msg}"));
            }
            return Attempt::error(format!("cannot connect: {msg}"));
        }
        Ok(Ok(pair)) => pair,
    };
    let conn = tokio::spawn(connection);
    let result = timeout_at(deadline, client.simple_query(query)).await;
    drop(client);
    conn.abort();
    let messages = match result {
        Err(_) => return Attempt::timeout("query did not finish before the timeout"),
        Ok(Err(e)) => {
            let msg = e.as_db_error().map(|d| format!("{}: {}", d.code().code(), d.message())).unwrap_or(e.to_string());
            return Attempt::fail(format!("query failed: {msg}"));
        }
        Ok(Ok(m)) => m,
    };
    let first = messages.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
        _ => None,
    });
    let shown = match &first {
        Some(Some(v)) => v.clone(),
        Some(None) => "NULL".into(),
        None => "no rows".into(),
    };
    match expect {
        None => Attempt::pass(format!("{query} → {shown}")),
        Some(want) => Attempt::check(
            first.as_ref().and_then(|v| v.as_deref()) == Some(want),
            format!("{query} → {shown} (expected {want})"),
        ),
    }
}
