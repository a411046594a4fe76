//! Run state as the deterministic fold of a run's events (ordered by Lamport counter, then device id).
//! Owned by the store engineer.
