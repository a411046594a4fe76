//! Probe specifications and evidence: the TOML inside ```probe blocks, parsed and validated into a typed model,
//! and the evidence record one execution leaves in a run.
//!
//! Pure: nothing here executes a probe, resolves a secret or reads the clock (the runner in `runsheet-probes`
//! does; `now` comes in as an argument). The TOML field names are a public file format (DESIGN.md): fields may be
//! added, never renamed. Plaintext passwords are refused: `password` fields must reference a keyring secret.

mod destination;
mod evidence;
mod secret;
mod value;

pub use destination::{
    destination, normalize_host, secret_refusal, Destination, SecretBinding, SecretRefusal, SHELL_DESTINATION,
};
pub use evidence::{is_stale, Evidence, Outcome};
pub use secret::{
    is_reserved_secret_name, is_valid_secret_name, parse_secret_refs, secret_name_problem, secret_refs,
    substitute_secrets, RESERVED_SECRET_PREFIX,
};
pub use value::{ByteSize, CompareOp, DurationSpec, JsonCheck};

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Largest output excerpt kept in evidence (the full output is only hashed).
pub const EXCERPT_LIMIT: usize = 64 * 1024;

/// A validated probe: what to check plus the execution settings every kind shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSpec {
    #[serde(flatten)]
    pub check: ProbeCheck,
    /// Per-attempt time limit (`timeout = "5s"`).
    #[serde(default = "default_timeout")]
    pub timeout: DurationSpec,
    /// Extra attempts after a failed one, with exponential backoff.
    #[serde(default)]
    pub retries: u32,
    /// How long a passing result counts as current evidence (`fresh_for = "15m"`).
    #[serde(default = "default_fresh_for")]
    pub fresh_for: DurationSpec,
}

fn default_timeout() -> DurationSpec {
    DurationSpec(Duration::from_secs(5))
}
fn default_fresh_for() -> DurationSpec {
    DurationSpec(Duration::from_secs(15 * 60))
}

/// What a probe checks, one variant per `kind`, with the defaults of DESIGN.md's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProbeCheck {
    Http {
        url: String,
        method: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        headers: BTreeMap<String, String>,
        expect_status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body_contains: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<JsonCheck>,
        #[serde(default)]
        insecure: bool,
        /// PEM file of extra trusted root certificates (a private CA); an addition to the public table.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_file: Option<String>,
    },
    Tcp {
        address: String,
    },
    PortFree {
        port: u16,
        host: String,
    },
    Dns {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<String>,
    },
    Tls {
        address: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        server_name: Option<String>,
        min_days: u32,
        /// Skip chain trust (expiry and hostname are still checked); an addition to the public table.
        #[serde(default)]
        insecure: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_file: Option<String>,
    },
    Redis {
        address: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
    },
    Postgres {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
        query: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<String>,
    },
    Disk {
        path: String,
        min_free: ByteSize,
    },
    Env {
        name: String,
    },
    File {
        path: String,
    },
    Shell {
        command: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cwd: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        env: BTreeMap<String, String>,
        expect_exit: i32,
    },
}

/// The probe kinds, in the order of DESIGN.md's table.
pub const KINDS: [&str; 11] =
    ["http", "tcp", "port_free", "dns", "tls", "redis", "postgres", "disk", "env", "file", "shell"];

impl ProbeCheck {
    /// The `kind` name as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeCheck::Http { .. } => "http",
            ProbeCheck::Tcp { .. } => "tcp",
            ProbeCheck::PortFree { .. } => "port_free",
            ProbeCheck::Dns { .. } => "dns",
            ProbeCheck::Tls { .. } => "tls",
            ProbeCheck::Redis { .. } => "redis",
            ProbeCheck::Postgres { .. } => "postgres",
            ProbeCheck::Disk { .. } => "disk",
            ProbeCheck::Env { .. } => "env",
            ProbeCheck::File { .. } => "file",
            ProbeCheck::Shell { .. } => "shell",
        }
    }

    /// A short human description of what is probed (`GET http://…`, `127.0.0.1:6379`), secrets unresolved.
    pub fn target(&self) -> String {
        match self {
            ProbeCheck::Http { url, method, .. } => format!("{method} {url}"),
            ProbeCheck::Tcp { address } | ProbeCheck::Tls { address, .. } | ProbeCheck::Redis { address, .. } => {
                address.clone()
            }
            ProbeCheck::PortFree { port, host } => format!("{host}:{port}"),
            ProbeCheck::Dns { name, .. } => name.clone(),
            ProbeCheck::Postgres { url, .. } => url.clone(),
            ProbeCheck::Disk { path, min_free } => format!("{path} (min {min_free})"),
            ProbeCheck::Env { name } => name.clone(),
            ProbeCheck::File { path } => path.clone(),
            ProbeCheck::Shell { command, .. } => command.clone(),
        }
    }

    /// Every string of the spec that may carry a `{{secret:NAME}}` reference, with its field name.
    pub fn strings(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        match self {
            ProbeCheck::Http { url, method, headers, body_contains, ca_file, .. } => {
                out.push(("url".into(), url));
                out.push(("method".into(), method));
                for (k, v) in headers {
                    out.push((format!("headers.{k}"), v));
                }
                if let Some(b) = body_contains {
                    out.push(("body_contains".into(), b));
                }
                if let Some(c) = ca_file {
                    out.push(("ca_file".into(), c));
                }
            }
            ProbeCheck::Tcp { address } => out.push(("address".into(), address)),
            ProbeCheck::PortFree { host, .. } => out.push(("host".into(), host)),
            ProbeCheck::Dns { name, expect } => {
                out.push(("name".into(), name));
                if let Some(e) = expect {
                    out.push(("expect".into(), e));
                }
            }
            ProbeCheck::Tls { address, server_name, ca_file, .. } => {
                out.push(("address".into(), address));
                if let Some(s) = server_name {
                    out.push(("server_name".into(), s));
                }
                if let Some(c) = ca_file {
                    out.push(("ca_file".into(), c));
                }
            }
            ProbeCheck::Redis { address, password } => {
                out.push(("address".into(), address));
                if let Some(p) = password {
                    out.push(("password".into(), p));
                }
            }
            ProbeCheck::Postgres { url, password, query, expect } => {
                out.push(("url".into(), url));
                if let Some(p) = password {
                    out.push(("password".into(), p));
                }
                out.push(("query".into(), query));
                if let Some(e) = expect {
                    out.push(("expect".into(), e));
                }
            }
            ProbeCheck::Disk { path, .. } | ProbeCheck::File { path } => out.push(("path".into(), path)),
            ProbeCheck::Env { name } => out.push(("name".into(), name)),
            ProbeCheck::Shell { command, cwd, env, .. } => {
                out.push(("command".into(), command));
                if let Some(c) = cwd {
                    out.push(("cwd".into(), c));
                }
                for (k, v) in env {
                    out.push((format!("env.{k}"), v));
                }
            }
        }
        out
    }
}

/// A probe block that does not validate; `field` names the offending field when there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct ProbeSpecError {
    pub field: Option<String>,
    pub message: String,
}

impl ProbeSpecError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        ProbeSpecError { field: Some(field.to_string()), message: message.into() }
    }
}

type SpecResult<T> = std::result::Result<T, ProbeSpecError>;

/// Parse and validate the TOML source of a probe block.
pub fn parse(source: &str) -> Result<ProbeSpec, ProbeSpecError> {
    let table: toml::Table =
        source.parse().map_err(|e: toml::de::Error| ProbeSpecError { field: None, message: e.message().to_string() })?;
    from_table(table)
}

/// Validate an already parsed TOML table (the body of a probe block).
pub fn from_table(table: toml::Table) -> Result<ProbeSpec, ProbeSpecError> {
    let mut f = Fields { table };
    let kind = f.req_str("kind")?;
    // Unknown fields first: a misspelt field (`urll`) should be named as such, not reported as a missing `url`.
    if let Some(allowed) = fields_of(&kind) {
        let common = ["timeout", "retries", "fresh_for"];
        if let Some(k) = f.table.keys().find(|k| !allowed.contains(&k.as_str()) && !common.contains(&k.as_str())) {
            let near = allowed.iter().chain(common.iter()).find(|a| similar(a, k));
            let hint = near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
            return Err(ProbeSpecError::field(k, format!("unknown field for kind `{kind}`{hint}")));
        }
    }
    let timeout = f.opt_duration("timeout")?.unwrap_or_else(default_timeout);
    if timeout.0.is_zero() || timeout.0 > Duration::from_secs(3600) {
        return Err(ProbeSpecError::field("timeout", "must be more than 0s and at most 1h"));
    }
    let retries = match f.opt_int("retries")? {
        None => 0,
        Some(r) if (0..=10).contains(&r) => r as u32,
        Some(_) => return Err(ProbeSpecError::field("retries", "must be between 0 and 10")),
    };
    let fresh_for = f.opt_duration("fresh_for")?.unwrap_or_else(default_fresh_for);
    if fresh_for.0.is_zero() {
        return Err(ProbeSpecError::field("fresh_for", "must be more than 0s"));
    }
    let check = match kind.as_str() {
        "http" => {
            let url = f.req_str("url")?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ProbeSpecError::field("url", "must start with http:// or https://"));
            }
            let method = f.opt_str("method")?.unwrap_or_else(|| "GET".into()).to_ascii_uppercase();
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ProbeSpecError::field("method", "must be an HTTP method such as GET or HEAD"));
            }
            let expect_status = match f.opt_int("expect_status")? {
                None => 200,
                Some(s) if (100..=599).contains(&s) => s as u16,
                Some(_) => return Err(ProbeSpecError::field("expect_status", "must be an HTTP status (100-599)")),
            };
            let json = match f.opt_str("json")? {
                None => None,
                Some(s) => Some(s.parse::<JsonCheck>().map_err(|m| ProbeSpecError::field("json", m))?),
            };
            ProbeCheck::Http {
                url,
                method,
                headers: f.opt_string_table("headers")?,
                expect_status,
                body_contains: f.opt_str("body_contains")?,
                json,
                insecure: f.opt_bool("insecure")?.unwrap_or(false),
                ca_file: f.opt_str("ca_file")?,
            }
        }
        "tcp" => ProbeCheck::Tcp { address: f.req_address("address")? },
        "port_free" => {
            let port = f.req_port("port")?;
            ProbeCheck::PortFree { port, host: f.opt_str("host")?.unwrap_or_else(|| "127.0.0.1".into()) }
        }
        "dns" => {
            let name = f.req_str("name")?;
            let expect = f.opt_str("expect")?;
            if let Some(e) = &expect {
                if e.parse::<std::net::IpAddr>().is_err() {
                    return Err(ProbeSpecError::field("expect", "must be an IP address such as 127.0.0.1"));
                }
            }
            ProbeCheck::Dns { name, expect }
        }
        "tls" => {
            let address = f.req_address("address")?;
            let min_days = match f.opt_int("min_days")? {
                None => 14,
                Some(d) if (0..=3650).contains(&d) => d as u32,
                Some(_) => return Err(ProbeSpecError::field("min_days", "must be between 0 and 3650")),
            };
            ProbeCheck::Tls {
                address,
                server_name: f.opt_str("server_name")?,
                min_days,
                insecure: f.opt_bool("insecure")?.unwrap_or(false),
                ca_file: f.opt_str("ca_file")?,
            }
        }
        "redis" => ProbeCheck::Redis { address: f.req_address("address")?, password: f.opt_password("password")? },
        "postgres" => {
            let url = f.req_str("url")?;
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ProbeSpecError::field("url", "must start with postgres:// or postgresql://"));
            }
            ProbeCheck::Postgres {
                url,
                password: f.opt_password("password")?,
                query: f.opt_str("query")?.unwrap_or_else(|| "SELECT 1".into()),
                expect: f.opt_scalar_as_string("expect")?,
            }
        }
        "disk" => {
            let path = f.req_str("path")?;
            let min_free = match f.opt_str("min_free")? {
                None => ByteSize(10 * 1000 * 1000 * 1000),
                Some(s) => s.parse().map_err(|m| ProbeSpecError::field("min_free", m))?,
            };
            ProbeCheck::Disk { path, min_free }
        }
        "env" => {
            let name = f.req_str("name")?;
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                return Err(ProbeSpecError::field("name", "must be an environment variable name"));
            }
            ProbeCheck::Env { name }
        }
        "file" => ProbeCheck::File { path: f.req_str("path")? },
        "shell" => {
            let command = f.req_str("command")?;
            if command.trim().is_empty() {
                return Err(ProbeSpecError::field("command", "must not be empty"));
            }
            let expect_exit = match f.opt_int("expect_exit")? {
                None => 0,
                Some(c) if (0..=255).contains(&c) => c as i32,
                Some(_) => return Err(ProbeSpecError::field("expect_exit", "must be an exit code (0-255)")),
            };
            ProbeCheck::Shell { command, cwd: f.opt_str("cwd")?, env: f.opt_string_table("env")?, expect_exit }
        }
        other => {
            return Err(ProbeSpecError::field(
                "kind",
                format!("unknown kind `{other}` (expected one of: {})", KINDS.join(", ")),
            ))
        }
    };
    f.finish()?;
    for (field, s) in check.strings() {
        parse_secret_refs(s).map_err(|m| ProbeSpecError::field(&field, m))?;
    }
    Ok(ProbeSpec { check, timeout, retries, fresh_for })
}

/// The fields each kind accepts besides the common ones (None for an unknown kind).
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "http" => &["url", "method", "headers", "expect_status", "body_contains", "json", "insecure", "ca_file"],
        "tcp" => &["address"],
        "port_free" => &["port", "host"],
        "dns" => &["name", "expect"],
        "tls" => &["address", "server_name", "min_days", "insecure", "ca_file"],
        "redis" => &["address", "password"],
        "postgres" => &["url", "password", "query", "expect"],
        "disk" => &["path", "min_free"],
        "env" => &["name"],
        "file" => &["path"],
        "shell" => &["command", "cwd", "env", "expect_exit"],
        _ => return None,
    })
}

/// Edit distance at most 2 (for "did you mean").
fn similar(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}

impl ProbeSpec {
    /// The TOML text of this spec, as written into a ```probe block (round-trips through [`parse`]).
    pub fn to_toml(&self) -> String {
        let value = match serde_json::to_value(self) {
            Ok(v) => v,
            Err(_) => return String::new(),
        };
        let mut out = String::new();
        let serde_json::Value::Object(map) = value else { return out };
        // `kind` first, then the kind's fields, then the common settings when they differ from the defaults.
        let common = ["timeout", "retries", "fresh_for"];
        let mut keys: Vec<&String> = map.keys().filter(|k| *k != "kind" && !common.contains(&k.as_str())).collect();
        keys.sort_by_key(|k| field_order(self.check.kind(), k));
        out.push_str(&format!("kind = {}\n", toml_value(&map["kind"])));
        for k in keys {
            let v = &map[k.as_str()];
            if v.is_null() || is_default(self.check.kind(), k, v) {
                continue;
            }
            out.push_str(&format!("{k} = {}\n", toml_value(v)));
        }
        if self.timeout != default_timeout() {
            out.push_str(&format!("timeout = \"{}\"\n", self.timeout));
        }
        if self.retries != 0 {
            out.push_str(&format!("retries = {}\n", self.retries));
        }
        if self.fresh_for != default_fresh_for() {
            out.push_str(&format!("fresh_for = \"{}\"\n", self.fresh_for));
        }
        out
    }
}

/// Whether a field holds the default of DESIGN.md's table (such fields are left out of `to_toml`).
fn is_default(kind: &str, field: &str, v: &serde_json::Value) -> bool {
    use serde_json::json;
    let d = match (kind, field) {
        (_, "insecure") => json!(false),
        ("http", "method") => json!("GET"),
        ("http", "expect_status") => json!(200),
        ("port_free", "host") => json!("127.0.0.1"),
        ("tls", "min_days") => json!(14),
        ("postgres", "query") => json!("SELECT 1"),
        ("shell", "expect_exit") => json!(0),
        _ => return false,
    };
    *v == d
}

fn field_order(kind: &str, field: &str) -> usize {
    let order: &[&str] = match kind {
        "http" => &["url", "method", "headers", "expect_status", "body_contains", "json", "insecure", "ca_file"],
        "postgres" => &["url", "password", "query", "expect"],
        "tls" => &["address", "server_name", "min_days"],
        "port_free" => &["port", "host"],
        "disk" => &["path", "min_free"],
        "dns" => &["name", "expect"],
        "redis" => &["address", "password"],
        "shell" => &["command", "cwd", "env", "expect_exit"],
        _ => &[],
    };
    order.iter().position(|f| *f == field).unwrap_or(order.len())
}

fn toml_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => toml::Value::String(s.clone()).to_string(),
        serde_json::Value::Object(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

/// Field access over the TOML table that names the field in every error and rejects unknown fields.
struct Fields {
    table: toml::Table,
}

impl Fields {
    fn opt_str(&mut self, name: &str) -> SpecResult<Option<String>> {
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected a string, found {}", other.type_str()))),
        }
    }
    fn req_str(&mut self, name: &str) -> SpecResult<String> {
        match self.opt_str(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(ProbeSpecError::field(name, "must not be empty")),
            None => Err(ProbeSpecError::field(name, "missing (required)")),
        }
    }
    fn opt_int(&mut self, name: &str) -> SpecResult<Option<i64>> {
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) => Ok(Some(i)),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected an integer, found {}", other.type_str()))),
        }
    }
    fn opt_bool(&mut self, name: &str) -> SpecResult<Option<bool>> {
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(b)),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected true or false, found {}", other.type_str()))),
        }
    }
    fn opt_scalar_as_string(&mut self, name: &str) -> SpecResult<Option<String>> {
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(toml::Value::Integer(i)) => Ok(Some(i.to_string())),
            Some(toml::Value::Float(x)) => Ok(Some(x.to_string())),
            Some(toml::Value::Boolean(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected a string or number, found {}", other.type_str()))),
        }
    }
    fn opt_duration(&mut self, name: &str) -> SpecResult<Option<DurationSpec>> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|m| ProbeSpecError::field(name, m)),
        }
    }
    fn opt_password(&mut self, name: &str) -> SpecResult<Option<String>> {
        let Some(p) = self.opt_str(name)? else { return Ok(None) };
        let refs = parse_secret_refs(&p).map_err(|m| ProbeSpecError::field(name, m))?;
        if refs.is_empty() {
            return Err(ProbeSpecError::field(
                name,
                "must reference a keyring secret such as \"{{secret:db_password}}\" (plaintext passwords are refused)",
            ));
        }
        Ok(Some(p))
    }
    fn req_address(&mut self, name: &str) -> SpecResult<String> {
        let a = self.req_str(name)?;
        match a.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => Ok(a),
            _ => Err(ProbeSpecError::field(name, format!("expected host:port, found \"{a}\""))),
        }
    }
    fn req_port(&mut self, name: &str) -> SpecResult<u16> {
        match self.opt_int(name)? {
            Some(p) if (1..=65535).contains(&p) => Ok(p as u16),
            Some(_) => Err(ProbeSpecError::field(name, "must be a port number (1-65535)")),
            None => Err(ProbeSpecError::field(name, "missing (required)")),
        }
    }
    fn opt_string_table(&mut self, name: &str) -> SpecResult<BTreeMap<String, String>> {
        match self.table.remove(name) {
            None => Ok(BTreeMap::new()),
            Some(toml::Value::Table(t)) => t
                .into_iter()
                .map(|(k, v)| match v {
                    toml::Value::String(s) => Ok((k, s)),
                    other => Err(ProbeSpecError::field(
                        &format!("{name}.{k}"),
                        format!("expected a string, found {}", other.type_str()),
                    )),
                })
                .collect(),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected a table, found {}", other.type_str()))),
        }
    }
    fn finish(self) -> SpecResult<()> {
        match self.table.keys().next() {
            None => Ok(()),
            Some(k) => Err(ProbeSpecError::field(k, "unknown field for this kind")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn err(src: &str) -> ProbeSpecError {
        match parse(src) {
            Err(e) => e,
            Ok(spec) => panic!("expected an error for {src:?}, got {spec:?}"),
        }
    }

    #[test]
    fn http_defaults_follow_the_design_table() {
        let spec = parse("kind = \"http\"\nurl = \"http://localhost:8001/health\"\n").unwrap();
        assert_eq!(spec.timeout.0, Duration::from_secs(5));
        assert_eq!(spec.retries, 0);
        assert_eq!(spec.fresh_for.0, Duration::from_secs(900));
        let ProbeCheck::Http { method, expect_status, insecure, headers, .. } = &spec.check else { panic!("http") };
        assert_eq!((method.as_str(), *expect_status, *insecure, headers.len()), ("GET", 200, false, 0));
    }

    #[test]
    fn every_kind_parses_with_its_defaults() {
        let cases = [
            ("kind = \"tcp\"\naddress = \"db:5432\"", "tcp"),
            ("kind = \"port_free\"\nport = 8001", "port_free"),
            ("kind = \"dns\"\nname = \"example.com\"\nexpect = \"93.184.216.34\"", "dns"),
            ("kind = \"tls\"\naddress = \"example.com:443\"", "tls"),
            ("kind = \"redis\"\naddress = \"127.0.0.1:6379\"\npassword = \"{{secret:redis}}\"", "redis"),
            ("kind = \"postgres\"\nurl = \"postgres://app@db:5432/app\"", "postgres"),
            ("kind = \"disk\"\npath = \"/\"\nmin_free = \"10GB\"", "disk"),
            ("kind = \"env\"\nname = \"OPENAI_API_KEY\"", "env"),
            ("kind = \"file\"\npath = \".env.production\"", "file"),
            ("kind = \"shell\"\ncommand = \"./scripts/check.sh\"\nenv = { TOKEN = \"{{secret:t}}\" }", "shell"),
        ];
        for (src, kind) in cases {
            let spec = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(spec.check.kind(), kind);
            // What to_toml writes must parse back to the same spec (suggestions are inserted as TOML).
            assert_eq!(parse(&spec.to_toml()).unwrap(), spec, "{}", spec.to_toml());
        }
        let p = parse("kind = \"port_free\"\nport = 8001").unwrap();
        assert_eq!(p.check, ProbeCheck::PortFree { port: 8001, host: "127.0.0.1".into() });
        let t = parse("kind = \"tls\"\naddress = \"example.com:443\"").unwrap();
        assert!(matches!(t.check, ProbeCheck::Tls { min_days: 14, .. }));
        let pg = parse("kind = \"postgres\"\nurl = \"postgres://app@db:5432/app\"").unwrap();
        assert!(matches!(&pg.check, ProbeCheck::Postgres { query, .. } if query == "SELECT 1"));
        let d = parse("kind = \"disk\"\npath = \"/\"").unwrap();
        assert_eq!(d.check, ProbeCheck::Disk { path: "/".into(), min_free: ByteSize(10_000_000_000) });
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("kind = \"http\"", "url"),
            ("kind = \"http\"\nurl = \"ftp://x\"", "url"),
            ("kind = \"http\"\nurl = \"http://x\"\nexpect_status = \"200\"", "expect_status"),
            ("kind = \"http\"\nurl = \"http://x\"\ntimeout = \"5 parsecs\"", "timeout"),
            ("kind = \"http\"\nurl = \"http://x\"\nurll = \"http://x\"", "urll"),
            ("kind = \"http\"\nurl = \"http://x\"\njson = \"status == ok\"", "json"),
            ("kind = \"http\"\nurl = \"http://x\"\nheaders = { A = 1 }", "headers.A"),
            ("kind = \"http\"\nurl = \"http://x/{{secret:bad name}}\"", "url"),
            ("kind = \"tcp\"\naddress = \"nohost\"", "address"),
            ("kind = \"port_free\"\nport = 70000", "port"),
            ("kind = \"redis\"\naddress = \"h:6379\"\npassword = \"hunter2\"", "password"),
            ("kind = \"disk\"\npath = \"/\"\nmin_free = \"lots\"", "min_free"),
            ("kind = \"carrier_pigeon\"", "kind"),
            ("url = \"http://x\"", "kind"),
            ("kind = \"http\"\nurl = \"http://x\"\nretries = 99", "retries"),
        ];
        for (src, field) in cases {
            let e = err(src);
            assert_eq!(e.field.as_deref(), Some(field), "{src}: {e}");
        }
        let e = err("kind = \"http\"\nurll = \"http://x\"");
        assert_eq!(e.to_string(), "field `urll`: unknown field for kind `http` (did you mean `url`?)");
        assert_eq!(err("kind = = 1").field, None, "TOML syntax errors have no field");
    }

    #[test]
    fn durations_and_sizes() {
        for (s, ms) in [("5s", 5000), ("500ms", 500), ("15m", 900_000), ("1h30m", 5_400_000), ("2d", 172_800_000)] {
            assert_eq!(s.parse::<DurationSpec>().unwrap().0.as_millis(), ms, "{s}");
            assert_eq!(s.parse::<DurationSpec>().unwrap().to_string().parse::<DurationSpec>().unwrap().0.as_millis(), ms);
        }
        for bad in ["", "5", "s", "5 years", "-1s"] {
            assert!(bad.parse::<DurationSpec>().is_err(), "{bad}");
        }
        assert_eq!("10GB".parse::<ByteSize>().unwrap().0, 10_000_000_000);
        assert_eq!("2GiB".parse::<ByteSize>().unwrap().0, 2 * 1024 * 1024 * 1024);
        assert_eq!("1.5 GB".parse::<ByteSize>().unwrap().0, 1_500_000_000);
        assert!("ten".parse::<ByteSize>().is_err());
    }

    #[test]
    fn json_comparisons() {
        let doc: serde_json::Value = serde_json::json!({"status": "ok", "error_rate": 0.002, "db": {"up": true}, "n": 3});
        let pass = ["/status == \"ok\"", "/error_rate < 0.01", "/db/up", "/db/up == true", "/n >= 3", "/n != 4", "/n == 3.0"];
        for c in pass {
            let check: JsonCheck = c.parse().unwrap();
            assert_eq!(check.evaluate(&doc), Ok(()), "{c}");
            assert_eq!(check.to_string().parse::<JsonCheck>().unwrap(), check);
        }
        let fail = ["/status == \"degraded\"", "/error_rate > 0.01", "/missing", "/status < 1"];
        for c in fail {
            let check: JsonCheck = c.parse().unwrap_or_else(|e| panic!("{c}: {e}"));
            assert!(check.evaluate(&doc).is_err(), "{c}");
        }
        for bad in ["status == \"ok\"", "/status ~= 1", "/status == ok", "/status < \"a\""] {
            assert!(bad.parse::<JsonCheck>().is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_references() {
        let spec = parse(
            "kind = \"http\"\nurl = \"https://x/{{secret:path_token}}\"\nheaders = { Authorization = \"Bearer {{secret:staging_token}}\" }",
        )
        .unwrap();
        assert_eq!(secret_refs(&spec), vec!["path_token".to_string(), "staging_token".to_string()]);
        let lookup = |n: &str| (n == "a").then(|| "VALUE".to_string());
        assert_eq!(substitute_secrets("x{{secret:a}}y", &lookup), Ok("xVALUEy".into()));
        assert_eq!(substitute_secrets("{{secret:b}}", &lookup), Err("b".into()));
    }

    #[test]
    fn reserved_secret_names_are_refused_in_probes() {
        // Regression (issue 10): a checklist could name Runsheet's own signing-key entry and have a probe send it.
        let e = err("kind = \"http\"\nurl = \"http://127.0.0.1:1/\"\nheaders = { Authorization = \"{{secret:runsheet-signing-key}}\" }");
        assert!(e.to_string().contains("reserved"), "the refusal says why: {e}");
        for name in ["runsheet-signing-key", "RunSheet-team", "runsheet:index", "runsheet"] {
            assert!(is_reserved_secret_name(name), "{name} is Runsheet's own");
            assert!(secret_name_problem(name).is_some(), "{name} cannot be a probe secret");
        }
        for name in ["staging_token", "run_sheet", "my-runsheet-token"] {
            assert!(secret_name_problem(name).is_none(), "{name} is an ordinary secret name");
        }
    }

    #[test]
    fn evidence_freshness_and_json_round_trip() {
        let start: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        let ev = Evidence {
            kind: "http".into(),
            target: "GET http://x".into(),
            probe: 0,
            started_at: start,
            ended_at: start + chrono::TimeDelta::milliseconds(120),
            duration_ms: 120,
            outcome: Outcome::Pass,
            attempts: 1,
            status_code: Some(200),
            exit_code: None,
            sha256: Some("00".into()),
            bytes: 2,
            excerpt: "ok".into(),
            excerpt_truncated: false,
            detail: "status 200".into(),
            fresh_for_secs: 900,
            refusal: None,
        };
        assert!(!ev.is_stale(start + chrono::TimeDelta::minutes(15)));
        assert!(ev.is_stale(start + chrono::TimeDelta::minutes(16)));
        let v = ev.to_value();
        assert_eq!(v["outcome"], "pass");
        assert_eq!(Evidence::from_value(&v).unwrap(), ev);
    }
}
