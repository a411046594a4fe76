//! Team sync, PostgreSQL side: the schema (embedded forward-only migrations), member roles, idempotent push,
//! per-device pull and NOTIFY wake-ups against a team's own PostgreSQL (>= 14).
//!
//! What it leaves out: the local SQLite outbox, signature and membership checks of arriving events (runsheet-report's
//! `event_sig` and the application layer do those), and any command-line or desktop wiring. Events arrive here
//! already numbered (`device_seq`) and, in a team run, signed.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use runsheet_core::event::Event;
pub use tokio_postgres::{Client, Config};
use tokio_postgres::{AsyncMessage, NoTls};

/// Errors of team sync; messages say what failed and, where there is one, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot reach the team database: {0} (is the server running and the URL right?)")]
    Connect(String),
    #[error("the team database refused the login: {0} (check the user name and password)")]
    Auth(String),
    #[error("team database: {0}")]
    Db(String),
    #[error("the team database refused the write: {0} (an event of a device registered to another member? see `runsheet team status`)")]
    Denied(String),
    #[error("the team database has schema version {found}, this build knows up to {known}: upgrade runsheet on this laptop")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the team database has schema version {found}, this build needs {known}: the database owner must run `runsheet team init-db URL`")]
    SchemaTooOld { found: i64, known: i64 },
    #[error("the team database did not answer within {secs} s while {what} (a server that accepts connections but does not respond, or a very slow network); try again later")]
    Timeout { what: String, secs: u64 },
    #[error("invalid team database URL: {0} (expected postgresql://USER@HOST:PORT/DATABASE)")]
    BadUrl(String),
    #[error("tamper alarm: the server holds a different event under id {id} (stored hash {stored}, ours {ours})")]
    Tamper { id: String, stored: String, ours: String },
    #[error("event {id} from the server is refused: {why}")]
    BadEvent { id: String, why: String },
    #[error("event {id} has no device_seq: only numbered events can be pushed")]
    Unnumbered { id: String },
    #[error("invalid member name {0:?}: use letters, digits and underscores, starting with a letter")]
    BadName(String),
}

pub type Result<T> = std::result::Result<T, Error>;

fn db(e: tokio_postgres::Error) -> Error {
    if let Some(d) = e.as_db_error() {
        let code = d.code().code();
        // 28P01 invalid_password, 28000 invalid_authorization_specification.
        if code.starts_with("28") {
            return Error::Auth(d.message().to_string());
        }
        // 42501 insufficient_privilege: a grant or a row-level security policy refused the statement.
        if code == "42501" {
            return Error::Denied(d.message().to_string());
        }
        return Error::Db(d.message().to_string());
    }
    if e.is_closed() {
        return Error::Connect(format!("connection closed: {e}"));
    }
    Error::Db(e.to_string())
}

/// The embedded migrations, in order; migration N brings the schema to version N.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_events.sql")];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The group role every member login role belongs to.
pub const MEMBER_GROUP: &str = "runsheet_member";

/// The NOTIFY channel; the payload is a run id.
pub const CHANNEL: &str = "runsheet_events";

/// How long a connection attempt or one statement may take before it is given up with [`Error::Timeout`]: a server
/// that accepts TCP connections and then says nothing would otherwise hang a sync forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Parse a connection URL (or `key=value` string) into a [`Config`].
pub fn parse_url(url: &str) -> Result<Config> {
    url.parse::<Config>().map_err(|e| Error::BadUrl(e.to_string()))
}

/// `fut`, or [`Error::Timeout`] naming `what` when it takes longer than `limit`.
pub async fn bounded<T>(what: &str, limit: Duration, fut: impl Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout { what: what.to_string(), secs: limit.as_secs().max(1) }),
    }
}

/// The config with the socket-level timeouts set: TCP connect, and keepalives so a vanished server is noticed by
/// an idle LISTEN session too.
fn with_timeouts(cfg: &Config, limit: Duration) -> Config {
    let mut cfg = cfg.clone();
    cfg.connect_timeout(limit).keepalives(true).keepalives_idle(Duration::from_secs(10));
    cfg
}

fn connect_error(e: tokio_postgres::Error) -> Error {
    match e.as_db_error() {
        Some(_) => db(e),
        None => Error::Connect(e.to_string()),
    }
}

/// Connect, returning the client; the connection is driven by a spawned task (notifications are dropped: use
/// [`listen`] for those).
pub async fn connect(url: &str) -> Result<Client> {
    connect_config(&parse_url(url)?, DEFAULT_TIMEOUT).await
}

/// Connect with `cfg`, giving up after `limit` (TCP connect and the startup handshake together).
pub async fn connect_config(cfg: &Config, limit: Duration) -> Result<Client> {
    let cfg = with_timeouts(cfg, limit);
    let (client, conn) = bounded("connecting", limit, async { cfg.connect(NoTls).await.map_err(connect_error) }).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Create or migrate the schema and the member group role. Run as the database owner; idempotent.
pub async fn init_db(url: &str) -> Result<i64> {
    init_db_config(&parse_url(url)?, DEFAULT_TIMEOUT).await
}

/// [`init_db`] with a parsed config, connecting within `limit`.
pub async fn init_db_config(cfg: &Config, limit: Duration) -> Result<i64> {
    let mut client = connect_config(cfg, limit).await?;
    client
        .batch_execute(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MEMBER_GROUP}') THEN \
             CREATE ROLE {MEMBER_GROUP} NOLOGIN; END IF; END $$;
             CREATE TABLE IF NOT EXISTS runsheet_schema_version (version bigint NOT NULL);"
        ))
        .await
        .map_err(db)?;
    loop {
        let tx = client.transaction().await.map_err(db)?;
        // One migrator at a time: the lock is released at commit.
        tx.batch_execute("LOCK TABLE runsheet_schema_version IN EXCLUSIVE MODE").await.map_err(db)?;
        let version: i64 = tx
            .query_one("SELECT coalesce(max(version), 0) FROM runsheet_schema_version", &[])
            .await
            .map_err(db)?
            .get(0);
        if version > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew { found: version, known: SCHEMA_VERSION });
        }
        if version == SCHEMA_VERSION {
            tx.commit().await.map_err(db)?;
            return Ok(version);
        }
        let next = version + 1;
        // Version-indexed; `next` is in 1..=MIGRATIONS.len() here.
        let sql = MIGRATIONS[(next - 1) as usize];
        tx.batch_execute(sql).await.map_err(|e| Error::Db(format!("migration {next}: {}", db(e))))?;
        tx.execute("DELETE FROM runsheet_schema_version", &[]).await.map_err(db)?;
        tx.execute("INSERT INTO runsheet_schema_version (version) VALUES ($1)", &[&next]).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
    }
}

/// Check the server's schema version before syncing: too old says run `team init-db`, too new says upgrade.
pub async fn check_schema(client: &Client) -> Result<()> {
    let v: i64 = match client.query_one("SELECT coalesce(max(version), 0) FROM runsheet_schema_version", &[]).await {
        Ok(row) => row.get(0),
        // 42P01 undefined_table: `team init-db` has never run on this database.
        Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "42P01") => 0,
        Err(e) => return Err(db(e)),
    };
    if v > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew { found: v, known: SCHEMA_VERSION });
    }
    if v < SCHEMA_VERSION {
        return Err(Error::SchemaTooOld { found: v, known: SCHEMA_VERSION });
    }
    Ok(())
}

/// Whether the server holds any event of `run_id` (a run another laptop shared).
pub async fn run_exists(client: &Client, run_id: &str) -> Result<bool> {
    let row = client
        .query_one("SELECT EXISTS (SELECT 1 FROM runsheet_events WHERE run_id = $1)", &[&run_id])
        .await
        .map_err(db)?;
    Ok(row.get(0))
}

/// A device registered on the server and the login role it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device: String,
    pub member_role: String,
}

/// Every registered device, by role then device.
pub async fn devices(client: &Client) -> Result<Vec<DeviceRow>> {
    let rows = client
        .query("SELECT device, member_role FROM runsheet_devices ORDER BY member_role, device", &[])
        .await
        .map_err(db)?;
    Ok(rows.iter().map(|r| DeviceRow { device: r.get(0), member_role: r.get(1) }).collect())
}

/// What the owner hands to a new member: the URL without a password, and the password separately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCredentials {
    pub role: String,
    pub password: String,
}

/// Create a login role `name` in the member group with a generated password. Run as the owner.
pub async fn add_member(url: &str, name: &str) -> Result<MemberCredentials> {
    add_member_config(&parse_url(url)?, name, DEFAULT_TIMEOUT).await
}

/// [`add_member`] with a parsed config, connecting within `limit`.
pub async fn add_member_config(cfg: &Config, name: &str, limit: Duration) -> Result<MemberCredentials> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 60;
    if !ok {
        return Err(Error::BadName(name.to_string()));
    }
    let role = name.to_ascii_lowercase();
    let mut bytes = [0u8; 24];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    let password = hex::encode(bytes);
    let client = connect_config(cfg, limit).await?;
    // The name is checked above (identifier characters only) and the password is hex: neither can break quoting.
    client
        .batch_execute(&format!("CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}' IN ROLE {MEMBER_GROUP}"))
        .await
        .map_err(db)?;
    Ok(MemberCredentials { role, password })
}

/// Register `device` to the connected login role (a member does this for its own laptop).
pub async fn register_device(client: &Client, device: &str) -> Result<()> {
    client
        .execute(
            "INSERT INTO runsheet_devices (device, member_role) VALUES ($1, current_user) ON CONFLICT (device) DO NOTHING",
            &[&device],
        )
        .await
        .map_err(db)?;
    Ok(())
}

/// Push events idempotently: insert what the server lacks, then compare the stored hash of every id. Returns how
/// many rows were new. A different event under a known id is a tamper alarm naming it.
pub async fn push(client: &mut Client, events: &[Event]) -> Result<u64> {
    let tx = client.transaction().await.map_err(db)?;
    // One statement per push (arrays unnested server-side): a round trip per event would cap throughput.
    let (mut ids, mut runs, mut devices, mut seqs, mut lamports, mut hashes, mut bodies, mut fps) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for e in events {
        let seq = e.device_seq.ok_or_else(|| Error::Unnumbered { id: e.id.clone() })? as i64;
        let body = serde_json::to_string(e).map_err(|err| Error::Db(format!("serialising event {}: {err}", e.id)))?;
        ids.push(e.id.as_str());
        runs.push(e.run_id.as_str());
        devices.push(e.device.as_str());
        seqs.push(seq);
        lamports.push(e.lamport as i64);
        hashes.push(e.hash.as_str());
        bodies.push(body);
        fps.push(e.author.as_ref().map(|a| a.fingerprint.clone()));
    }
    let new = tx
        .execute(
            "INSERT INTO runsheet_events (id, run_id, device, device_seq, lamport, hash, body, author_fp) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], \
             $7::text[], $8::text[]) ON CONFLICT (id) DO NOTHING",
            &[&ids, &runs, &devices, &seqs, &lamports, &hashes, &bodies, &fps],
        )
        .await
        .map_err(db)?;
    let rows = tx
        .query("SELECT id, hash, body FROM runsheet_events WHERE id = ANY($1)", &[&ids])
        .await
        .map_err(db)?;
    let stored: BTreeMap<String, (String, String)> =
        rows.iter().map(|r| (r.get::<_, String>(0), (r.get::<_, String>(1), r.get::<_, String>(2)))).collect();
    for e in events {
        match stored.get(&e.id) {
            None => return Err(Error::Db(format!("event {} is not on the server after push", e.id))),
            Some((hash, body)) => {
                // The column and the body must both be our event: an operator could edit either.
                let body_hash = serde_json::from_str::<Event>(body).map(|b| b.compute_hash()).unwrap_or_default();
                if *hash != e.hash || body_hash != e.hash {
                    let stored = if *hash != e.hash { hash.clone() } else { body_hash };
                    return Err(Error::Tamper { id: e.id.clone(), stored, ours: e.hash.clone() });
                }
            }
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(new)
}

/// Events of `run_id` after the highest `device_seq` known per device (devices not in `known` from the start), in
/// (device, device_seq) order. Each is checked (hash recomputed, run id, column/body agreement) before it is
/// returned; the caller checks signatures and membership and stores them.
pub async fn pull(client: &Client, run_id: &str, known: &BTreeMap<String, u64>) -> Result<Vec<Event>> {
    let devices: Vec<&str> = known.keys().map(String::as_str).collect();
    let seqs: Vec<i64> = known.values().map(|v| *v as i64).collect();
    let rows = client
        .query(
            "SELECT e.id, e.hash, e.device, e.device_seq, e.body FROM runsheet_events e \
             LEFT JOIN unnest($2::text[], $3::bigint[]) AS k(device, seq) ON k.device = e.device \
             WHERE e.run_id = $1 AND e.device_seq > coalesce(k.seq, 0) ORDER BY e.device, e.device_seq",
            &[&run_id, &devices, &seqs],
        )
        .await
        .map_err(db)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.get(0);
        let bad = |why: String| Error::BadEvent { id: id.clone(), why };
        let hash: String = r.get(1);
        let device: String = r.get(2);
        let seq: i64 = r.get(3);
        let body: String = r.get(4);
        let e: Event = serde_json::from_str(&body).map_err(|err| bad(format!("unreadable body: {err}")))?;
        if !e.verify_hash() {
            return Err(Error::Tamper { id, stored: e.compute_hash(), ours: e.hash });
        }
        if e.id != id || e.hash != hash || e.device != device || e.device_seq != Some(seq as u64) {
            return Err(bad("its columns do not match its body (edited on the server)".into()));
        }
        if e.run_id != run_id {
            return Err(bad(format!("it belongs to run {}, not {run_id}", e.run_id)));
        }
        out.push(e);
    }
    Ok(out)
}

/// A LISTEN session: [`Listener::next`] returns the run id of the next notification (a wake-up, never data: pull
/// afterwards) or `None` when the timeout passes first.
#[derive(Debug)]
pub struct Listener {
    _client: Client,
    rx: tokio::sync::mpsc::UnboundedReceiver<String>,
    run_id: Option<String>,
}

/// LISTEN on the channel for `run_id`.
pub async fn listen(url: &str, run_id: &str) -> Result<Listener> {
    let mut l = listen_config(&parse_url(url)?, DEFAULT_TIMEOUT).await?;
    l.run_id = Some(run_id.to_string());
    Ok(l)
}

/// LISTEN on the channel for every run, connecting with `cfg` within `limit`.
pub async fn listen_config(cfg: &Config, limit: Duration) -> Result<Listener> {
    let cfg = with_timeouts(cfg, limit);
    let (client, mut conn) =
        bounded("connecting to listen", limit, async { cfg.connect(NoTls).await.map_err(connect_error) }).await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(msg)) = stream.next().await {
            if let AsyncMessage::Notification(n) = msg {
                if tx.send(n.payload().to_string()).is_err() {
                    break;
                }
            }
        }
        // Dropping `tx` here tells the listener the connection is gone.
    });
    bounded("starting to listen", limit, async { client.batch_execute(&format!("LISTEN {CHANNEL}")).await.map_err(db) })
        .await?;
    Ok(Listener { _client: client, rx, run_id: None })
}

impl Listener {
    /// True when woken by a notification for this run, false on timeout. An error when the connection is gone.
    pub async fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await? {
                None => return Ok(false),
                Some(run) if self.run_id.as_deref().is_none_or(|r| r == run) => return Ok(true),
                Some(_) => continue,
            }
        }
    }

    /// The run id of the next notification, `None` when `timeout` passes first. An error when the connection is
    /// gone (server stopped or restarted): reconnect and pull, since notifications sent meanwhile are lost.
    pub async fn next(&mut self, timeout: Duration) -> Result<Option<String>> {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Err(_) => Ok(None),
            Ok(None) => Err(Error::Connect("the LISTEN connection closed".into())),
            Ok(Some(run)) => Ok(Some(run)),
        }
    }

    /// Every notification already received, without waiting (several wake-ups for one run count once).
    pub fn drain(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(run) = self.rx.try_recv() {
            if !out.contains(&run) {
                out.push(run);
            }
        }
        out
    }
}
