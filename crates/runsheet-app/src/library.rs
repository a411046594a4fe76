//! The checklist library: bundled templates (embedded from `checklists/`) and imported checklists. Import reads
//! bytes through the one decoder (`runsheet_core::import::decode_text`: UTF-8 with or without BOM, UTF-16 with a
//! BOM, Latin-1), parses them, and stores the decoded text — every front end imports the same file the same way.
//!
//! Left out: the parsing rules (runsheet-core `import`) and SQL (runsheet-store).

use std::path::Path;

use runsheet_core::suggest::{suggest, suggest_commands};
use runsheet_core::Checklist;
use serde::Serialize;

use crate::{required, App, Error, Result};

/// Largest checklist file accepted: anything bigger is not a checklist.
pub const MAX_CHECKLIST_BYTES: u64 = 8 * 1024 * 1024;

/// Bundled templates as (file name, Markdown).
pub const TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));
/// Ids of bundled templates are their file names behind this prefix.
pub const TEMPLATE_PREFIX: &str = "template:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChecklistOrigin {
    Template,
    Imported,
}

/// A checklist in the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChecklistSummary {
    pub id: String,
    pub title: String,
    pub origin: ChecklistOrigin,
    /// The file it came from: `checklists/NAME` for templates, the imported file's name otherwise.
    pub path: Option<String>,
    pub imported_at: Option<String>,
    pub phases: u32,
    pub items: u32,
    pub probes: u32,
    pub signoff_roles: u32,
}

impl ChecklistSummary {
    fn of(id: String, origin: ChecklistOrigin, path: Option<String>, imported_at: Option<String>, c: &Checklist) -> Self {
        let items = c.items();
        let probes = items.iter().map(|(_, _, i)| i.probes.len()).sum::<usize>();
        ChecklistSummary {
            id,
            title: c.title.clone(),
            origin,
            path,
            imported_at,
            phases: u32::try_from(c.phases.len()).unwrap_or(u32::MAX),
            items: u32::try_from(items.len()).unwrap_or(u32::MAX),
            probes: u32::try_from(probes).unwrap_or(u32::MAX),
            signoff_roles: u32::try_from(c.signoffs.len()).unwrap_or(u32::MAX),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum IssueSeverity {
    Error,
    Warning,
}

/// What an import found wrong, with its 1-based line (0: the whole file).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportIssue {
    pub severity: IssueSeverity,
    pub line: u32,
    pub message: String,
}

/// An import as an editor shows it: the new checklist, or the issues with their lines and nothing added.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    pub checklist: Option<ChecklistSummary>,
    pub issues: Vec<ImportIssue>,
}

/// A probe the importer suggests for an item (or a section's commands, `item` empty).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SuggestedProbe {
    pub item: String,
    pub kind: String,
    pub source: String,
    pub reason: String,
}

/// A file's bytes decoded and parsed: (decoded text, checklist). Bytes that are not text, or Markdown the importer
/// refuses, are an `Invalid` error naming the file and line.
pub fn decode_and_parse(name: &str, bytes: &[u8]) -> Result<(String, Checklist)> {
    if bytes.len() as u64 > MAX_CHECKLIST_BYTES {
        return Err(Error::invalid(format!("{name} is larger than 8 MiB: not a checklist")));
    }
    Ok(parse_bytes(name, bytes)?)
}

/// The one decoder and the parser, keeping the importer's error (and its line).
fn parse_bytes(name: &str, bytes: &[u8]) -> std::result::Result<(String, Checklist), runsheet_core::import::ImportError> {
    let source = runsheet_core::import::decode_text(name, bytes)?;
    let checklist = runsheet_core::import::parse(name, &source)?;
    Ok((source, checklist))
}

/// A checklist file's name and bytes: `NotFound` when missing, `Invalid` for a directory or anything over 8 MiB.
pub fn read_bytes(path: &Path) -> Result<(String, Vec<u8>)> {
    let what = || format!("reading checklist {}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| Error::io(what(), &e))?;
    if !meta.is_file() {
        return Err(Error::invalid(format!("not a file: {}", path.display())));
    }
    if meta.len() > MAX_CHECKLIST_BYTES {
        return Err(Error::invalid(format!("{} is larger than 8 MiB: not a checklist", path.display())));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(what(), &e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    Ok((name, bytes))
}

/// Read and parse a checklist file without storing it: (file name, decoded text, checklist).
pub fn read_file(path: &Path) -> Result<(String, String, Checklist)> {
    let (name, bytes) = read_bytes(path)?;
    let (source, checklist) = decode_and_parse(&name, &bytes)?;
    Ok((name, source, checklist))
}

/// Suggested probes for the items that declare none, and for sections' standing commands.
pub fn suggestions(c: &Checklist) -> Vec<SuggestedProbe> {
    let mut out = Vec::new();
    for (_, _, item) in c.items() {
        if !item.probes.is_empty() {
            continue;
        }
        for s in suggest(item) {
            out.push(SuggestedProbe {
                item: item.id.clone(),
                kind: s.spec.check.kind().to_string(),
                source: s.toml.clone(),
                reason: s.reason.clone(),
            });
        }
    }
    for p in &c.phases {
        for s in &p.sections {
            for sug in suggest_commands(&s.commands) {
                out.push(SuggestedProbe {
                    item: String::new(),
                    kind: sug.spec.check.kind().to_string(),
                    source: sug.toml.clone(),
                    reason: sug.reason.clone(),
                });
            }
        }
    }
    out
}

impl App {
    /// Import a file into the library.
    pub fn import_file(&self, path: &Path) -> Result<ChecklistSummary> {
        let (name, source, checklist) = read_file(path)?;
        self.store_checklist(&name, &source, &checklist)
    }

    /// Import a file's bytes (dropped, pasted, read by a dialog) into the library.
    pub fn import_bytes(&self, file_name: &str, bytes: &[u8]) -> Result<ChecklistSummary> {
        let name = required("file name", file_name)?;
        let (source, checklist) = decode_and_parse(&name, bytes)?;
        self.store_checklist(&name, &source, &checklist)
    }

    /// Import bytes, reporting a file the importer refuses as an issue with its line (nothing is added) rather
    /// than as an error: an editor shows it next to the file. Storage failures are still errors.
    pub fn import_outcome(&self, file_name: &str, bytes: &[u8]) -> Result<ImportOutcome> {
        let name = required("file name", file_name)?;
        if bytes.len() as u64 > MAX_CHECKLIST_BYTES {
            return Err(Error::invalid(format!("{name} is larger than 8 MiB: not a checklist")));
        }
        match parse_bytes(&name, bytes) {
            Ok((source, checklist)) => {
                Ok(ImportOutcome { checklist: Some(self.store_checklist(&name, &source, &checklist)?), issues: Vec::new() })
            }
            Err(e) => {
                let issue = ImportIssue { severity: IssueSeverity::Error, line: e.line(), message: e.to_string() };
                Ok(ImportOutcome { checklist: None, issues: vec![issue] })
            }
        }
    }

    fn store_checklist(&self, name: &str, source: &str, checklist: &Checklist) -> Result<ChecklistSummary> {
        let s = self.store()?.insert_checklist(name, source, checklist, self.now())?;
        Ok(imported_summary(s, checklist))
    }

    /// Imported checklists, newest first (templates copied in when a run was made from them are not listed).
    pub fn checklists(&self) -> Result<Vec<ChecklistSummary>> {
        let store = self.store()?;
        let mut out = Vec::new();
        for c in store.list_checklists()? {
            if c.file_name.starts_with(TEMPLATE_PREFIX) {
                continue;
            }
            let (sum, checklist, _) = store.get_checklist(&c.id)?;
            out.push(imported_summary(sum, &checklist));
        }
        Ok(out)
    }

    /// Every checklist the database holds, newest first, as the store summarises them: the imported ones and the
    /// template copies runs were made from (`template:NAME`). [`App::checklists`] is the library view without them.
    pub fn stored_checklists(&self) -> Result<Vec<runsheet_store::ChecklistSummary>> {
        Ok(self.store()?.list_checklists()?)
    }

    /// The bundled templates (one that no longer parses is left out and logged).
    pub fn templates(&self) -> Vec<ChecklistSummary> {
        TEMPLATES
            .iter()
            .filter_map(|(name, _)| match template(&format!("{TEMPLATE_PREFIX}{name}")) {
                Some(Ok((summary, _, _))) => Some(summary),
                Some(Err(e)) => {
                    tracing::warn!("bundled template {name}: {e}");
                    None
                }
                None => None,
            })
            .collect()
    }

    /// A template or an imported checklist (id or unique id prefix), parsed.
    pub fn checklist(&self, id: &str) -> Result<(ChecklistSummary, Checklist)> {
        let id = required("checklist id", id)?;
        if let Some(t) = template(&id) {
            return t.map(|(s, _, c)| (s, c));
        }
        let store = self.store()?;
        let (sum, checklist, _) = store.get_checklist(&id)?;
        Ok((imported_summary(sum, &checklist), checklist))
    }

    /// Resolve a checklist id for a new run: a template is copied into the store when first used (identical
    /// sources are stored once); an imported id or unique prefix resolves to its full id.
    pub(crate) fn checklist_for_run(&self, id: &str) -> Result<String> {
        if let Some(t) = template(id) {
            let (_, source, checklist) = t?;
            let name = id.strip_prefix(TEMPLATE_PREFIX).unwrap_or(id);
            let s = self.store()?.insert_checklist(&format!("{TEMPLATE_PREFIX}{name}"), &source, &checklist, self.now())?;
            return Ok(s.id);
        }
        Ok(self.store()?.resolve_checklist(id)?)
    }
}

fn imported_summary(s: runsheet_store::ChecklistSummary, c: &Checklist) -> ChecklistSummary {
    let mut out =
        ChecklistSummary::of(s.id, ChecklistOrigin::Imported, Some(s.file_name), Some(s.imported_at.to_rfc3339()), c);
    out.title = s.title;
    out
}

/// The bundled template with this id as (summary, source, parsed); None when the id is not a template id.
fn template(id: &str) -> Option<Result<(ChecklistSummary, String, Checklist)>> {
    let name = id.strip_prefix(TEMPLATE_PREFIX)?;
    let Some((_, text)) = TEMPLATES.iter().find(|(n, _)| *n == name) else {
        return Some(Err(Error::not_found(format!("no bundled template {name}"))));
    };
    Some(runsheet_core::import::parse(name, text).map_err(Error::from).map(|c| {
        let s = ChecklistSummary::of(id.to_string(), ChecklistOrigin::Template, Some(format!("checklists/{name}")), None, &c);
        (s, text.to_string(), c)
    }))
}
