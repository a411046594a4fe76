//! Probe suggestions from item text and commands (owned by the probes engineer).
