//! runsheet-probes (skeleton; see docs/ARCHITECTURE.md).
