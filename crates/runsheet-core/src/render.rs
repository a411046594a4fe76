//! Checklist (and run) rendering back to Markdown (owned by the importer engineer).
