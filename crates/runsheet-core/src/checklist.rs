//! The checklist model: what the importer produces from Markdown and what a run freezes.
//!
//! Plain data only; parsing lives in `import`, rendering back to Markdown in `render`. The JSON shape of these
//! types is public (`runsheet inspect --json`): fields may be added, never renamed or removed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::probe::ProbeSpec;

/// A parsed checklist: `#` title, `##` phases, deeper headings as sections, task items, sign-off lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub title: String,
    /// YAML front matter fields, kept as run metadata defaults (version, environment, owner, ...).
    #[serde(default)]
    pub metadata: BTreeMap<String, serde_json::Value>,
    pub phases: Vec<Phase>,
    pub signoffs: Vec<SignoffLine>,
    /// People to call, from "Emergency Contacts" / "Escalation" / "On-call" sections. Left out of the JSON when
    /// empty, so checklists frozen before contacts existed keep their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
}

/// One line of a contacts section: `- Primary: [Name] - [Phone] - [Email]` or `- DBA on call: Jane Doe,
/// +1 555 0100`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// What the person is to the deployment (`Primary`, `Engineering Lead`, `AWS Support`).
    pub role: String,
    /// The heading it stands under (`On-Call Engineers`).
    pub group: String,
    /// Id of the phase or section it stands in (a Markdown export puts it back there).
    pub section: String,
    pub line: u32,
    pub fields: Vec<ContactField>,
}

/// One part of a contact: a value, or a placeholder still to fill in (`[Phone]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactField {
    /// `name`, `phone`, `email`, `handle`, or `other`.
    pub kind: String,
    /// The placeholder's words (`Phone`, `Account ID`), or the kind for a written value.
    pub label: String,
    /// None while it is a placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The kinds of contact detail.
pub const CONTACT_KINDS: [&str; 5] = ["name", "phone", "email", "handle", "other"];

impl Contact {
    /// The placeholders still to fill in.
    pub fn missing(&self) -> impl Iterator<Item = &ContactField> {
        self.fields.iter().filter(|f| f.value.is_none())
    }
}

/// A `##` heading (or the implicit phase holding items that precede the first `##`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    /// 1-based source line of the heading; 0 for an implicit phase.
    pub line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    /// True for rollback phases/sections ("Rollback Procedures", "Rollback triggers"), shown as such.
    #[serde(default)]
    pub rollback: bool,
    pub sections: Vec<Section>,
}

/// A `###`/`####`… heading inside a phase; items directly under a phase go in a section with an empty title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub line: u32,
    /// Heading level (3, 4, ...); 0 for the untitled section of items directly under a phase.
    pub level: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    #[serde(default)]
    pub rollback: bool,
    pub items: Vec<Item>,
    /// Commands standing in the section (fenced blocks, often after a bold label like `**Commands**:`).
    #[serde(default)]
    pub commands: Vec<Command>,
}

/// A GFM task-list item, possibly nested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: derived from the phase/section path and the item text, so re-importing an edited template can
    /// be compared with the old one.
    pub id: String,
    /// 1-based source line where the list item starts.
    pub line: u32,
    /// The item text as plain-ish Markdown inline text (emphasis markers removed, inline code kept in backticks).
    pub text: String,
    pub checked: bool,
    pub children: Vec<Item>,
    pub commands: Vec<Command>,
    /// Probes declared in ```probe blocks under the item.
    #[serde(default)]
    pub probes: Vec<ProbeDecl>,
}

/// A command line found in a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub text: String,
    pub kind: CommandKind,
    /// Info string of a fenced block (`bash`, `sql`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Bold label preceding a section block (`Commands`, `Verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Inline code that is a command line (`curl …`).
    Inline,
    /// A fenced code block.
    Block,
}

/// A probe declared in a ```probe block: the TOML source is kept verbatim so exports write it back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeDecl {
    /// Line of the opening fence.
    pub line: u32,
    pub source: String,
    pub spec: ProbeSpec,
}

/// A sign-off line: a role that must sign the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignoffLine {
    pub role: String,
    pub line: u32,
    /// True when written as a task item (`- [ ] Technical Lead: ____`).
    pub checkbox: bool,
    /// Phase the sign-off line stands in (its id), if any; approvals cover that phase's items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Section the sign-off line stands in (its id), if any; lets a Markdown export put it back in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A timing hint from a heading, `(T-1 hour)`, `(T+15 minutes)`, `(Week 2-3)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The hint as written, without parentheses.
    pub label: String,
    /// Planned offset from the start of the change window, in minutes (negative before T); None when the hint
    /// cannot be placed on a minute scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_minutes: Option<i64>,
    /// Planned duration/end offset in minutes for ranges (`Week 2-3`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_offset_minutes: Option<i64>,
}

impl Checklist {
    /// Every item in document order, depth first, with its phase and section.
    pub fn items(&self) -> Vec<(&Phase, &Section, &Item)> {
        fn walk<'a>(p: &'a Phase, s: &'a Section, items: &'a [Item], out: &mut Vec<(&'a Phase, &'a Section, &'a Item)>) {
            for it in items {
                out.push((p, s, it));
                walk(p, s, &it.children, out);
            }
        }
        let mut out = Vec::new();
        for p in &self.phases {
            for s in &p.sections {
                walk(p, s, &s.items, &mut out);
            }
        }
        out
    }

    /// The item with this id, anywhere in the tree.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().into_iter().map(|(_, _, i)| i).find(|i| i.id == id)
    }
}
