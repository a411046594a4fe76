//! Front matter (`---` YAML or `+++` TOML at the top of the file) to checklist metadata (JSON values).
//! Only mappings are accepted; keys that are not strings are written as strings.

use std::collections::BTreeMap;

use serde_json::Value;

/// Parse front matter text. Errors carry a 0-based line within the block (when known) and a message.
pub(super) fn parse(text: &str, yaml: bool) -> Result<BTreeMap<String, Value>, (u32, String)> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    if yaml {
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)
            .map_err(|e| (e.location().map(|l| l.line().saturating_sub(1) as u32).unwrap_or(0), format!("not valid YAML: {e}")))?;
        match v {
            serde_yaml_ng::Value::Mapping(m) => Ok(m.into_iter().map(|(k, v)| (yaml_key(k), yaml_to_json(v))).collect()),
            serde_yaml_ng::Value::Null => Ok(BTreeMap::new()),
            _ => Err((0, "expected a mapping of `key: value` lines".into())),
        }
    } else {
        let t: toml::Table = text.parse().map_err(|e: toml::de::Error| (0, format!("not valid TOML: {}", e.message())))?;
        Ok(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
    }
}

fn yaml_key(k: serde_yaml_ng::Value) -> String {
    match k {
        serde_yaml_ng::Value::String(s) => s,
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::Null => "null".into(),
        other => serde_yaml_ng::to_string(&other).map(|s| s.trim().to_string()).unwrap_or_default(),
    }
}

/// YAML value to JSON. Recursion is bounded by the YAML parser's own nesting limit.
fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or_else(|| Value::String(n.to_string()))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(m.into_iter().map(|(k, v)| (yaml_key(k), yaml_to_json(v))).collect()),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or_else(|| Value::String(f.to_string())),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}
