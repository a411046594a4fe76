//! Markdown import: a hand-written checklist (GitHub task lists) becomes a [`Checklist`].
//!
//! The document is parsed by pulldown-cmark (CommonMark + GFM task lists and tables, YAML/TOML front matter) and
//! its event stream is walked once with an explicit stack, so nesting depth costs heap, not call stack. What the
//! importer decides, and where:
//! - structure (title, phases, sections, items, code blocks, sign-offs): `walk`;
//! - judgement calls on text (emoji, timing hints, command lines, sign-off roles, ids): `heuristics`;
//! - front matter to metadata: `front_matter`; bytes to text: [`parse_bytes`].
//!
//! Invariant: every GFM task-list item of the file appears exactly once in the result, as an [`crate::Item`] or
//! as a [`crate::SignoffLine`] with `checkbox: true`. Tests compare the items' lines with `cmark-gfm`.
//!
//! Left out: no IO (callers read files), no probe execution (probe blocks are only parsed and validated), and no
//! suggestions (see `suggest`).

mod decode;
mod front_matter;
pub(crate) mod heuristics;
mod walk;

use crate::checklist::Checklist;

/// Task items nested deeper than this are refused: deeper trees are never real checklists, and a bounded depth
/// keeps every later recursive consumer (serde, the UI, drop glue) far from stack exhaustion.
pub const MAX_ITEM_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The Markdown is understood but something in it is not acceptable.
    #[error("{name}: line {line}: {message}")]
    Invalid { name: String, line: u32, message: String },
    /// A ```probe block that does not validate.
    #[error("{name}: line {line}: probe block: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
    Probe { name: String, line: u32, field: Option<String>, message: String },
    /// Front matter that is not a YAML (or TOML) mapping.
    #[error("{name}: line {line}: front matter: {message}")]
    FrontMatter { name: String, line: u32, message: String },
    /// Task items nested deeper than [`MAX_ITEM_DEPTH`].
    #[error("{name}: line {line}: task items nested deeper than {max} levels")]
    TooDeep { name: String, line: u32, max: usize },
    /// Bytes that are not text (NUL bytes, many control characters, broken UTF-16).
    #[error("{name}: not a text file: {message}")]
    NotText { name: String, message: String },
}

impl ImportError {
    /// The 1-based source line the error is about (0 when it is about the whole file).
    pub fn line(&self) -> u32 {
        match self {
            Self::Invalid { line, .. }
            | Self::Probe { line, .. }
            | Self::FrontMatter { line, .. }
            | Self::TooDeep { line, .. } => *line,
            Self::NotText { .. } => 0,
        }
    }
}

pub type Result<T> = std::result::Result<T, ImportError>;

/// Parse a Markdown checklist. `name` is the file name: it appears in errors and gives the title when the file
/// has neither a `#` heading nor a front matter `title`.
pub fn parse(name: &str, source: &str) -> Result<Checklist> {
    walk::parse(name, source)
}

/// Parse a checklist from raw file bytes.
///
/// Decoding: a UTF-8 byte order mark is stripped; UTF-16 with a byte order mark is decoded; otherwise the bytes
/// must be UTF-8, or else they are read as Windows-1252 (Latin-1 with the usual 0x80–0x9F punctuation), the
/// encoding of hand-written files from older Windows editors. Bytes containing NUL, or more than 1% control
/// characters, are refused as not text.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Checklist> {
    let text = decode::decode(name, bytes)?;
    parse(name, &text)
}
