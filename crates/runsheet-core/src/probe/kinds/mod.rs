//! The probe kinds, one file each: a kind's fields are described once in its [`KindSpec`] (name, type, required,
//! default, help) and its parse function turns the fields into its [`ProbeCheck`](super::ProbeCheck) variant with
//! any rule of its own (an URL scheme, an environment variable name). The generic machinery in `super::fields`
//! reads the descriptions for the unknown-field check, required fields, defaults and range checks, `to_toml`
//! reads them for field order and default elision, and the desktop's probe editor shows them.
//!
//! Left out: executing a kind (runsheet-probes `kinds`), and the `target()`/`strings()` views of a parsed check,
//! which stay beside the `ProbeCheck` enum.
//!
//! Adding a kind: a file here with its `SPEC` and parse function, one line in [`SPECS`], its `ProbeCheck`
//! variant, its runner module in runsheet-probes, and a test (docs/ARCHITECTURE.md, "Adding a probe kind").

mod disk;
mod dns;
mod env;
mod file;
mod http;
mod port_free;
mod postgres;
mod redis;
mod shell;
mod tcp;
mod tls;

use serde::Serialize;

use super::fields::Fields;
use super::{ProbeCheck, SpecResult};

/// One probe kind, described once: what its fields are and how they become its [`ProbeCheck`] variant.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KindSpec {
    /// The `kind` name as written in TOML.
    pub kind: &'static str,
    /// What a passing probe of this kind shows, in a few words.
    pub summary: &'static str,
    /// The kind's own fields, in the order `to_toml` writes them (the common settings are [`COMMON_FIELDS`]).
    pub fields: &'static [FieldSpec],
    /// Builds the variant from fields already checked against `fields` (unknown, required, defaults filled in).
    #[serde(skip)]
    pub(crate) parse: fn(&mut Fields) -> SpecResult<ProbeCheck>,
}

impl KindSpec {
    /// The description of field `name`, if this kind has one.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One field of a probe kind (or one of the common settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether the field must be given (a required field has no default).
    pub required: bool,
    /// The value used when the field is left out, as a TOML literal (`"\"GET\""`, `200`, `false`).
    pub default: Option<&'static str>,
    /// Whether `to_toml` writes the field even when it holds the default (a threshold the reader should see).
    #[serde(skip)]
    pub write_default: bool,
    /// One sentence for the probe editor.
    pub help: &'static str,
}

impl FieldSpec {
    /// A field that must be given.
    pub const fn required(name: &'static str, ty: FieldType, help: &'static str) -> Self {
        FieldSpec { name, ty, required: true, default: None, write_default: false, help }
    }
    /// A field that may be left out and then has no value.
    pub const fn optional(name: &'static str, ty: FieldType, help: &'static str) -> Self {
        FieldSpec { name, ty, required: false, default: None, write_default: false, help }
    }
    /// A field that may be left out and then holds `default` (a TOML literal); `to_toml` leaves it out again.
    pub const fn defaulted(name: &'static str, ty: FieldType, default: &'static str, help: &'static str) -> Self {
        FieldSpec { name, ty, required: false, default: Some(default), write_default: false, help }
    }
    /// The same field, written by `to_toml` even when it holds its default.
    pub const fn written_when_default(self) -> Self {
        FieldSpec { write_default: true, ..self }
    }
}

/// The type of a field's value, with the checks that come with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A string (a required one must not be empty).
    Text,
    /// A URL starting with one of `schemes` (`"http://"`).
    Url { schemes: &'static [&'static str] },
    /// `host:port`.
    Address,
    /// A TCP port, 1 to 65535.
    Port,
    /// An integer from `min` to `max`; `what` names it in the range error ("an HTTP status").
    Integer {
        min: i64,
        max: i64,
        #[serde(skip)]
        what: Option<&'static str>,
    },
    /// `true` or `false`.
    Bool,
    /// A duration such as `"5s"` or `"15m"`.
    Duration,
    /// A size such as `"10GB"` or `"2GiB"`.
    ByteSize,
    /// An IP address.
    Ip,
    /// A table of strings (`{ Authorization = "…" }`).
    StringTable,
    /// A string that must reference a keyring secret (`"{{secret:db_password}}"`); plaintext is refused.
    SecretRef,
    /// A string, number or boolean, compared as text.
    Scalar,
    /// A JSON pointer and comparison (`"/status == \"ok\""`).
    JsonCheck,
}

impl FieldType {
    /// How the probe editor names the type ("integer 100-599", "host:port").
    pub fn label(&self) -> String {
        match self {
            FieldType::Text => "text".into(),
            FieldType::Url { schemes } => format!("URL ({})", schemes.join(" or ")),
            FieldType::Address => "host:port".into(),
            FieldType::Port => "port (1-65535)".into(),
            FieldType::Integer { min, max, .. } => format!("integer {min}-{max}"),
            FieldType::Bool => "true or false".into(),
            FieldType::Duration => "duration (\"5s\", \"15m\")".into(),
            FieldType::ByteSize => "size (\"10GB\", \"2GiB\")".into(),
            FieldType::Ip => "IP address".into(),
            FieldType::StringTable => "table of strings".into(),
            FieldType::SecretRef => "secret reference (\"{{secret:NAME}}\")".into(),
            FieldType::Scalar => "string or number".into(),
            FieldType::JsonCheck => "JSON pointer comparison (\"/status == \\\"ok\\\"\")".into(),
        }
    }
}

/// The settings every kind takes besides its own fields, in the order `to_toml` writes them.
pub const COMMON_FIELDS: &[FieldSpec] = &[
    FieldSpec::defaulted("timeout", FieldType::Duration, "\"5s\"", "Time limit of one attempt (more than 0s, at most 1h)."),
    FieldSpec::defaulted(
        "retries",
        FieldType::Integer { min: 0, max: 10, what: None },
        "0",
        "Extra attempts after a failed one, with exponential backoff.",
    ),
    FieldSpec::defaulted("fresh_for", FieldType::Duration, "\"15m\"", "How long a passing result counts as current evidence."),
    FieldSpec::defaulted(
        "rollback_trigger",
        FieldType::Bool,
        "false",
        "A failing result fires a rollback trigger on the item: the run then waits for a roll back or continue decision.",
    ),
];

/// Number of probe kinds.
pub const KIND_COUNT: usize = 11;

/// Every kind, in the order of DESIGN.md's table. Registering a kind is one line here.
const ALL: [KindSpec; KIND_COUNT] = [
    http::SPEC,
    tcp::SPEC,
    port_free::SPEC,
    dns::SPEC,
    tls::SPEC,
    redis::SPEC,
    postgres::SPEC,
    disk::SPEC,
    env::SPEC,
    file::SPEC,
    shell::SPEC,
];

/// The descriptions of every kind (what `probe::kinds()` returns).
pub static SPECS: [KindSpec; KIND_COUNT] = ALL;

/// The kind names of [`SPECS`], in the same order (computed, so each name is written once, in its kind's file).
pub const NAMES: [&str; KIND_COUNT] = {
    let mut out = [""; KIND_COUNT];
    let mut i = 0;
    while i < KIND_COUNT {
        out[i] = ALL[i].kind;
        i += 1;
    }
    out
};

/// The description of `kind`, if it is one.
pub fn find(kind: &str) -> Option<&'static KindSpec> {
    SPECS.iter().find(|s| s.kind == kind)
}

/// The name of a parsed check's kind (the `kind` of its description).
pub(crate) fn name_of(check: &ProbeCheck) -> &'static str {
    match check {
        ProbeCheck::Http { .. } => http::SPEC.kind,
        ProbeCheck::Tcp { .. } => tcp::SPEC.kind,
        ProbeCheck::PortFree { .. } => port_free::SPEC.kind,
        ProbeCheck::Dns { .. } => dns::SPEC.kind,
        ProbeCheck::Tls { .. } => tls::SPEC.kind,
        ProbeCheck::Redis { .. } => redis::SPEC.kind,
        ProbeCheck::Postgres { .. } => postgres::SPEC.kind,
        ProbeCheck::Disk { .. } => disk::SPEC.kind,
        ProbeCheck::Env { .. } => env::SPEC.kind,
        ProbeCheck::File { .. } => file::SPEC.kind,
        ProbeCheck::Shell { .. } => shell::SPEC.kind,
    }
}

#[cfg(test)]
// Tests fail loudly on purpose: an unwrap here is an assertion.
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::probe::{parse, KINDS};

    /// A valid value of type `ty` that is not any described default, as TOML.
    fn sample(ty: &FieldType) -> String {
        match ty {
            FieldType::Text | FieldType::Scalar => "\"x\"".into(),
            FieldType::Url { schemes } => format!("\"{}h/x\"", schemes[0]),
            FieldType::Address => "\"h:1\"".into(),
            FieldType::Port => "1".into(),
            FieldType::Integer { max, .. } => max.to_string(),
            FieldType::Bool => "true".into(),
            FieldType::Duration => "\"1s\"".into(),
            FieldType::ByteSize => "\"1GB\"".into(),
            FieldType::Ip => "\"127.0.0.2\"".into(),
            FieldType::StringTable => "{ a = \"x\" }".into(),
            FieldType::SecretRef => "\"{{secret:s}}\"".into(),
            FieldType::JsonCheck => "\"/a\"".into(),
        }
    }

    fn block(kind: &str, fields: &[(&str, String)]) -> String {
        let mut s = format!("kind = \"{kind}\"\n");
        for (name, value) in fields {
            s.push_str(&format!("{name} = {value}\n"));
        }
        s
    }

    /// The field names `to_toml` wrote, in order.
    fn written(toml: &str) -> Vec<String> {
        toml.lines().filter_map(|l| l.split_once(" = ")).map(|(k, _)| k.to_string()).collect()
    }

    fn required(spec: &KindSpec) -> Vec<(&'static str, String)> {
        spec.fields.iter().filter(|f| f.required).map(|f| (f.name, sample(&f.ty))).collect()
    }

    #[test]
    fn every_kind_is_described_once() {
        let described: Vec<&str> = SPECS.iter().map(|s| s.kind).collect();
        assert_eq!(described, KINDS, "KINDS is the list of described kinds, in the same order");
        assert_eq!(described.iter().collect::<BTreeSet<_>>().len(), KIND_COUNT, "kind names are unique");
        for spec in &SPECS {
            let names: BTreeSet<&str> = spec.fields.iter().map(|f| f.name).collect();
            assert_eq!(names.len(), spec.fields.len(), "{}: a field is described twice", spec.kind);
            for f in spec.fields.iter().chain(COMMON_FIELDS) {
                assert!(!(f.required && f.default.is_some()), "{}.{}: a required field has no default", spec.kind, f.name);
                assert!(!f.help.is_empty(), "{}.{}: the editor shows help for every field", spec.kind, f.name);
            }
            assert!(COMMON_FIELDS.iter().all(|c| !names.contains(c.name)), "{}: a common setting is redescribed", spec.kind);
            // Only the required fields given: every described default must itself be a valid value.
            let src = block(spec.kind, &required(spec));
            let parsed = parse(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(parsed.check.kind(), spec.kind, "the variant parse builds names its own kind");
        }
    }

    #[test]
    fn description_and_parser_accept_the_same_fields() {
        for spec in &SPECS {
            let all: Vec<(&str, String)> = spec.fields.iter().map(|f| (f.name, sample(&f.ty))).collect();
            let src = block(spec.kind, &all);
            let parsed = parse(&src).unwrap_or_else(|e| panic!("every described field is accepted: {src}: {e}"));
            // Every field of the variant is described, and every described field reaches the variant.
            let serde_json::Value::Object(map) = serde_json::to_value(&parsed.check).unwrap() else { panic!("object") };
            let produced: BTreeSet<&str> = map.keys().map(String::as_str).filter(|k| *k != "kind").collect();
            let described: BTreeSet<&str> = spec.fields.iter().map(|f| f.name).collect();
            assert_eq!(produced, described, "{}: the variant's fields and the description differ", spec.kind);
            for f in spec.fields {
                // A value of the wrong type is refused and named: the parser reads this very field.
                let wrong: Vec<(&str, String)> =
                    all.iter().map(|(n, v)| (*n, if *n == f.name { "[1]".to_string() } else { v.clone() })).collect();
                let e = parse(&block(spec.kind, &wrong)).expect_err("an array is no field's type");
                assert_eq!(e.field.as_deref(), Some(f.name), "{}.{}: {e}", spec.kind, f.name);
                if f.required {
                    let without: Vec<(&str, String)> = all.iter().filter(|(n, _)| *n != f.name).cloned().collect();
                    let e = parse(&block(spec.kind, &without)).expect_err("a required field is required");
                    assert_eq!(e.to_string(), format!("field `{}`: missing (required)", f.name));
                }
            }
            let e = parse(&block(spec.kind, &[all.as_slice(), &[("undescribed", "1".into())]].concat())).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("undescribed"), "a field nobody described is refused");
        }
    }

    #[test]
    fn to_toml_elides_exactly_the_described_defaults() {
        for spec in &SPECS {
            // Left out, a field holds its default, and to_toml leaves it out again unless told to write it.
            let minimal = parse(&block(spec.kind, &required(spec))).unwrap();
            let expected: Vec<&str> = std::iter::once("kind")
                .chain(spec.fields.iter().filter(|f| f.required || (f.default.is_some() && f.write_default)).map(|f| f.name))
                .collect();
            assert_eq!(written(&minimal.to_toml()), expected, "{}: {}", spec.kind, minimal.to_toml());
            // Written out at their default values, defaults are still elided: the parsed spec is the same.
            let defaults: Vec<(&str, String)> = spec
                .fields
                .iter()
                .chain(COMMON_FIELDS)
                .filter_map(|f| f.default.map(|d| (f.name, d.to_string())))
                .chain(required(spec))
                .collect();
            let explicit = parse(&block(spec.kind, &defaults)).unwrap();
            assert_eq!(explicit, minimal, "{}: a default written out parses to the default", spec.kind);
            assert_eq!(explicit.to_toml(), minimal.to_toml());
            // Every field away from its default is written, in the described order, and round-trips.
            let all: Vec<(&str, String)> =
                spec.fields.iter().chain(COMMON_FIELDS).map(|f| (f.name, sample(&f.ty))).collect();
            let full = parse(&block(spec.kind, &all)).unwrap();
            let order: Vec<&str> =
                std::iter::once("kind").chain(spec.fields.iter().chain(COMMON_FIELDS).map(|f| f.name)).collect();
            assert_eq!(written(&full.to_toml()), order, "{}: {}", spec.kind, full.to_toml());
            assert_eq!(parse(&full.to_toml()).unwrap(), full, "{}", full.to_toml());
        }
    }
}
