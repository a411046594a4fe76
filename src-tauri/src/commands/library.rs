//! Library commands: the bundled templates (embedded from `checklists/` at build time) and imported checklists;
//! import from a file path (dialog or drop) or from text; a preview of one checklist.
//!
//! Left out: parsing rules (runsheet-core `import`) and storage (runsheet-store). An import that does not parse
//! is not a command error: it returns the issues with their lines so the UI can show them next to the file.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use super::{required, StoreHandle};
use crate::error::{CmdResult, WireError};

/// Checklist files larger than this are refused before reading: real checklists are a few hundred KB at most.
const MAX_CHECKLIST_BYTES: u64 = 8 * 1024 * 1024;

/// `(file name, contents)` of every `checklists/*.md`, embedded by build.rs.
pub const TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));
/// Prefix of a template's checklist id (`template:release.md`).
pub const TEMPLATE_PREFIX: &str = "template:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistOrigin {
    Template,
    Imported,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChecklistSummary {
    pub id: String,
    pub title: String,
    pub origin: ChecklistOrigin,
    pub path: Option<String>,
    pub imported_at: Option<String>,
    pub phases: u32,
    pub items: u32,
    pub probes: u32,
    pub signoff_roles: u32,
}

impl ChecklistSummary {
    pub fn of(id: String, origin: ChecklistOrigin, path: Option<String>, imported_at: Option<String>, c: &runsheet_core::Checklist) -> Self {
        let items = c.items();
        let probes = items.iter().map(|(_, _, i)| i.probes.len()).sum::<usize>();
        Self {
            id,
            title: c.title.clone(),
            origin,
            path,
            imported_at,
            phases: c.phases.len() as u32,
            items: items.len() as u32,
            probes: probes as u32,
            signoff_roles: c.signoffs.len() as u32,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IssueSeverity {
    Error,
    Warning,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ImportIssue {
    pub severity: IssueSeverity,
    /// 1-based line in the source; 0 when not tied to a line.
    pub line: u32,
    pub message: String,
}

/// Either a new checklist (maybe with warnings) or errors with lines and nothing added.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ImportOutcome {
    pub checklist: Option<ChecklistSummary>,
    pub issues: Vec<ImportIssue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SuggestedProbe {
    pub item: String,
    pub kind: String,
    pub source: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChecklistPreview {
    pub summary: ChecklistSummary,
    /// The parsed checklist (runsheet-core `Checklist`, typed on the UI side in backend/types.ts).
    pub checklist: serde_json::Value,
    pub suggestions: Vec<SuggestedProbe>,
}

#[tauri::command]
#[specta::specta]
pub async fn list_checklists(store: State<'_, StoreHandle>) -> CmdResult<Vec<ChecklistSummary>> {
    let mut out = templates();
    out.extend(store.with(super::store_api::list_checklists).await?);
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn import_checklist_file(path: String, store: State<'_, StoreHandle>) -> CmdResult<ImportOutcome> {
    let path = std::path::PathBuf::from(required("path", &path)?);
    if !path.is_absolute() {
        return Err(WireError::invalid(format!("path must be absolute: {}", path.display())));
    }
    let bytes = tokio::task::spawn_blocking({
        let path = path.clone();
        move || -> CmdResult<Vec<u8>> {
            let meta = std::fs::metadata(&path).map_err(|e| WireError::io(format_args!("reading {}", path.display()), &e))?;
            if !meta.is_file() {
                return Err(WireError::invalid(format!("not a file: {}", path.display())));
            }
            if meta.len() > MAX_CHECKLIST_BYTES {
                return Err(WireError::invalid(format!("{} is larger than 8 MiB: not a checklist", path.display())));
            }
            std::fs::read(&path).map_err(|e| WireError::io(format_args!("reading {}", path.display()), &e))
        }
    })
    .await??;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    import(&store, name, Some(path.display().to_string()), bytes).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_checklist_text(file_name: String, text: String, store: State<'_, StoreHandle>) -> CmdResult<ImportOutcome> {
    let name = required("file_name", &file_name)?;
    if text.len() as u64 > MAX_CHECKLIST_BYTES {
        return Err(WireError::invalid(format!("{name} is larger than 8 MiB: not a checklist")));
    }
    import(&store, name, None, text.into_bytes()).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_checklist(checklist_id: String, store: State<'_, StoreHandle>) -> CmdResult<ChecklistPreview> {
    let id = required("checklist_id", &checklist_id)?;
    let (summary, checklist) = match template(&id) {
        Some(found) => found?,
        None => store.with(move |s| super::store_api::get_checklist(s, &id)).await?,
    };
    let json = serde_json::to_value(&checklist).map_err(|e| WireError::internal(format!("encoding checklist: {e}")))?;
    Ok(ChecklistPreview { summary, checklist: json, suggestions: super::probes::suggestions(&checklist) })
}

/// Parses, then stores; parse errors come back as issues, not as a command error.
async fn import(store: &StoreHandle, name: String, path: Option<String>, bytes: Vec<u8>) -> CmdResult<ImportOutcome> {
    let parsed = tokio::task::spawn_blocking({
        let name = name.clone();
        move || runsheet_core::import::parse_bytes(&name, &bytes).map(|c| (c, bytes))
    })
    .await?;
    let (checklist, bytes) = match parsed {
        Ok(ok) => ok,
        Err(e) => {
            let issue = ImportIssue { severity: IssueSeverity::Error, line: e.line(), message: e.to_string() };
            return Ok(ImportOutcome { checklist: None, issues: vec![issue] });
        }
    };
    // Stored as text: UTF-8 stays byte-exact; other encodings were decoded by the importer the same way.
    let source = String::from_utf8_lossy(&bytes).into_owned();
    let summary = store
        .with(move |s| super::store_api::import_checklist(s, &name, path.as_deref(), &source, &checklist))
        .await?;
    Ok(ImportOutcome { checklist: Some(summary), issues: Vec::new() })
}

/// Summaries of the bundled templates (a template that no longer parses is left out and logged).
pub fn templates() -> Vec<ChecklistSummary> {
    TEMPLATES
        .iter()
        .filter_map(|(name, _)| match template(&format!("{TEMPLATE_PREFIX}{name}")) {
            Some(Ok((summary, _))) => Some(summary),
            Some(Err(e)) => {
                tracing::warn!("bundled template {name}: {}", e.message);
                None
            }
            None => None,
        })
        .collect()
}

/// The bundled template with this id, parsed; None when the id is not a template id.
pub fn template(id: &str) -> Option<CmdResult<(ChecklistSummary, runsheet_core::Checklist)>> {
    let name = id.strip_prefix(TEMPLATE_PREFIX)?;
    let Some((_, text)) = TEMPLATES.iter().find(|(n, _)| *n == name) else {
        return Some(Err(WireError::not_found(format!("no bundled template {name}"))));
    };
    Some(runsheet_core::import::parse(name, text).map_err(WireError::from).map(|c| {
        let s = ChecklistSummary::of(id.to_string(), ChecklistOrigin::Template, Some(format!("checklists/{name}")), None, &c);
        (s, c)
    }))
}

/// The bundled template with this id as (file name, source, parsed); None when the id is not a template id.
pub fn template_source(id: &str) -> Option<CmdResult<(String, String, runsheet_core::Checklist)>> {
    let name = id.strip_prefix(TEMPLATE_PREFIX)?;
    let text = TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)?;
    Some(template(id)?.map(|(_, c)| (name.to_string(), text.to_string(), c)))
}
