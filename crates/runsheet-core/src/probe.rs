//! Probe specifications: the TOML inside ```probe blocks, parsed and validated (no execution here).
//!
//! PLACEHOLDER owned by the probes engineer: replace `ProbeSpec` with the typed model of every kind in
//! DESIGN.md, keeping `parse` and `ProbeSpecError` as the importer's entry point.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSpec {
    pub kind: String,
    pub fields: toml::Table,
}

/// A probe block that does not validate; `field` names the offending field when there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct ProbeSpecError {
    pub field: Option<String>,
    pub message: String,
}

/// Parse and validate the TOML source of a probe block.
pub fn parse(source: &str) -> Result<ProbeSpec, ProbeSpecError> {
    let mut fields: toml::Table =
        source.parse().map_err(|e: toml::de::Error| ProbeSpecError { field: None, message: e.message().to_string() })?;
    let kind = match fields.remove("kind") {
        Some(toml::Value::String(k)) => k,
        _ => return Err(ProbeSpecError { field: Some("kind".into()), message: "missing or not a string".into() }),
    };
    Ok(ProbeSpec { kind, fields })
}
