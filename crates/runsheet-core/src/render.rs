//! Checklist (and, through a hook, run) rendering back to GitHub-flavoured Markdown.
//!
//! The output re-imports to the same checklist: titles, timing hints, items (ids, text, checked, nesting),
//! commands with their labels, probe blocks written back verbatim and sign-off lines. Source line numbers are
//! not preserved (they are those of the rendered file), nor is prose, tables or anything the importer ignores.
//!
//! Run exports build on [`render_with`]: an [`ItemAnnotation`] per item can override the checkbox and add
//! lines (state, who/when, notes). Annotation lines are written as a block quote inside the item with every
//! Markdown character escaped, so they are visible in any viewer yet never change what re-imports.

use std::fmt::Write as _;

use crate::checklist::{Checklist, Command, CommandKind, Item, Phase, Section, SignoffLine};
use crate::import::heuristics::is_signoff_context;
use crate::import::wrap_code;

/// What a run export adds to one item. The default changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemAnnotation {
    /// Overrides the item's own `checked` for the `[ ]`/`[x]` box.
    pub checked: Option<bool>,
    /// Lines written under the item (e.g. `skipped by alice at 2026-11-23 18:04 UTC: reason`); plain text, each
    /// becomes its own paragraph of a block quote. Empty lines are dropped.
    pub lines: Vec<String>,
}

/// Render a checklist as Markdown that re-imports to the same items and sign-offs.
pub fn checklist_to_markdown(checklist: &Checklist) -> String {
    render_with(checklist, &|_| ItemAnnotation::default())
}

/// Render with a per-item annotation (checkbox override and extra lines); see [`ItemAnnotation`].
pub fn render_with(checklist: &Checklist, annotate: &dyn Fn(&Item) -> ItemAnnotation) -> String {
    let mut out = String::new();
    if !checklist.metadata.is_empty() {
        if let Ok(yaml) = serde_yaml_ng::to_string(&checklist.metadata) {
            out.push_str("---\n");
            out.push_str(&yaml);
            if !yaml.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("---\n\n");
        }
    }
    let _ = writeln!(out, "# {}\n", escape_inline(&checklist.title));
    signoff_block(&mut out, checklist.signoffs.iter().filter(|s| s.phase.is_none()));
    for (pi, phase) in checklist.phases.iter().enumerate() {
        render_phase(&mut out, checklist, phase, pi == 0, annotate);
    }
    // Sign-offs naming a phase or section that does not exist (a hand-edited JSON checklist) still appear.
    let placed = |s: &SignoffLine| match (&s.phase, &s.section) {
        (None, _) => true,
        (Some(p), None) => checklist.phases.iter().any(|ph| &ph.id == p),
        (Some(p), Some(sec)) => checklist.phases.iter().any(|ph| &ph.id == p && ph.sections.iter().any(|x| &x.id == sec)),
    };
    if checklist.signoffs.iter().any(|s| !placed(s)) {
        out.push_str("## Sign-off\n\n");
        signoff_block(&mut out, checklist.signoffs.iter().filter(|s| !placed(s)));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn heading(out: &mut String, level: usize, title: &str, timing: Option<&crate::checklist::Timing>) {
    out.push_str(&"#".repeat(level));
    out.push(' ');
    out.push_str(&escape_inline(title));
    // A heading that is its own hint (`### First Day`) is written once.
    if let Some(t) = timing.filter(|t| !t.label.eq_ignore_ascii_case(title)) {
        if !title.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "({})", escape_inline(&t.label));
    }
    out.push_str("\n\n");
}

fn render_phase(out: &mut String, c: &Checklist, phase: &Phase, first: bool, annotate: &dyn Fn(&Item) -> ItemAnnotation) {
    let implicit = first && phase.line == 0 && phase.title.is_empty() && phase.timing.is_none();
    if !implicit {
        heading(out, 2, &phase.title, phase.timing.as_ref());
    }
    signoff_block(out, c.signoffs.iter().filter(|s| s.phase.as_deref() == Some(&phase.id) && s.section.is_none()));
    contact_block(out, c, &phase.id);
    for section in &phase.sections {
        render_section(out, c, section, annotate);
    }
}

fn render_section(out: &mut String, c: &Checklist, section: &Section, annotate: &dyn Fn(&Item) -> ItemAnnotation) {
    let untitled = section.level == 0 && section.title.is_empty() && section.timing.is_none();
    if !untitled {
        heading(out, usize::from(section.level).clamp(3, 6), &section.title, section.timing.as_ref());
    }
    if !section.items.is_empty() {
        for item in &section.items {
            render_item(out, item, 0, annotate);
        }
        out.push('\n');
    }
    for cmd in &section.commands {
        command_block(out, "", cmd);
        out.push('\n');
    }
    signoff_block(out, c.signoffs.iter().filter(|s| s.section.as_deref() == Some(&section.id)));
    contact_block(out, c, &section.id);
}

/// The contacts standing in phase or section `id`, as `- Role: Name - [Phone]`.
fn contact_block(out: &mut String, c: &Checklist, id: &str) {
    let mut any = false;
    for contact in c.contacts.iter().filter(|k| k.section == id) {
        let parts: Vec<String> = contact
            .fields
            .iter()
            .map(|f| match &f.value {
                // Contacts are read from the raw line, so they are written back raw.
                Some(v) => v.clone(),
                None => format!("[{}]", f.label),
            })
            .collect();
        let _ = writeln!(out, "- {}: {}", contact.role, parts.join(" - "));
        any = true;
    }
    if any {
        out.push('\n');
    }
}

fn render_item(out: &mut String, item: &Item, depth: usize, annotate: &dyn Fn(&Item) -> ItemAnnotation) {
    let indent = "  ".repeat(depth);
    let body = "  ".repeat(depth + 1);
    let ann = annotate(item);
    let checked = ann.checked.unwrap_or(item.checked);
    let _ = writeln!(out, "{indent}- [{}] {}", if checked { 'x' } else { ' ' }, escape_inline(&item.text));
    let notes: Vec<&str> = ann.lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    // Inline commands from the item's text come back with the text; others (from a later paragraph or a plain
    // bullet under the item) are written as plain bullets under it, in command order.
    // A command repeated inside the text accounts for as many inline commands as it has occurrences there.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let extra: Vec<&Command> = item
        .commands
        .iter()
        .filter(|c| {
            if c.kind == CommandKind::Block {
                return true;
            }
            let wrapped = wrap_code(&c.text);
            let used = seen.entry(wrapped.clone()).or_insert(0);
            *used += 1;
            *used > item.text.matches(&wrapped).count()
        })
        .collect();
    let has_blocks = !notes.is_empty() || !item.probes.is_empty() || !extra.is_empty();
    for (i, note) in notes.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out, "{body}>");
        }
        let _ = writeln!(out, "{body}> {}", escape_plain(note));
    }
    // Blocks are separated by blank lines, except right after an item with no text: `- [ ] ` followed by a blank
    // line is an empty item that has already ended (for cmark-gfm and pulldown-cmark alike).
    let mut first = notes.is_empty();
    let mut gap = |out: &mut String| {
        if !(first && item.text.is_empty()) {
            out.push('\n');
        }
        first = false;
    };
    for probe in &item.probes {
        gap(out);
        fence(out, &body, Some("probe"), probe.source.strip_suffix('\n').unwrap_or(&probe.source));
    }
    for cmd in extra {
        gap(out);
        match cmd.kind {
            // A plain bullet: a paragraph here would continue the text of an item whose text is empty.
            CommandKind::Inline => {
                let _ = writeln!(out, "{body}- {}", wrap_code(&cmd.text));
            }
            CommandKind::Block => command_block(out, &body, cmd),
        }
    }
    for child in &item.children {
        if has_blocks {
            out.push('\n');
        }
        render_item(out, child, depth + 1, annotate);
    }
}

fn command_block(out: &mut String, indent: &str, cmd: &Command) {
    if let Some(label) = &cmd.label {
        let _ = writeln!(out, "{indent}**{}**:", escape_inline(label));
    }
    fence(out, indent, cmd.lang.as_deref(), &cmd.text);
}

/// A fenced block, its fence longer than any run of the fence character inside. Backticks, unless the info
/// string has one (only a tilde fence can carry that).
fn fence(out: &mut String, indent: &str, lang: Option<&str>, text: &str) {
    let c = if lang.is_some_and(|l| l.contains('`')) { '~' } else { '`' };
    let longest = text.split(|x| x != c).map(str::len).max().unwrap_or(0);
    let ticks = c.to_string().repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{indent}{ticks}{}", lang.unwrap_or(""));
    if !text.is_empty() {
        for line in text.split('\n') {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
    let _ = writeln!(out, "{indent}{ticks}");
}

/// Sign-off lines under a `**Sign-off**:` label, which gives them their sign-off context on re-import.
fn signoff_block<'a>(out: &mut String, lines: impl Iterator<Item = &'a SignoffLine>) {
    let mut lines = lines.peekable();
    if lines.peek().is_none() {
        return;
    }
    debug_assert!(is_signoff_context("Sign-off"));
    out.push_str("**Sign-off**:\n\n");
    for s in lines {
        let role = escape_inline(&s.role);
        // `*` bullets: a `-` item list written right after must not continue this (labelled) list.
        if s.checkbox {
            let _ = writeln!(out, "* [ ] {role}: ________________ Date: __________");
        } else {
            let _ = writeln!(out, "* {role}: ________________ Date: __________");
        }
    }
    out.push('\n');
}

const SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '~', '&', '|', '!'];

/// Escape text so it reads back literally, except code spans (`` `curl …` ``), which the importer writes in
/// backticks and which must stay code.
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        // In item text `\`` is a literal backtick, and `\\` right before a backtick a literal backslash: both
        // are already Markdown escapes, so they are written as they are.
        let escaped_tick = bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'`');
        let escaped_slash = bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 2) == Some(&b'`');
        if escaped_tick || escaped_slash {
            push_escaped(&mut out, &text[plain_start..i], plain_start == 0);
            out.push_str(&text[i..i + 2]);
            i += 2;
            plain_start = i;
        } else if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            // Find a closing run of exactly the same length.
            let mut j = i + run;
            let mut close = None;
            while j < bytes.len() {
                if bytes[j] == b'`' {
                    let r = bytes[j..].iter().take_while(|b| **b == b'`').count();
                    if r == run {
                        close = Some(j + r);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(end) => {
                    push_escaped(&mut out, &text[plain_start..i], plain_start == 0);
                    out.push_str(&text[i..end]);
                    i = end;
                    plain_start = end;
                }
                None => i += run,
            }
        } else {
            i += 1;
        }
    }
    push_escaped(&mut out, &text[plain_start..], plain_start == 0);
    out
}

/// Escape every Markdown-significant character (no code spans kept).
pub(crate) fn escape_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text, true);
    out
}

fn push_escaped(out: &mut String, s: &str, at_start: bool) {
    let mut chars = s.char_indices().peekable();
    if at_start {
        // Block starters at the head of a line: `- x`, `+ x`, `= x`, `1. x`, `1) x`.
        if s.starts_with(['-', '+', '=']) {
            out.push('\\');
        } else if let Some(d) = s.find(|c: char| !c.is_ascii_digit()) {
            if d > 0 && s[d..].starts_with(['.', ')']) {
                out.push_str(&s[..d]);
                out.push('\\');
                chars = s[d..].char_indices().peekable();
                for (_, c) in chars {
                    push_char(out, c);
                }
                return;
            }
        }
    }
    for (_, c) in chars {
        push_char(out, c);
    }
}

fn push_char(out: &mut String, c: char) {
    if SPECIAL.contains(&c) {
        out.push('\\');
    }
    out.push(c);
}
