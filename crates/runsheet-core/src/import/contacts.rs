//! Contacts: the plain (non-task) list lines of "Emergency Contacts", "Escalation", "On-call" and "Stakeholders"
//! sections, `- ROLE: part - part - part`, each part a value (name, phone, e-mail, handle) or a `[Placeholder]`
//! to fill in when the run is prepared.
//!
//! A pass over the source lines after the checklist is built: the checklist's headings (with their lines) say
//! which lines stand in a contacts section; fenced code is skipped.

use crate::checklist::{Checklist, Contact, ContactField};

/// Headings that hold contacts (a phase's sections inherit it).
fn is_contacts_title(title: &str) -> bool {
    let t = title.to_lowercase();
    ["contact", "escalation", "on-call", "on call", "oncall", "stakeholder", "who to call"].iter().any(|k| t.contains(k))
}

/// The contacts of `source`, which `checklist` was parsed from (same line numbers).
pub(crate) fn extract(source: &str, checklist: &Checklist) -> Vec<Contact> {
    // (heading line, phase-or-section id, title, holds contacts), in source order.
    let mut headings: Vec<(u32, &str, &str, bool)> = Vec::new();
    for p in &checklist.phases {
        let phase_ctx = is_contacts_title(&p.title);
        headings.push((p.line, &p.id, &p.title, phase_ctx));
        for s in &p.sections {
            let title = if s.title.is_empty() { &p.title } else { &s.title };
            headings.push((s.line.max(p.line), &s.id, title, phase_ctx || is_contacts_title(&s.title)));
        }
    }
    headings.sort_by_key(|h| h.0);
    if !headings.iter().any(|h| h.3) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (n, line) in source.lines().enumerate() {
        let no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        let Some(&(_, id, title, true)) = headings.iter().rev().find(|h| h.0 <= no && h.0 > 0) else { continue };
        if let Some(c) = contact_line(t) {
            out.push(Contact { role: c.0, group: title.to_string(), section: id.to_string(), line: no, fields: c.1 });
        }
    }
    out
}

/// `- ROLE: rest` (not a task item) into the role and its fields.
fn contact_line(t: &str) -> Option<(String, Vec<ContactField>)> {
    let rest = t.strip_prefix(['-', '*', '+'])?.strip_prefix([' ', '\t'])?.trim();
    if rest.starts_with("[ ]") || rest.to_ascii_lowercase().starts_with("[x]") {
        return None;
    }
    let (role, parts) = rest.split_once(':')?;
    let role = role.trim().trim_matches('*').trim_matches('_').trim();
    if role.is_empty() || role.len() > 60 || parts.trim().is_empty() || parts.starts_with("//") {
        return None;
    }
    let parts = parts.trim().trim_start_matches('*').trim();
    let mut fields = Vec::new();
    for part in split_parts(parts) {
        fields.push(field(part, fields.iter().any(|f: &ContactField| f.kind == "name")));
    }
    Some((role.to_string(), fields))
}

/// Split on ` - `, ` – `, ` | `, `, ` and ` / ` (a phone's own dashes have no spaces around them).
fn split_parts(s: &str) -> Vec<&str> {
    let mut parts = vec![s];
    for sep in [" - ", " – ", " — ", " | ", ", ", " / "] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// One part: a `[Placeholder]` (its words give the kind) or a value (its shape gives the kind).
fn field(part: &str, have_name: bool) -> ContactField {
    if let Some(label) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
        let l = label.to_lowercase();
        let kind = if l.contains("phone") || l.contains("mobile") || l.contains("tel") {
            "phone"
        } else if l.contains("mail") {
            "email"
        } else if l.contains("slack") || l.contains("handle") || l.contains("pager") {
            "handle"
        } else if l.contains("name") {
            "name"
        } else {
            "other"
        };
        return ContactField { kind: kind.into(), label: label.trim().to_string(), value: None };
    }
    let digits = part.chars().filter(char::is_ascii_digit).count();
    let kind = if part.contains('@') && part.contains('.') && !part.starts_with('@') {
        "email"
    } else if digits >= 7 && part.chars().all(|c| c.is_ascii_digit() || "+()-. ".contains(c)) {
        "phone"
    } else if part.starts_with(['@', '#']) {
        "handle"
    } else if !have_name && digits == 0 {
        "name"
    } else {
        "other"
    };
    ContactField { kind: kind.into(), label: kind.into(), value: Some(part.trim_matches('`').to_string()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(String, Option<String>)> {
        contact_line(line).map(|(_, f)| f.into_iter().map(|f| (f.kind, f.value)).collect()).unwrap_or_default()
    }

    #[test]
    fn placeholders_and_values_are_told_apart_by_their_words_and_shape() {
        let k = |s: &str| (s.to_string(), None::<String>);
        assert_eq!(kinds("- Primary: [Name] - [Phone] - [Email]"), vec![k("name"), k("phone"), k("email")]);
        assert_eq!(
            kinds("- **DBA on call**: Jane Doe, +1 555-0100, jane@example.com, @jane"),
            vec![
                ("name".into(), Some("Jane Doe".into())),
                ("phone".into(), Some("+1 555-0100".into())),
                ("email".into(), Some("jane@example.com".into())),
                ("handle".into(), Some("@jane".into())),
            ]
        );
        assert_eq!(kinds("- AWS Support: [Account ID] - [Support Plan]"), vec![k("other"), k("other")]);
        assert!(contact_line("- [ ] Emergency contact information updated: yes").is_none(), "tasks are not contacts");
        assert!(contact_line("plain text: not a list line").is_none());
        assert!(contact_line("- no colon here").is_none());
    }
}
