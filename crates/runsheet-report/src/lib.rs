//! runsheet-report (skeleton; see docs/ARCHITECTURE.md).
