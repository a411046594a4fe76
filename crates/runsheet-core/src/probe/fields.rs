//! The generic half of probe parsing: a probe block's TOML table read against a kind's description
//! ([`KindSpec`](super::kinds::KindSpec)). It refuses unknown fields (with a "did you mean"), reports missing
//! required fields, fills in described defaults, and gives typed access that checks each value against its
//! described type (ranges, URL schemes, `host:port`, secret references), naming the field in every error.
//!
//! Left out: the rules of one kind (its parse function, in `kinds/`) and the settings' own limits (`from_table`).

use std::collections::BTreeMap;

use super::kinds::{FieldSpec, FieldType, COMMON_FIELDS};
use super::{parse_secret_refs, ByteSize, DurationSpec, JsonCheck, ProbeSpecError, SpecResult};

/// The fields of one probe block, read against the description of its kind and the common settings.
#[derive(Debug)]
pub struct Fields {
    table: toml::Table,
    /// The kind's own fields (empty until the kind is known).
    described: &'static [FieldSpec],
}

impl Fields {
    pub(super) fn new(table: toml::Table) -> Self {
        Fields { table, described: &[] }
    }

    /// Reads the rest of the block against `fields` (the kind's description).
    pub(super) fn describe(&mut self, fields: &'static [FieldSpec]) {
        self.described = fields;
    }

    /// The description of `name`, which must have a type `is_type` accepts: a parse function reading a field
    /// its kind does not describe (or as another type) fails on every block, so the two cannot drift apart.
    fn spec(&self, name: &str, is_type: fn(&FieldType) -> bool) -> SpecResult<&'static FieldSpec> {
        match self.described.iter().chain(COMMON_FIELDS).find(|f| f.name == name) {
            Some(f) if is_type(&f.ty) => Ok(f),
            Some(f) => Err(ProbeSpecError::field(name, format!("is described as {}, read as another type", f.ty.label()))),
            None => Err(ProbeSpecError::field(name, "is not in the description of this kind")),
        }
    }

    /// The first field that is neither described nor common, as an error for `kind` (before anything is read,
    /// so that a misspelt `urll` is named as such rather than reported as a missing `url`).
    pub(super) fn refuse_unknown(&self, kind: &str) -> SpecResult<()> {
        let known = || self.described.iter().chain(COMMON_FIELDS).map(|f| f.name);
        match self.table.keys().find(|k| k.as_str() != "kind" && !known().any(|n| n == k.as_str())) {
            None => Ok(()),
            Some(k) => {
                let hint = known().find(|n| similar(n, k)).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                Err(ProbeSpecError::field(k, format!("unknown field for kind `{kind}`{hint}")))
            }
        }
    }

    /// A "missing (required)" error for the first described required field that is absent.
    pub(super) fn require(&self) -> SpecResult<()> {
        match self.described.iter().find(|f| f.required && !self.table.contains_key(f.name)) {
            Some(f) => Err(ProbeSpecError::field(f.name, "missing (required)")),
            None => Ok(()),
        }
    }

    /// Inserts the described default of every absent field of `fields`, so it is read and checked like a value
    /// that was written.
    pub(super) fn fill_defaults(&mut self, fields: &'static [FieldSpec]) -> SpecResult<()> {
        for f in fields {
            if let (Some(default), false) = (f.default, self.table.contains_key(f.name)) {
                self.table.insert(f.name.to_string(), default_value(f.name, default)?);
            }
        }
        Ok(())
    }

    /// Fails on any field left unread (a described field its kind's parse function forgot).
    pub(super) fn finish(self) -> SpecResult<()> {
        match self.table.keys().next() {
            None => Ok(()),
            Some(k) => Err(ProbeSpecError::field(k, "unknown field for this kind")),
        }
    }

    /// An optional text field.
    pub fn opt_text(&mut self, name: &str) -> SpecResult<Option<String>> {
        self.spec(name, |t| matches!(t, FieldType::Text))?;
        self.raw_opt_str(name)
    }

    fn raw_opt_str(&mut self, name: &str) -> SpecResult<Option<String>> {
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected a string, found {}", other.type_str()))),
        }
    }

    /// The `kind` field.
    pub(super) fn kind(&mut self) -> SpecResult<String> {
        self.raw_str("kind", true)
    }

    /// A text field that is required (then it must not be blank) or has a default.
    pub fn text(&mut self, name: &str) -> SpecResult<String> {
        let required = self.spec(name, |t| matches!(t, FieldType::Text))?.required;
        self.raw_str(name, required)
    }

    fn raw_str(&mut self, name: &str, required: bool) -> SpecResult<String> {
        match self.raw_opt_str(name)? {
            Some(s) if !required || !s.trim().is_empty() => Ok(s),
            Some(_) => Err(ProbeSpecError::field(name, "must not be empty")),
            None => Err(ProbeSpecError::field(name, "missing (required)")),
        }
    }

    /// A text field that must start with one of the described URL schemes.
    pub fn url(&mut self, name: &str) -> SpecResult<String> {
        let spec = self.spec(name, |t| matches!(t, FieldType::Url { .. }))?;
        let FieldType::Url { schemes } = spec.ty else { return Err(not_typed(name, "a URL")) };
        let url = self.raw_str(name, spec.required)?;
        if !schemes.iter().any(|s| url.starts_with(s)) {
            return Err(ProbeSpecError::field(name, format!("must start with {}", schemes.join(" or "))));
        }
        Ok(url)
    }

    /// A `host:port` field.
    pub fn address(&mut self, name: &str) -> SpecResult<String> {
        let required = self.spec(name, |t| matches!(t, FieldType::Address))?.required;
        let a = self.raw_str(name, required)?;
        match a.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => Ok(a),
            _ => Err(ProbeSpecError::field(name, format!("expected host:port, found \"{a}\""))),
        }
    }

    fn raw_int(&mut self, name: &str) -> SpecResult<i64> {
        match self.table.remove(name) {
            None => Err(ProbeSpecError::field(name, "missing (required)")),
            Some(toml::Value::Integer(i)) => Ok(i),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected an integer, found {}", other.type_str()))),
        }
    }

    /// A port number, 1 to 65535.
    pub fn port(&mut self, name: &str) -> SpecResult<u16> {
        self.spec(name, |t| matches!(t, FieldType::Port))?;
        match u16::try_from(self.raw_int(name)?) {
            Ok(p) if p > 0 => Ok(p),
            _ => Err(ProbeSpecError::field(name, "must be a port number (1-65535)")),
        }
    }

    /// An integer within the described range.
    pub fn int(&mut self, name: &str) -> SpecResult<i64> {
        let FieldType::Integer { min, max, what } = self.spec(name, |t| matches!(t, FieldType::Integer { .. }))?.ty else {
            return Err(not_typed(name, "an integer"));
        };
        let i = self.raw_int(name)?;
        if (min..=max).contains(&i) {
            return Ok(i);
        }
        Err(ProbeSpecError::field(
            name,
            match what {
                Some(what) => format!("must be {what} ({min}-{max})"),
                None => format!("must be between {min} and {max}"),
            },
        ))
    }

    /// A boolean field (present: it has a default).
    pub fn bool(&mut self, name: &str) -> SpecResult<bool> {
        self.spec(name, |t| matches!(t, FieldType::Bool))?;
        match self.table.remove(name) {
            None => Err(ProbeSpecError::field(name, "missing (required)")),
            Some(toml::Value::Boolean(b)) => Ok(b),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected true or false, found {}", other.type_str()))),
        }
    }

    /// A duration such as `"5s"`.
    pub fn duration(&mut self, name: &str) -> SpecResult<DurationSpec> {
        self.spec(name, |t| matches!(t, FieldType::Duration))?;
        self.raw_str(name, false)?.parse().map_err(|m| ProbeSpecError::field(name, m))
    }

    /// A size such as `"10GB"`.
    pub fn byte_size(&mut self, name: &str) -> SpecResult<ByteSize> {
        self.spec(name, |t| matches!(t, FieldType::ByteSize))?;
        self.raw_str(name, false)?.parse().map_err(|m| ProbeSpecError::field(name, m))
    }

    /// An optional IP address, kept as written.
    pub fn opt_ip(&mut self, name: &str) -> SpecResult<Option<String>> {
        self.spec(name, |t| matches!(t, FieldType::Ip))?;
        let ip = self.raw_opt_str(name)?;
        if ip.as_deref().is_some_and(|e| e.parse::<std::net::IpAddr>().is_err()) {
            return Err(ProbeSpecError::field(name, "must be an IP address such as 127.0.0.1"));
        }
        Ok(ip)
    }

    /// An optional JSON pointer comparison.
    pub fn opt_json_check(&mut self, name: &str) -> SpecResult<Option<JsonCheck>> {
        self.spec(name, |t| matches!(t, FieldType::JsonCheck))?;
        match self.raw_opt_str(name)? {
            None => Ok(None),
            Some(s) => s.parse::<JsonCheck>().map(Some).map_err(|m| ProbeSpecError::field(name, m)),
        }
    }

    /// An optional string, number or boolean, as text.
    pub fn opt_scalar(&mut self, name: &str) -> SpecResult<Option<String>> {
        self.spec(name, |t| matches!(t, FieldType::Scalar))?;
        match self.table.remove(name) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(toml::Value::Integer(i)) => Ok(Some(i.to_string())),
            Some(toml::Value::Float(x)) => Ok(Some(x.to_string())),
            Some(toml::Value::Boolean(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(ProbeSpecError::field(name, format!("expected a string or number, found {}", other.type_str()))),
        }
    }

    /// An optional password, which must reference a keyring secret.
    pub fn opt_secret_ref(&mut self, name: &str) -> SpecResult<Option<String>> {
        self.spec(name, |t| matches!(t, FieldType::SecretRef))?;
        let Some(p) = self.raw_opt_str(name)? else { return Ok(None) };
        let refs = parse_secret_refs(&p).map_err(|m| ProbeSpecError::field(name, m))?;
        if refs.is_empty() {
            return Err(ProbeSpecError::field(
                name,
                "must reference a keyring secret such as \"{{secret:db_password}}\" (plaintext passwords are refused)",
            ));
        }
        Ok(Some(p))
    }

    /// An optional table of strings (empty when absent).
    pub fn string_table(&mut self, name: &str) -> SpecResult<BTreeMap<String, String>> {
        self.spec(name, |t| matches!(t, FieldType::StringTable))?;
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
}

/// A described default (a TOML literal) as a TOML value.
pub(super) fn default_value(name: &str, literal: &str) -> SpecResult<toml::Value> {
    let parsed: Result<toml::Table, _> = format!("v = {literal}").parse();
    match parsed.ok().and_then(|mut t| t.remove("v")) {
        Some(v) => Ok(v),
        None => Err(ProbeSpecError::field(name, format!("the description's default `{literal}` is not a TOML value"))),
    }
}

fn not_typed(name: &str, what: &str) -> ProbeSpecError {
    ProbeSpecError::field(name, format!("is not described as {what}"))
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
