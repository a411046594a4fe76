//! First push of 10,000 events to an empty server and pull of them into a new client, on a real PostgreSQL 15
//! on loopback: prints events/s each way (goal >= 5,000/s). `cargo bench -p runsheet-sync`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(pg) = common::start() else { return };
    let owner = pg.owner();
    runsheet_sync::init_db(&owner).await.unwrap();
    let m = runsheet_sync::add_member(&owner, "bench").await.unwrap();
    let url = pg.url(&m.role, &m.password);
    let mut c = runsheet_sync::connect(&url).await.unwrap();
    runsheet_sync::register_device(&c, "dev-a").await.unwrap();
    const N: u64 = 10_000;
    let events = common::chain("run-b", "dev-a", N, None);
    let t = Instant::now();
    for batch in events.chunks(1000) {
        runsheet_sync::push(&mut c, batch).await.unwrap();
    }
    let push = t.elapsed();
    let fresh = runsheet_sync::connect(&url).await.unwrap();
    let t = Instant::now();
    let got = runsheet_sync::pull(&fresh, "run-b", &common::known(&[])).await.unwrap();
    let pull = t.elapsed();
    assert_eq!(got.len() as u64, N);
    println!("push {N} events: {:.2} s, {:.0} events/s", push.as_secs_f64(), N as f64 / push.as_secs_f64());
    println!("pull {N} events: {:.2} s, {:.0} events/s", pull.as_secs_f64(), N as f64 / pull.as_secs_f64());
}
