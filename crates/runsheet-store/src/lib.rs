//! runsheet-store (in progress).
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Other(String),
}
pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self { path: path.to_path_buf() })
    }
    pub fn open_default() -> Result<Self> {
        Err(StoreError::Other("not implemented yet".into()))
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn resolve_run(&self, prefix: &str) -> Result<String> {
        Ok(prefix.to_string())
    }
}
