//! Probe specifications and evidence: the TOML inside ```probe blocks, parsed and validated into a typed model,
//! and the evidence record one execution leaves in a run.
//!
//! Each kind is described once, in its own file under `kinds/` ([`KindSpec`]: fields with type, required, default
//! and help, plus its parse function); `fields` reads a block against that description, and [`ProbeSpec::to_toml`]
//! writes one back from it. This file keeps what all kinds share: the [`ProbeCheck`] enum and its views, the
//! common settings, and the order of checks in [`from_table`].
//!
//! Pure: nothing here executes a probe, resolves a secret or reads the clock (the runner in `runsheet-probes`
//! does; `now` comes in as an argument). The TOML field names are a public file format (DESIGN.md): fields may be
//! added, never renamed. Plaintext passwords are refused: `password` fields must reference a keyring secret.

mod destination;
mod evidence;
mod fields;
mod kinds;
mod secret;
mod value;

pub use destination::{
    destination, normalize_host, secret_refusal, url_hosts, Destination, SecretBinding, SecretRefusal, SHELL_DESTINATION,
};
pub use evidence::{is_stale, Evidence, Outcome};
use fields::Fields;
pub use kinds::{FieldSpec, FieldType, KindSpec, COMMON_FIELDS};
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
    /// A failing result fires a rollback trigger on the probe's item (`rollback_trigger = true`). Left out of
    /// the JSON when false, so checklists frozen before the field existed keep their hashes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rollback_trigger: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
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

/// The probe kinds, in the order of DESIGN.md's table (the names of [`kinds()`]).
pub const KINDS: [&str; 11] = kinds::NAMES;

/// The description of every probe kind, in the order of [`KINDS`]: fields with type, required, default and help.
pub fn kinds() -> &'static [KindSpec] {
    &kinds::SPECS
}

/// The description of `kind`, if it is one.
pub fn kind_spec(kind: &str) -> Option<&'static KindSpec> {
    kinds::find(kind)
}

impl ProbeCheck {
    /// The `kind` name as written in TOML.
    pub fn kind(&self) -> &'static str {
        kinds::name_of(self)
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
    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        ProbeSpecError { field: Some(field.to_string()), message: message.into() }
    }
}

pub(crate) type SpecResult<T> = std::result::Result<T, ProbeSpecError>;

/// Parse and validate the TOML source of a probe block.
pub fn parse(source: &str) -> Result<ProbeSpec, ProbeSpecError> {
    let table: toml::Table =
        source.parse().map_err(|e: toml::de::Error| ProbeSpecError { field: None, message: e.message().to_string() })?;
    from_table(table)
}

/// Validate an already parsed TOML table (the body of a probe block) against its kind's description.
pub fn from_table(table: toml::Table) -> Result<ProbeSpec, ProbeSpecError> {
    let mut f = Fields::new(table);
    let kind = f.kind()?;
    let spec = kinds::find(&kind);
    // Unknown fields first: a misspelt field (`urll`) should be named as such, not reported as a missing `url`.
    if let Some(spec) = spec {
        f.describe(spec.fields);
        f.refuse_unknown(&kind)?;
    }
    f.fill_defaults(COMMON_FIELDS)?;
    let timeout = f.duration("timeout")?;
    if timeout.0.is_zero() || timeout.0 > Duration::from_secs(3600) {
        return Err(ProbeSpecError::field("timeout", "must be more than 0s and at most 1h"));
    }
    let retries = u32::try_from(f.int("retries")?).unwrap_or(0);
    let fresh_for = f.duration("fresh_for")?;
    if fresh_for.0.is_zero() {
        return Err(ProbeSpecError::field("fresh_for", "must be more than 0s"));
    }
    let rollback_trigger = f.bool("rollback_trigger")?;
    let Some(spec) = spec else {
        return Err(ProbeSpecError::field(
            "kind",
            format!("unknown kind `{kind}` (expected one of: {})", KINDS.join(", ")),
        ));
    };
    f.require()?;
    f.fill_defaults(spec.fields)?;
    let check = (spec.parse)(&mut f)?;
    f.finish()?;
    for (field, s) in check.strings() {
        parse_secret_refs(s).map_err(|m| ProbeSpecError::field(&field, m))?;
    }
    Ok(ProbeSpec { check, timeout, retries, fresh_for, rollback_trigger })
}

impl ProbeSpec {
    /// The TOML text of this spec, as written into a ```probe block (round-trips through [`parse`]): `kind`,
    /// then the kind's fields in the order of its description, then the common settings; a field holding its
    /// described default is left out unless the description says to write it.
    pub fn to_toml(&self) -> String {
        let value = match serde_json::to_value(self) {
            Ok(v) => v,
            Err(_) => return String::new(),
        };
        let mut out = String::new();
        let serde_json::Value::Object(map) = value else { return out };
        out.push_str(&format!("kind = {}\n", toml_value(&map["kind"])));
        let described = kinds::find(self.check.kind()).map(|k| k.fields).unwrap_or_default();
        for field in described.iter().chain(COMMON_FIELDS) {
            let Some(v) = map.get(field.name) else { continue };
            if v.is_null() || (!field.write_default && holds_default(field, v)) {
                continue;
            }
            out.push_str(&format!("{} = {}\n", field.name, toml_value(v)));
        }
        out
    }
}

/// Whether `v` (a field of the serialized spec) is the field's described default.
fn holds_default(field: &FieldSpec, v: &serde_json::Value) -> bool {
    let Some(literal) = field.default else { return false };
    fields::default_value(field.name, literal).ok().and_then(|d| serde_json::to_value(d).ok()).is_some_and(|d| d == *v)
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

#[cfg(test)]
// Tests fail loudly on purpose: an unwrap here is an assertion.
#[allow(clippy::unwrap_used, clippy::expect_used)]
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
