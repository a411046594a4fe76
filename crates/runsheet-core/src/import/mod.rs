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
//! Decisions (the `inspect --json` shape depends on them):
//! - Title: the `#` heading; a file with several `#` and no `##` uses `#` for phases. Otherwise front matter
//!   `title`, else the file name without extension. Phases are `##`, sections `###` and deeper; a section's
//!   `level` is normalised so phases are level 2. Headings inside list items or block quotes are not structure.
//! - Heading titles lose emoji, variation selectors and trailing `#`s, and their timing hint: a bracketed
//!   `(T-1 hour)`, `(T+15m)`, `(D-1)`, `(Week 2-3)`, `(Day 1)`, `(Month 3+)`, `(Within 1 hour)`, or an unbracketed
//!   `T-30: Backup` / `Deploy — T+0`. Offsets are minutes from the start of the window; `Week N` runs from
//!   N-1 to N weeks, a month is 30 days; other parentheses (`(Optional)`) stay in the title.
//! - Item text is the item's first paragraph: emphasis, links and HTML flattened, inline code kept in backticks,
//!   whitespace collapsed. Later paragraphs and block quotes under an item are not part of its text.
//! - Like cmark-gfm: a box must be followed by a space or tab (`- [ ]` alone on a line is no task), and a box
//!   inside a block quote is no task. Tasks under plain bullets or numbered steps go to the section (or to the
//!   nearest task above them).
//! - Commands: command-like inline code anywhere inside a task item (not names such as `requirements.txt`);
//!   fenced or indented blocks inside an item belong to it, blocks outside items to the section, labelled by a
//!   bold-only paragraph right before them (`**Commands**:`). ```probe blocks belong to the enclosing item, or
//!   to the last item of the section when written unindented right after the list; elsewhere they are an error.
//! - Sign-offs: a task or plain line `Role: ____` (three or more underscores, no code) under a sign-off heading,
//!   or in the block right after a bold sign-off label (`**Approved By**:`, sign-off, approval, verified/completed
//!   by, signature), or anywhere when the role reads as a role (Lead, Manager, Engineer, Owner, Officer, `… By`).
//!   `Date:`/`Time:`/`Version:`-like blanks, contact lines (`[Name] - [Phone]`) and anything in a block quote are
//!   not. Tables with a `Role`/`Approver` column and a signature column (or in a sign-off context) give one
//!   sign-off per row. A task with an item, probe or code block under it is never a sign-off.
//! - Ids: 12 hex digits of SHA-256 over the normalised phase title, section title, parent item texts and the
//!   item's text, plus an occurrence counter for exact duplicates; wording changes change the id, punctuation,
//!   markup and timing hints do not.
//! - Front matter: YAML (`---`) or TOML (`+++`) mapping → metadata. Invalid front matter is an error, unless
//!   the block has no `key: value` line at all, in which case it is read as Markdown (as cmark-gfm does).
//! - Task items nested deeper than [`MAX_ITEM_DEPTH`] are an error; other containers may nest without limit.
//!
//! Left out: no IO (callers read files), no probe execution (probe blocks are only parsed and validated), and no
//! suggestions (see `suggest`).

mod contacts;
mod decode;
mod front_matter;
pub(crate) mod heuristics;
mod walk;

pub(crate) use walk::wrap_code;

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
    parse(name, &decode_text(name, bytes)?)
}

/// The text of a checklist file as `parse_bytes` reads it (kept by callers that store the source).
pub fn decode_text(name: &str, bytes: &[u8]) -> Result<String> {
    Ok(decode::decode(name, bytes)?.into_owned())
}
