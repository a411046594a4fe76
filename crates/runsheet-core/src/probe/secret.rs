//! Secrets referenced by name: the `{{secret:NAME}}` syntax inside probe strings, the rules for valid and
//! reserved names, and substitution. Pure: nothing here reads the keyring (the runner resolves names).

use super::ProbeSpec;

/// Names referenced as `{{secret:NAME}}` anywhere in the spec, sorted and without duplicates.
pub fn secret_refs(spec: &ProbeSpec) -> Vec<String> {
    let mut names: Vec<String> =
        spec.check.strings().into_iter().flat_map(|(_, s)| parse_secret_refs(s).unwrap_or_default()).collect();
    names.sort();
    names.dedup();
    names
}

/// Whether `name` is a valid secret name: ASCII letters, digits, `_`, `-` and `.`, 1 to 128 characters.
/// Reserved names ([`is_reserved_secret_name`]) are well-formed but refused separately, with their own message.
pub fn is_valid_secret_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Prefix of the names of Runsheet's own keyring entries (signing identities, team credentials, the names index).
pub const RESERVED_SECRET_PREFIX: &str = "runsheet";

/// Whether `name` is reserved for Runsheet's own keyring entries (it starts with `runsheet`, in any case). Such a
/// name can never be stored as a probe secret nor referenced by a probe, so a checklist cannot ask for the signing
/// key or a team password.
pub fn is_reserved_secret_name(name: &str) -> bool {
    name.trim().get(..RESERVED_SECRET_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_SECRET_PREFIX))
}

/// Why `name` cannot be a probe secret's name, or None when it can.
pub fn secret_name_problem(name: &str) -> Option<String> {
    if !is_valid_secret_name(name) {
        Some(format!("invalid secret name `{name}` (use letters, digits, `_`, `-` and `.`, at most 128 characters)"))
    } else if is_reserved_secret_name(name) {
        Some(format!(
            "secret name `{name}` is reserved: names starting with `{RESERVED_SECRET_PREFIX}` belong to Runsheet's own \
             keyring entries (signing identities, team credentials) and are never given to probes; choose another name"
        ))
    } else {
        None
    }
}

/// The secret names referenced in one string; an error for a malformed `{{secret:…` reference.
pub fn parse_secret_refs(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{secret:") {
        let after = &rest[i + "{{secret:".len()..];
        let Some(end) = after.find("}}") else {
            return Err("unterminated `{{secret:` reference (expected `{{secret:NAME}}`)".into());
        };
        let name = after[..end].trim();
        if let Some(problem) = secret_name_problem(name) {
            return Err(problem);
        }
        out.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// Replace every `{{secret:NAME}}` in `s` using `lookup`; the first missing name is the error.
pub fn substitute_secrets(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("{{secret:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "{{secret:".len()..];
        let end = after.find("}}").ok_or_else(|| "unterminated `{{secret:` reference".to_string())?;
        let name = after[..end].trim();
        let value = lookup(name).ok_or_else(|| name.to_string())?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
