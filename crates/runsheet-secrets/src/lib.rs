//! runsheet-secrets (skeleton; see docs/ARCHITECTURE.md).
