//! runsheet-store (skeleton; see docs/ARCHITECTURE.md).
