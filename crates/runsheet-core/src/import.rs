//! Markdown import (owned by the importer engineer; may become a directory module `import/`).

use crate::checklist::Checklist;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}")]
    Invalid { line: u32, message: String },
}

pub type Result<T> = std::result::Result<T, ImportError>;

/// Parse a Markdown checklist. `name` is the file name, used in errors.
pub fn parse(_name: &str, _source: &str) -> Result<Checklist> {
    Err(ImportError::Invalid { line: 0, message: "not implemented yet".into() })
}
