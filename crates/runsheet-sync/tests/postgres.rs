//! Team sync against a real PostgreSQL 15 on loopback (see common/mod.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{chain, known};
use runsheet_sync::{add_member, connect, init_db, listen, pull, push, register_device, Error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_sync_on_a_real_server() {
    let Some(pg) = common::start() else { return };
    let owner = pg.owner();

    // init-db: migrates, then is idempotent.
    assert_eq!(init_db(&owner).await.unwrap(), runsheet_sync::SCHEMA_VERSION);
    assert_eq!(init_db(&owner).await.unwrap(), runsheet_sync::SCHEMA_VERSION);

    // Two members, each with its own login role and device.
    let alice = add_member(&owner, "alice").await.unwrap();
    let bob = add_member(&owner, "bob").await.unwrap();
    let a_url = pg.url(&alice.role, &alice.password);
    let b_url = pg.url(&bob.role, &bob.password);
    let mut a = connect(&a_url).await.unwrap();
    let mut b = connect(&b_url).await.unwrap();
    runsheet_sync::check_schema(&a).await.unwrap();
    register_device(&a, "dev-a").await.unwrap();
    register_device(&b, "dev-b").await.unwrap();

    // A listener for the run, before anything is pushed.
    let mut wake = listen(&b_url, "run-1").await.unwrap();

    // Push twice = once.
    let a_events = chain("run-1", "dev-a", 5, None);
    assert_eq!(push(&mut a, &a_events).await.unwrap(), 5);
    assert_eq!(push(&mut a, &a_events).await.unwrap(), 0);
    assert!(wake.wait(Duration::from_secs(10)).await.unwrap(), "NOTIFY did not wake the listener");

    let b_events = chain("run-1", "dev-b", 3, Some((&a_events[4]).into()));
    assert_eq!(push(&mut b, &b_events).await.unwrap(), 3);

    // Pull returns exactly the missing events per device.
    let got = pull(&b, "run-1", &known(&[("dev-a", 2), ("dev-b", 3)])).await.unwrap();
    assert_eq!(got.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["dev-a-3", "dev-a-4", "dev-a-5"]);
    let got = pull(&b, "run-1", &known(&[])).await.unwrap();
    assert_eq!(got.len(), 8);
    assert!(pull(&b, "run-1", &known(&[("dev-a", 5), ("dev-b", 3)])).await.unwrap().is_empty());
    assert!(pull(&b, "other-run", &known(&[])).await.unwrap().is_empty());

    // A member cannot UPDATE or DELETE (no grant; the trigger would refuse too).
    let err = b.execute("UPDATE runsheet_events SET body = 'x' WHERE id = 'dev-b-1'", &[]).await.unwrap_err();
    assert!(err.to_string().contains("permission denied") || format!("{err:?}").contains("permission denied"), "{err:?}");
    let err = b.execute("DELETE FROM runsheet_events WHERE id = 'dev-b-1'", &[]).await.unwrap_err();
    assert!(format!("{err:?}").contains("permission denied"), "{err:?}");

    // Bob cannot insert an event of Alice's device (row-level security), nor claim her device.
    let forged = chain("run-1", "dev-a", 6, None).pop().unwrap();
    let err = push(&mut b, &[forged]).await.unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    register_device(&b, "dev-a").await.unwrap(); // already Alice's: nothing changes
    let err = push(&mut b, &chain("run-1", "dev-a", 7, None)[6..]).await.unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");

    // Even the owner's UPDATE is refused by the trigger...
    let owner_c = connect(&owner).await.unwrap();
    let err = owner_c.execute("UPDATE runsheet_events SET body = 'x' WHERE id = 'dev-a-2'", &[]).await.unwrap_err();
    assert!(format!("{err:?}").contains("insert-only"), "{err:?}");
    // ...unless the owner disables it on purpose: then the edit is a tamper alarm on the next push and pull.
    let mut edited: serde_json::Value = serde_json::from_str(&serde_json::to_string(&a_events[1]).unwrap()).unwrap();
    edited["body"]["note"] = "changed by the operator".into();
    owner_c
        .batch_execute(&format!(
            "ALTER TABLE runsheet_events DISABLE TRIGGER runsheet_events_insert_only; \
             UPDATE runsheet_events SET body = '{}' WHERE id = 'dev-a-2'; \
             ALTER TABLE runsheet_events ENABLE TRIGGER runsheet_events_insert_only;",
            edited.to_string().replace('\'', "''")
        ))
        .await
        .unwrap();
    let err = push(&mut a, &a_events).await.unwrap_err();
    assert!(matches!(&err, Error::Tamper { id, .. } if id == "dev-a-2"), "{err}");
    assert!(err.to_string().contains("dev-a-2"));
    let err = pull(&b, "run-1", &known(&[("dev-a", 1)])).await.unwrap_err();
    assert!(matches!(&err, Error::Tamper { id, .. } if id == "dev-a-2"), "{err}");

    // A too-new schema says what to do.
    owner_c.batch_execute("UPDATE runsheet_schema_version SET version = 99").await.unwrap();
    let err = init_db(&owner).await.unwrap_err().to_string();
    assert!(err.contains("99") && err.contains("upgrade runsheet"), "{err}");
    let err = runsheet_sync::check_schema(&a).await.unwrap_err().to_string();
    assert!(err.contains("upgrade runsheet"), "{err}");

    // Wrong password and server down: clear messages, no panic.
    let err = connect(&pg.url("alice", "wrong")).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err}");
    assert!(err.to_string().contains("password"), "{err}");
    pg.stop();
    let err = connect(&a_url).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err}");
    assert!(err.to_string().contains("server running"), "{err}");
}

/// A server that accepts TCP connections and never answers must not hang a sync: the connect gives up with a
/// timeout error that says so (without the bound, `connect` waits forever for the startup reply).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_accepts_and_hangs_times_out() {
    let hang = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hang.local_addr().unwrap().port();
    // Accepted connections are kept open (and silent) until the test ends.
    let keep = std::thread::spawn(move || hang.accept().map(|(s, _)| s));
    let cfg = runsheet_sync::parse_url(&format!("postgresql://alice@127.0.0.1:{port}/postgres")).unwrap();
    let started = std::time::Instant::now();
    let err = runsheet_sync::connect_config(&cfg, Duration::from_millis(500)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("does not respond"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "gave up after {:?}", started.elapsed());
    drop(keep);

    // Connection refused: a port nobody listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = runsheet_sync::parse_url(&format!("postgresql://alice@127.0.0.1:{free}/postgres")).unwrap();
    let err = runsheet_sync::connect_config(&cfg, Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err}");

    assert!(matches!(runsheet_sync::parse_url("not a url ="), Err(Error::BadUrl(_))));
}

/// A database where `team init-db` never ran: the schema check says the owner must run it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_without_the_schema_says_run_init_db() {
    let Some(pg) = common::start() else { return };
    let c = connect(&pg.owner()).await.unwrap();
    let err = runsheet_sync::check_schema(&c).await.unwrap_err();
    assert!(matches!(err, Error::SchemaTooOld { found: 0, .. }), "{err}");
    assert!(err.to_string().contains("team init-db"), "{err}");

    // A listener for every run sees each run's id; several wake-ups drain as one per run.
    init_db(&pg.owner()).await.unwrap();
    let cfg = runsheet_sync::parse_url(&pg.owner()).unwrap();
    let mut l = runsheet_sync::listen_config(&cfg, Duration::from_secs(5)).await.unwrap();
    let mut c = connect(&pg.owner()).await.unwrap();
    register_device(&c, "dev-o").await.unwrap();
    push(&mut c, &chain("run-x", "dev-o", 2, None)).await.unwrap();
    assert_eq!(l.next(Duration::from_secs(10)).await.unwrap().as_deref(), Some("run-x"));
    // Device sequence 3 in another run: a device numbers its events gaplessly across runs.
    push(&mut c, &chain("run-y", "dev-o", 3, None)[2..]).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut seen = vec![];
    while !seen.contains(&"run-y".to_string()) && std::time::Instant::now() < deadline {
        seen.extend(l.next(Duration::from_secs(1)).await.unwrap());
        seen.extend(l.drain());
    }
    assert!(seen.contains(&"run-y".to_string()), "the second run woke the listener: {seen:?}");
    assert!(runsheet_sync::run_exists(&c, "run-x").await.unwrap());
    assert!(!runsheet_sync::run_exists(&c, "run-z").await.unwrap());
    let devs = runsheet_sync::devices(&c).await.unwrap();
    assert_eq!(devs, [runsheet_sync::DeviceRow { device: "dev-o".into(), member_role: "postgres".into() }]);
}
