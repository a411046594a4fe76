//! Integration tests of the application layer, one module per `src/` module, on real SQLite files in temporary
//! homes (and the real keyring where a test says so: run them inside `scripts/with-keyring.sh`).

mod library;
mod probes;
mod runs;
mod secrets;
mod signoff;
mod support;
