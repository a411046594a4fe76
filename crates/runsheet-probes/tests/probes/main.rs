//! Integration tests of every probe kind against real servers on loopback, including hostile ones. Modules mirror
//! `src/kinds/`.

mod support;
#[path = "../../../../tests/support/http_server.rs"]
mod http_server;

mod http;
mod local;
mod net;
mod postgres;
mod redis;
mod runner;
mod shell;
mod tls;
