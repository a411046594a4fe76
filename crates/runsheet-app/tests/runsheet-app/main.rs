//! Integration tests of the application layer, one module per `src/` module, on real SQLite files in temporary
//! homes (and the real keyring where a test says so: run them inside `scripts/with-keyring.sh`).

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench;
mod due;
mod fold;
mod kinds;
#[path = "../../../../tests/support/http_server.rs"]
mod http_server;
mod library;
mod probes;
mod rollback;
mod runs;
mod scenarios;
mod secrets;
mod signoff;
mod support;
mod team;
mod verify;
