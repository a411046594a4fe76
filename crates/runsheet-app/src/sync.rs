//! Team runs over the team's own PostgreSQL: create the schema (`team init-db`), add a member login role
//! (`team add-member`), join a team from this laptop (`team join`), share a run, sync shared runs (push the outbox,
//! pull what other devices wrote), watch for changes (LISTEN wake-ups, reconnect with backoff) and report the
//! team status. Every rule of team sync on this side lives here; the CLI and the desktop only adapt it.
//!
//! Where things live: the team URL and member name in the store's settings, **without** the password; the
//! password in the OS keyring under a service of its own ([`team_service`]), never in SQLite, logs or exports.
//! Each network step is bounded by a timeout ([`sync_timeout`]), so a server that accepts and hangs gives a clear
//! error instead of a hung command.
//!
//! Left out: the PostgreSQL protocol (runsheet-sync), numbering, the outbox and merging (runsheet-store), and the
//! signature and membership checks of arriving events and this device's membership of a run (`team.rs`:
//! `App::merge_remote`, `App::ensure_member`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use runsheet_secrets::{SecretStore, Sensitive};
use runsheet_store::{MergeOutcome, SharedRun};
use runsheet_sync::Config;
use serde::Serialize;

use crate::{required, App, Error, ErrorKind, Result};

/// Settings key of the team database URL (stored without its password).
const URL_KEY: &str = "team.url";
/// Settings key of the member name given to `team join --as`.
const MEMBER_KEY: &str = "team.member";
/// The keyring entry (in [`team_service`]) holding the team database password. The `runsheet` prefix is reserved,
/// so no probe can ever ask for it, whichever service it lives in.
const PASSWORD_ENTRY: &str = "runsheet-team-password";
/// Events pushed per statement: large enough for throughput, small enough that an acknowledged prefix survives a
/// connection lost half-way.
const PUSH_CHUNK: usize = 1000;
/// How often a watch looks at the local outbox (changes made by other processes, e.g. `runsheet run set`).
const LOCAL_POLL: Duration = Duration::from_millis(100);
/// How often a watch pulls every run even without a wake-up: NOTIFY is only a wake-up, so a lost one costs at
/// most this much latency, never data.
const SAFETY_PULL: Duration = Duration::from_secs(30);
/// Reconnect backoff of a watch: from the first to the last, doubling.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// The keyring service of team credentials: the probe secrets' service plus `-team` (`runsheet-team` by default),
/// so neither probes nor identity code ever read it.
pub fn team_service(app: &App) -> String {
    format!("{}-team", app.services().secrets)
}

/// How long one connection attempt or one statement may take: `RUNSHEET_SYNC_TIMEOUT_MS` when set (tests), else
/// runsheet-sync's default (15 s).
pub fn sync_timeout() -> Duration {
    std::env::var("RUNSHEET_SYNC_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
        .unwrap_or(runsheet_sync::DEFAULT_TIMEOUT)
}

impl From<runsheet_sync::Error> for Error {
    fn from(e: runsheet_sync::Error) -> Self {
        use runsheet_sync::Error as S;
        let kind = match &e {
            // Unreachable, hanging or dropped servers: trying again later helps (the watch loop does).
            S::Connect(_) | S::Timeout { .. } | S::Db(_) => ErrorKind::Io,
            S::Auth(_) | S::Denied(_) => ErrorKind::Refused,
            S::SchemaTooNew { .. } => ErrorKind::TooNew,
            S::SchemaTooOld { .. } => ErrorKind::Conflict,
            S::Tamper { .. } | S::BadEvent { .. } => ErrorKind::Damaged,
            S::Unnumbered { .. } | S::BadName(_) | S::BadUrl(_) => ErrorKind::Invalid,
        };
        let message = match &e {
            S::Auth(_) => format!("{e}; to store another password run `runsheet team join URL --as NAME` again"),
            _ => e.to_string(),
        };
        Error::new(kind, message)
    }
}

/// A team database URL split into what may be stored (no password) and the password it carried, if any.
#[derive(Debug, Clone)]
pub struct TeamUrl {
    /// The URL without its password: safe for settings, logs and status output.
    pub url: String,
    /// The login role the URL names.
    pub user: Option<String>,
    pub password: Option<Sensitive<String>>,
}

/// Parse a `postgresql://` (or `postgres://`) URL and take its password out: from the user part
/// (`user:PASSWORD@host`) and from a `password=` query parameter.
pub fn parse_team_url(url: &str) -> Result<TeamUrl> {
    let url = url.trim();
    let cfg = runsheet_sync::parse_url(url)?;
    let Some((scheme, rest)) = url.split_once("://").filter(|(s, _)| matches!(*s, "postgres" | "postgresql")) else {
        return Err(Error::invalid(
            "invalid team database URL: give postgresql://USER@HOST:PORT/DATABASE (a connection string without the \
             postgresql:// scheme is not accepted)",
        ));
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{hosts}")
        }
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with("password=") && !p.is_empty()).collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    let password = match cfg.get_password() {
        Some(p) => Some(Sensitive::new(
            String::from_utf8(p.to_vec()).map_err(|_| Error::invalid("the password in the URL is not UTF-8"))?,
        )),
        None => None,
    };
    Ok(TeamUrl { url: format!("{scheme}://{authority}{tail}"), user: cfg.get_user().map(str::to_string), password })
}

/// What the owner hands over to a new member: the URL to join with (no password) and the password, to be given
/// separately.
#[derive(Debug, Clone)]
pub struct MemberHandover {
    pub role: String,
    /// The owner's URL with the member's role as user and no password.
    pub url: String,
    pub password: Sensitive<String>,
}

/// This laptop's membership after `team join`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Joined {
    /// The URL as stored (no password).
    pub url: String,
    pub member: String,
    pub device: String,
    /// The identity's certificate fingerprint (it signs this laptop's events).
    pub fingerprint: String,
    pub password_stored: bool,
}

/// What one sync of one run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSync {
    pub run_id: String,
    /// Events of this device sent (new on the server or already there: the push is idempotent).
    pub pushed: usize,
    /// Of those, how many the server did not hold yet.
    pub pushed_new: u64,
    /// Events from other devices stored here.
    pub pulled: usize,
    /// Events pulled that this store already held.
    pub known: usize,
    /// The run came from the server (not on this laptop before).
    pub created: bool,
}

/// A registered device of the team and what is known about its member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub role: String,
    pub device: String,
    /// The certificate fingerprint that signed this device's latest event in a shared run here, if any.
    pub fingerprint: Option<String>,
    pub this_device: bool,
}

/// `team status`: where the team lives, what waits to be pushed, when runs last synced, who the members are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamStatus {
    /// The team database URL (no password); `None` before `team join`.
    pub server: Option<String>,
    pub member: Option<String>,
    pub device: String,
    /// Whether the server answered just now.
    pub reachable: bool,
    /// Why it did not, and what to do.
    pub server_error: Option<String>,
    pub runs: Vec<SharedRun>,
    /// Registered devices from the server (when reachable), with fingerprints seen locally.
    pub members: Vec<TeamMember>,
}

/// What a watch reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// Connected and listening; the initial sync follows.
    Listening,
    /// A run synced with something to report (events pushed or pulled).
    Synced(RunSync),
    /// The connection failed or dropped; the watch retries after `retry_in`.
    Retrying { message: String, retry_in: Duration },
    /// Nothing happened during one poll interval (lets a caller stop the watch).
    Idle,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("starting the network runtime: {e}")))
}

/// A run id as it is across laptops: a full UUID (prefixes resolve only against local runs).
fn looks_like_full_id(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

impl App {
    fn team_secrets(&self) -> Result<SecretStore> {
        Ok(SecretStore::with_service(&team_service(self))?)
    }

    /// The stored team URL (no password), or `NotFound` saying how to join.
    pub fn team_url(&self) -> Result<String> {
        self.store()?.settings_get(URL_KEY)?.ok_or_else(|| {
            Error::not_found("this laptop has not joined a team: run `runsheet team join URL --as NAME` first")
        })
    }

    /// The connection config of the joined team: the stored URL plus the password from the keyring.
    fn team_config(&self) -> Result<Config> {
        let url = self.team_url()?;
        let mut cfg = runsheet_sync::parse_url(&url)?;
        match self.team_secrets()?.get(PASSWORD_ENTRY) {
            Ok(pw) => {
                cfg.password(pw.expose().as_bytes());
            }
            Err(runsheet_secrets::SecretError::NotFound { .. }) => {}
            Err(e) => return Err(Error::from(e).context("reading the team database password")),
        }
        Ok(cfg)
    }

    /// `team init-db URL`: create or migrate the schema and the member group role (as the database owner; the
    /// password in the URL or `password`). Returns the schema version.
    pub fn team_init_db(&self, url: &str, password: Option<Sensitive<String>>) -> Result<i64> {
        let cfg = owner_config(url, password)?;
        let rt = runtime()?;
        let limit = sync_timeout();
        Ok(rt.block_on(async {
            runsheet_sync::bounded("migrating the team schema", limit * 4, runsheet_sync::init_db_config(&cfg, limit))
                .await
        })?)
    }

    /// `team add-member URL NAME`: as the owner, create the login role NAME in the member group with a generated
    /// password, and say what to hand over.
    pub fn team_add_member(&self, url: &str, name: &str, password: Option<Sensitive<String>>) -> Result<MemberHandover> {
        let name = required("member name", name)?;
        let parsed = parse_team_url(url)?;
        let cfg = owner_config(url, password)?;
        let rt = runtime()?;
        let limit = sync_timeout();
        let creds = rt.block_on(async {
            runsheet_sync::bounded("adding the member", limit, runsheet_sync::add_member_config(&cfg, &name, limit)).await
        })?;
        let member_url = with_user(&parsed.url, &creds.role);
        Ok(MemberHandover { role: creds.role, url: member_url, password: Sensitive::new(creds.password) })
    }

    /// `team join URL --as NAME`: requires a signing identity; checks the server (login, schema), registers this
    /// device to the URL's login role, then stores the URL without its password in settings and the password in
    /// the keyring. Nothing is stored when the server refuses.
    pub fn team_join(&self, url: &str, name: &str, password: Option<Sensitive<String>>) -> Result<Joined> {
        let name = required("member name (--as)", name)?;
        let identity = self.require_identity()?;
        let parsed = parse_team_url(url)?;
        let Some(user) = parsed.user.clone() else {
            return Err(Error::invalid("the URL names no user: give postgresql://ROLE@HOST:PORT/DATABASE"));
        };
        let password = match (parsed.password.clone(), password) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid("the URL holds a password and another was given: give it once"));
            }
            (a, b) => a.or(b),
        };
        let mut cfg = runsheet_sync::parse_url(&parsed.url)?;
        if let Some(pw) = &password {
            cfg.password(pw.expose().as_bytes());
        }
        // Check the keyring before the server, so a locked keyring does not leave a registered device behind
        // without a way to connect again.
        let secrets = self.team_secrets()?;
        secrets.check()?;
        let device = self.device_id()?;
        let rt = runtime()?;
        let limit = sync_timeout();
        rt.block_on(async {
            let client = runsheet_sync::connect_config(&cfg, limit).await?;
            runsheet_sync::bounded("checking the schema", limit, runsheet_sync::check_schema(&client)).await?;
            runsheet_sync::bounded("registering this device", limit, runsheet_sync::register_device(&client, &device))
                .await?;
            let devices = runsheet_sync::bounded("reading devices", limit, runsheet_sync::devices(&client)).await?;
            match devices.iter().find(|d| d.device == device) {
                Some(d) if d.member_role != user => Err(Error::conflict(format!(
                    "this laptop's device {device} is registered to member `{}` on the team database, not `{user}`",
                    d.member_role
                ))),
                Some(_) => Ok(()),
                None => Err(Error::internal(format!("device {device} is not registered after registering it"))),
            }
        })?;
        match &password {
            Some(pw) => secrets.set(PASSWORD_ENTRY, pw)?,
            None => match secrets.delete(PASSWORD_ENTRY) {
                Ok(()) | Err(runsheet_secrets::SecretError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            },
        }
        let store = self.store()?;
        store.settings_set(URL_KEY, &parsed.url)?;
        store.settings_set(MEMBER_KEY, &name)?;
        Ok(Joined {
            url: parsed.url,
            member: name,
            device,
            fingerprint: identity.fingerprint(),
            password_stored: password.is_some(),
        })
    }

    /// `run share RUN`: mark the run shared with the team, then push it (and pull what others wrote). A run whose
    /// events predate team sync (unnumbered) cannot be shared: other laptops could not pull them.
    pub fn share_run(&self, run: &str) -> Result<RunSync> {
        let cfg = self.team_config()?;
        let run_id = self.resolve_run(run)?;
        let unnumbered = self.store()?.events(&run_id)?.iter().filter(|e| e.device_seq.is_none()).count();
        if unnumbered > 0 {
            return Err(Error::refused(format!(
                "run {run_id} has {unnumbered} events recorded before team sync (without a device sequence number): \
                 it cannot be shared; start a new run from its checklist and share that"
            )));
        }
        self.store()?.mark_shared(&run_id, self.now())?;
        // This device's member_joined (name, device, certificate) goes out with the run, so every laptop can check
        // the signatures of its events.
        self.ensure_member(&run_id)?;
        let rt = runtime()?;
        let limit = sync_timeout();
        rt.block_on(async {
            let mut client = self.team_connect(&cfg, limit).await?;
            self.sync_one(&mut client, &run_id, false, limit).await
        })
        .map_err(|e| e.context(format!("run {run_id} is shared here but not yet on the server (`runsheet sync` retries)")))
    }

    /// `sync [RUN]`: push and pull one run, or every shared run. A full run id that is not on this laptop but on
    /// the server is pulled and created here (joining a run another laptop shared). Each run's outcome or error is
    /// recorded for `team status`; the first error is returned after every run was tried.
    pub fn sync(&self, run: Option<&str>) -> Result<Vec<RunSync>> {
        let cfg = self.team_config()?;
        let rt = runtime()?;
        let limit = sync_timeout();
        let (targets, remote) = self.sync_targets(run)?;
        rt.block_on(async {
            let mut client = match self.team_connect(&cfg, limit).await {
                Ok(c) => c,
                Err(e) => {
                    // Every run this sync was for failed with it: `team status` shows why.
                    for id in &targets {
                        self.store()?.record_sync(id, self.now(), Some(&e.message))?;
                    }
                    return Err(e);
                }
            };
            let mut out = Vec::new();
            if let Some(id) = remote {
                let found =
                    runsheet_sync::bounded("looking the run up", limit, runsheet_sync::run_exists(&client, &id)).await?;
                if !found {
                    return Err(Error::not_found(format!("no run `{id}` on this laptop nor on the team database")));
                }
                out.push(self.sync_one(&mut client, &id, true, limit).await?);
                return Ok(out);
            }
            let mut first_err = None;
            for id in targets {
                match self.sync_one(&mut client, &id, false, limit).await {
                    Ok(r) => out.push(r),
                    Err(e) => {
                        let e = e.context(format!("syncing run {id}"));
                        // A lost connection fails every later run the same way: stop here.
                        if e.kind == ErrorKind::Io {
                            return Err(e);
                        }
                        first_err.get_or_insert(e);
                    }
                }
            }
            match first_err {
                Some(e) => Err(e),
                None => Ok(out),
            }
        })
    }

    /// The shared runs to sync, or the one remote run id to fetch.
    fn sync_targets(&self, run: Option<&str>) -> Result<(Vec<String>, Option<String>)> {
        let shared: Vec<String> = self.store()?.shared_runs()?.into_iter().map(|r| r.run_id).collect();
        let Some(run) = run else { return Ok((shared, None)) };
        let run = required("run id", run)?;
        match self.resolve_run(&run) {
            Ok(id) if shared.contains(&id) => Ok((vec![id], None)),
            Ok(id) => Err(Error::invalid(format!("run {id} is not shared: share it first with `runsheet run share {id}`"))),
            Err(e) if e.kind == ErrorKind::NotFound && looks_like_full_id(&run) => Ok((vec![], Some(run))),
            Err(e) => Err(e),
        }
    }

    async fn team_connect(&self, cfg: &Config, limit: Duration) -> Result<runsheet_sync::Client> {
        let client = runsheet_sync::connect_config(cfg, limit).await?;
        runsheet_sync::bounded("checking the schema", limit, runsheet_sync::check_schema(&client)).await?;
        Ok(client)
    }

    /// Push the run's outbox (acknowledged chunk by chunk), then pull what follows the highest `device_seq` known
    /// per device and merge it through the signature and membership checks. The attempt is recorded.
    async fn sync_one(
        &self,
        client: &mut runsheet_sync::Client,
        run_id: &str,
        fetch: bool,
        limit: Duration,
    ) -> Result<RunSync> {
        let res = self.sync_steps(client, run_id, fetch, limit).await;
        let now = self.now();
        let recorded = match &res {
            Ok(_) => self.store()?.record_sync(run_id, now, None),
            Err(e) => self.store()?.record_sync(run_id, now, Some(&e.message)),
        };
        // A run fetched from the server but refused is not shared here: nothing to record.
        if let Err(e) = recorded {
            if !(fetch && res.is_err()) {
                return Err(e.into());
            }
        }
        res
    }

    async fn sync_steps(
        &self,
        client: &mut runsheet_sync::Client,
        run_id: &str,
        fetch: bool,
        limit: Duration,
    ) -> Result<RunSync> {
        let mut out = RunSync { run_id: run_id.to_string(), pushed: 0, pushed_new: 0, pulled: 0, known: 0, created: fetch };
        if !fetch {
            self.push_outbox(client, run_id, limit, &mut out).await?;
        }
        let known = self.store()?.known_seqs(run_id)?;
        let events =
            runsheet_sync::bounded("pulling events", limit * 4, runsheet_sync::pull(client, run_id, &known)).await?;
        if !events.is_empty() {
            // Hash, author signature against the device's member certificate and membership, then the store's
            // structural checks; nothing is stored when one event is refused.
            let merged: MergeOutcome = self.merge_remote(events)?;
            out.pulled = merged.stored;
            out.known = merged.known;
        }
        if fetch {
            // A run fetched from the server: shared here from now on, and this device joins it (its member_joined
            // goes out right away, so the others can check what it writes).
            self.store()?.mark_shared(run_id, self.now())?;
            self.ensure_member(run_id)?;
            self.push_outbox(client, run_id, limit, &mut out).await?;
        }
        Ok(out)
    }

    /// Push the run's outbox in chunks, acknowledging each chunk once the server holds it.
    async fn push_outbox(&self, client: &mut runsheet_sync::Client, run_id: &str, limit: Duration, out: &mut RunSync) -> Result<()> {
        let outbox = self.store()?.outbox(run_id)?;
        for chunk in outbox.chunks(PUSH_CHUNK) {
            out.pushed_new += runsheet_sync::bounded("pushing events", limit, runsheet_sync::push(client, chunk)).await?;
            out.pushed += chunk.len();
            if let Some(seq) = chunk.last().and_then(|e| e.device_seq) {
                self.store()?.ack_pushed(run_id, seq)?;
            }
        }
        Ok(())
    }

    /// `team status`: the stored server and member, each shared run's outbox and last sync, and the registered
    /// devices (when the server answers; an unreachable server is reported, not an error).
    pub fn team_status(&self) -> Result<TeamStatus> {
        let store_url = self.store()?.settings_get(URL_KEY)?;
        let member = self.store()?.settings_get(MEMBER_KEY)?;
        let device = self.device_id()?;
        let runs = self.store()?.shared_runs()?;
        let mut status =
            TeamStatus { server: store_url.clone(), member, device: device.clone(), reachable: false, server_error: None, runs, members: vec![] };
        if store_url.is_none() {
            return Ok(status);
        }
        // The fingerprint that signed each device's latest event in the shared runs here.
        let mut fingerprints: BTreeMap<String, String> = BTreeMap::new();
        for r in &status.runs {
            for e in self.store()?.events(&r.run_id)? {
                if let Some(a) = e.author {
                    fingerprints.insert(e.device.clone(), a.fingerprint);
                }
            }
        }
        let limit = sync_timeout();
        let devices = self.team_config().and_then(|cfg| {
            runtime()?.block_on(async {
                let client = self.team_connect(&cfg, limit).await?;
                Ok(runsheet_sync::bounded("reading devices", limit, runsheet_sync::devices(&client)).await?)
            })
        });
        match devices {
            Ok(devices) => {
                status.reachable = true;
                status.members = devices
                    .into_iter()
                    .map(|d| TeamMember {
                        fingerprint: fingerprints.get(&d.device).cloned(),
                        this_device: d.device == device,
                        role: d.member_role,
                        device: d.device,
                    })
                    .collect();
            }
            Err(e) => status.server_error = Some(e.message),
        }
        Ok(status)
    }

    /// `sync --watch`: sync, then LISTEN and sync a run when a notification names it, when this laptop's outbox
    /// grows (another process recorded a change) and every 30 s regardless. A lost or refused connection is
    /// retried with backoff (250 ms doubling to 30 s) and reported through `on`; errors that retrying cannot fix
    /// (login refused, schema, tamper, a refused event) end the watch. `on` returning `Break` ends it too.
    pub fn watch(&self, run: Option<&str>, on: &mut dyn FnMut(WatchEvent) -> ControlFlow<()>) -> Result<()> {
        let rt = runtime()?;
        let mut backoff = BACKOFF_FIRST;
        loop {
            match rt.block_on(self.watch_session(run, &mut backoff, on)) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind == ErrorKind::Io => {
                    if on(WatchEvent::Retrying { message: e.message.clone(), retry_in: backoff }).is_break() {
                        return Ok(());
                    }
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One connected stretch of a watch; `Ok` only when `on` asked to stop.
    async fn watch_session(
        &self,
        run: Option<&str>,
        backoff: &mut Duration,
        on: &mut dyn FnMut(WatchEvent) -> ControlFlow<()>,
    ) -> Result<()> {
        let cfg = self.team_config()?;
        let limit = sync_timeout();
        let mut client = self.team_connect(&cfg, limit).await?;
        // LISTEN before the first pull, so nothing written in between goes unnoticed.
        let mut listener = runsheet_sync::listen_config(&cfg, limit).await?;
        if on(WatchEvent::Listening).is_break() {
            return Ok(());
        }
        // The runs watched: one (fetched from the server first when it is not here yet) or every shared one.
        let one = match run {
            Some(r) => {
                let (mut targets, remote) = self.sync_targets(Some(r))?;
                match remote {
                    Some(id) => {
                        let found = runsheet_sync::bounded("looking the run up", limit, runsheet_sync::run_exists(&client, &id))
                            .await?;
                        if !found {
                            return Err(Error::not_found(format!("no run `{id}` on this laptop nor on the team database")));
                        }
                        let r = self.sync_one(&mut client, &id, true, limit).await?;
                        if on(WatchEvent::Synced(r)).is_break() {
                            return Ok(());
                        }
                        Some(id)
                    }
                    None => targets.pop(),
                }
            }
            None => None,
        };
        let watched = || -> Result<BTreeSet<String>> {
            Ok(match &one {
                Some(id) => BTreeSet::from([id.clone()]),
                None => self.store()?.shared_runs()?.into_iter().map(|r| r.run_id).collect(),
            })
        };
        let mut due: BTreeSet<String> = watched()?;
        let mut last_full = Instant::now();
        loop {
            for id in std::mem::take(&mut due) {
                let r = self.sync_one(&mut client, &id, false, limit).await?;
                // Connected and working: the next failure starts its backoff from the beginning again.
                *backoff = BACKOFF_FIRST;
                if (r.pushed > 0 || r.pulled > 0) && on(WatchEvent::Synced(r)).is_break() {
                    return Ok(());
                }
            }
            let woken = listener.next(LOCAL_POLL).await?;
            let runs = watched()?;
            due.extend(woken.into_iter().chain(listener.drain()).filter(|r| runs.contains(r)));
            for r in self.store()?.shared_runs()? {
                if r.outbox > 0 && runs.contains(&r.run_id) {
                    due.insert(r.run_id);
                }
            }
            if last_full.elapsed() >= SAFETY_PULL {
                due.extend(runs);
                last_full = Instant::now();
            }
            if due.is_empty() && on(WatchEvent::Idle).is_break() {
                return Ok(());
            }
        }
    }
}

/// An owner's connection config: the URL, with `password` when the URL carries none.
fn owner_config(url: &str, password: Option<Sensitive<String>>) -> Result<Config> {
    let parsed = parse_team_url(url)?;
    let mut cfg = runsheet_sync::parse_url(url.trim())?;
    if parsed.password.is_none() {
        if let Some(pw) = password {
            cfg.password(pw.expose().as_bytes());
        }
    }
    Ok(cfg)
}

/// `url` (no password) with its user replaced by `user`.
fn with_user(url: &str, user: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{user}@{hosts}{tail}")
}

/// Whether `url` carries a password (front ends prompt only when it does not).
pub fn url_has_password(url: &str) -> Result<bool> {
    Ok(parse_team_url(url)?.password.is_some())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The password leaves the URL from the user part and from the query; the rest is kept as given.
    #[test]
    fn the_stored_url_never_holds_the_password() {
        let t = parse_team_url("postgresql://alice:s%40cret@db.example:5433/team?sslmode=disable&password=x").unwrap();
        assert_eq!(t.url, "postgresql://alice@db.example:5433/team?sslmode=disable");
        assert_eq!(t.user.as_deref(), Some("alice"));
        assert!(t.password.is_some());
        let t = parse_team_url("postgres://bob@127.0.0.1/postgres").unwrap();
        assert_eq!(t.url, "postgres://bob@127.0.0.1/postgres");
        assert!(t.password.is_none());
        assert_eq!(parse_team_url("postgresql://u:p@h:1/d").unwrap().password.unwrap().expose(), "p");
        assert_eq!(parse_team_url("host=x user=y").unwrap_err().kind, ErrorKind::Invalid);
        assert_eq!(parse_team_url("postgresql://u@h:notaport/d").unwrap_err().kind, ErrorKind::Invalid);
        assert_eq!(with_user("postgresql://postgres@h:5/db", "alice"), "postgresql://alice@h:5/db");
        assert_eq!(with_user("postgresql://h:5/db", "alice"), "postgresql://alice@h:5/db");
    }
}
