//! Integration tests of the store against real SQLite files in temporary directories. Modules mirror `src/`.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use runsheet_core::checklist::{Checklist, Item, Phase, Section, SignoffLine};
use runsheet_core::event::{EventBody, ItemState};
use runsheet_store::{NewRun, Store};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 18, 0, 0).single().unwrap_or_default()
}

fn item(id: &str, children: Vec<Item>) -> Item {
    Item {
        id: id.into(),
        line: 1,
        text: format!("Item {id}"),
        checked: false,
        children,
        commands: vec![],
        probes: vec![],
    }
}

/// Two phases, one nested item, one sign-off role: enough to exercise every store path.
fn checklist() -> Checklist {
    let section = |id: &str, items| Section {
        id: id.into(),
        title: String::new(),
        line: 0,
        level: 0,
        timing: None,
        rollback: false,
        items,
        commands: vec![],
    };
    Checklist {
        title: "Deploy".into(),
        metadata: Default::default(),
        phases: vec![
            Phase {
                id: "pre".into(),
                title: "Pre".into(),
                line: 2,
                timing: None,
                rollback: false,
                sections: vec![section("pre-s", vec![item("a", vec![item("a1", vec![])]), item("b", vec![])])],
            },
            Phase {
                id: "go".into(),
                title: "Go".into(),
                line: 9,
                timing: None,
                rollback: false,
                sections: vec![section("go-s", vec![item("c", vec![])])],
            },
        ],
        signoffs: vec![SignoffLine { role: "Technical Lead".into(), line: 20, checkbox: true, phase: None, section: None }],
    }
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn db() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("home").join("runsheet.db");
    Db { _dir: dir, path }
}

/// A store with one checklist and one run; returns (store, run id).
fn with_run(path: &Path) -> (Store, String) {
    let store = Store::open(path).expect("open");
    let cl = store.insert_checklist("deploy.md", "# Deploy\n", &checklist(), t0()).expect("insert checklist");
    let run = store
        .create_run(
            NewRun { checklist_id: cl.id, title: "v1.2 to prod".into(), operator: "alice".into(), ..Default::default() },
            t0(),
        )
        .expect("create run");
    (store, run)
}

fn set(store: &Store, run: &str, item: &str, state: ItemState, minutes: i64) -> runsheet_core::event::Event {
    let reason = (state == ItemState::Skipped).then(|| "not needed".to_string());
    store
        .append(
            run,
            "alice",
            EventBody::ItemSet { item: item.into(), state, reason, note: None },
            t0() + Duration::minutes(minutes),
        )
        .expect("append")
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}

mod migrate {
    use super::*;

    #[test]
    fn migrates_from_zero_to_current_version() {
        let d = db();
        drop(Store::open(&d.path).expect("open"));
        let c = raw(&d.path);
        let v: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
        assert_eq!(v, runsheet_store::SCHEMA_VERSION, "a new database is migrated to the newest schema");
        let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
        assert_eq!(mode, "wal", "the database runs in WAL mode");
    }

    #[test]
    fn migrates_from_version_1_fixture_and_keeps_data() {
        let d = db();
        std::fs::create_dir_all(d.path.parent().expect("parent")).expect("mkdir");
        {
            let c = raw(&d.path);
            c.execute_batch(include_str!("fixtures/schema-v1.sql")).expect("load v1 fixture");
            let v: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
            assert_eq!(v, 1, "the fixture is a schema-1 database");
        }
        let store = Store::open(&d.path).expect("open migrates");
        let runs = store.list_runs().expect("list");
        assert_eq!(runs.len(), 1, "the fixture's run survives migration");
        assert_eq!(runs[0].progress.done, 1, "schema-2 summary columns are backfilled from the events");
        assert!(store.verify(None).expect("verify").ok(), "the fixture's chain still verifies after migration");
        set(&store, &runs[0].id, "b", ItemState::Done, 30);
        assert!(store.verify(None).expect("verify").ok());
        assert_eq!(store.list_runs().expect("list")[0].progress.done, 2);
    }

    #[test]
    fn refuses_a_database_from_a_newer_schema() {
        let d = db();
        drop(Store::open(&d.path).expect("open"));
        raw(&d.path).pragma_update(None, "user_version", 999).expect("bump");
        let err = Store::open(&d.path).expect_err("newer schema refused");
        assert!(err.to_string().contains("newer runsheet"), "{err}");
    }

    #[test]
    fn device_id_is_made_once() {
        let d = db();
        let a = Store::open(&d.path).expect("open").device_id().to_string();
        let b = Store::open(&d.path).expect("reopen").device_id().to_string();
        assert_eq!(a, b, "the device id is stable across opens");
        assert_eq!(a.len(), 36, "a UUID");
    }

    /// Regenerates tests/fixtures/schema-v1.sql (run by hand with `--ignored` only when the fixture must change,
    /// which it never should: it stands for databases already in the field).
    #[test]
    #[ignore]
    fn write_v1_fixture() {
        let d = db();
        let (store, run) = with_run(&d.path);
        set(&store, &run, "a", ItemState::Done, 1);
        set(&store, &run, "b", ItemState::Skipped, 2);
        drop(store);
        let c = raw(&d.path);
        let mut sql = String::from("-- A schema-1 Runsheet database: one checklist, one run, three events.\n");
        sql.push_str("-- Generated once by `write_v1_fixture`; never regenerate for a shipped schema.\n");
        sql.push_str(include_str!("../migrations/0001_initial.sql"));
        for (table, cols) in [
            ("settings", "key, value"),
            ("checklists", "id, title, file_name, source, source_hash, imported_at, parsed"),
            ("runs", "id, checklist_id, title, created_at, event_count, head"),
            ("events", "seq, id, run_id, device, lamport, parents, at, actor, kind, item, body, hash"),
        ] {
            let n = cols.split(',').count();
            let quoted: Vec<String> = (0..n).map(|i| format!("quote(c{i})")).collect();
            let select = format!(
                "SELECT {} FROM (SELECT {} FROM {table})",
                quoted.join(" || ', ' || "),
                cols.split(',').enumerate().map(|(i, c)| format!("{} AS c{i}", c.trim())).collect::<Vec<_>>().join(", ")
            );
            let mut stmt = c.prepare(&select).expect("select");
            let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).expect("rows").map(|r| r.expect("row")).collect();
            for row in rows {
                sql.push_str(&format!("INSERT INTO {table} ({cols}) VALUES ({row});\n"));
            }
        }
        sql.push_str("PRAGMA user_version = 1;\n");
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.sql");
        std::fs::write(out, sql).expect("write fixture");
    }
}

mod checklists {
    use super::*;

    #[test]
    fn import_list_get_and_dedupe() {
        let d = db();
        let store = Store::open(&d.path).expect("open");
        let src = "# Deploy web\n\n## Prepare\n\n- [ ] Announce the window\n- [ ] Back up the database\n\n## Go\n\n- [ ] Deploy\n";
        let a = store.import_checklist("web.md", src, t0()).expect("import");
        assert_eq!(a.title, "Deploy web");
        assert_eq!(a.items, 3);
        let again = store.import_checklist("web.md", src, t0()).expect("import again");
        assert_eq!(again.id, a.id, "the same source under the same name is not duplicated");
        let list = store.list_checklists().expect("list");
        assert_eq!(list.len(), 1);
        let (summary, tree, source) = store.get_checklist(&a.id[..8]).expect("get by prefix");
        assert_eq!(summary.id, a.id);
        assert_eq!(source, src, "the source is kept verbatim");
        assert_eq!(tree.items().len(), 3);
    }

    #[test]
    fn bad_checklist_is_an_error_and_stores_nothing() {
        let d = db();
        let store = Store::open(&d.path).expect("open");
        let err = store.import_checklist("bin.md", "\u{0}\u{1}\u{2}garbage", t0());
        if let Err(e) = &err {
            assert!(e.to_string().contains("bin.md"), "the error names the file: {e}");
            assert!(store.list_checklists().expect("list").is_empty());
        }
    }
}

mod runs {
    use super::*;

    #[test]
    fn append_folds_into_state_and_chains() {
        let d = db();
        let (store, run) = with_run(&d.path);
        let e1 = set(&store, &run, "a", ItemState::Done, 1);
        let e2 = set(&store, &run, "a1", ItemState::Skipped, 2);
        assert_eq!(e2.parents, vec![e1.hash.clone()], "each event chains to the previous head");
        assert_eq!(e2.lamport, e1.lamport + 1);
        let state = store.run_state(&run).expect("state");
        assert_eq!(state.items["a"].state, ItemState::Done);
        assert_eq!(state.items["a"].by.as_deref(), Some("alice"));
        assert_eq!(state.items["a1"].reason.as_deref(), Some("not needed"));
        assert_eq!(state.timeline.len(), 3);
        let runs = store.list_runs().expect("list");
        assert_eq!(runs[0].progress.total, 4);
        assert_eq!(runs[0].progress.settled(), 2);
        assert_eq!(runs[0].events, 3);
        assert_eq!(runs[0].status, runsheet_core::run::RunStatus::InProgress);
    }

    #[test]
    fn invalid_events_are_refused_and_not_recorded() {
        let d = db();
        let (store, run) = with_run(&d.path);
        let unknown = store.append(
            &run,
            "alice",
            EventBody::ItemSet { item: "nope".into(), state: ItemState::Done, reason: None, note: None },
            t0(),
        );
        assert!(unknown.expect_err("unknown item").to_string().contains("unknown item `nope`"));
        let skip = store.append(
            &run,
            "alice",
            EventBody::ItemSet { item: "a".into(), state: ItemState::Skipped, reason: Some("  ".into()), note: None },
            t0(),
        );
        assert_eq!(skip.expect_err("no reason").code(), "Invalid");
        assert_eq!(store.events(&run).expect("events").len(), 1, "refused events leave no trace");
        let missing = store.append("no-such-run", "alice", EventBody::ProbeArmed { item: "a".into() }, t0());
        assert_eq!(missing.expect_err("no run").code(), "NotFound");
    }

    #[test]
    fn a_sign_off_in_any_case_records_the_canonical_role() {
        let d = db();
        let (store, run) = with_run(&d.path);
        for (n, item) in ["a", "a1", "b", "c"].iter().enumerate() {
            set(&store, &run, item, ItemState::Done, n as i64);
        }
        let body = EventBody::SignedOff { role: "  technical LEAD ".into(), name: "bob".into(), comment: None };
        let e = store.append(&run, "bob", body, t0() + Duration::minutes(10)).expect("a role matches whatever its case");
        assert!(matches!(&e.body, EventBody::SignedOff { role, .. } if role == "Technical Lead"), "{:?}", e.body);
        let state = store.run_state(&run).expect("state");
        assert_eq!(state.status(), runsheet_core::run::RunStatus::Signed);
        assert_eq!(store.list_runs().expect("list")[0].status, runsheet_core::run::RunStatus::Signed, "the cached status");
        assert_eq!(store.gate(&run, "c", t0()).expect("gate"), runsheet_core::signoff::GateVerdict::Open);
    }

    #[test]
    fn run_ids_resolve_by_unique_prefix() {
        let d = db();
        let (store, run) = with_run(&d.path);
        assert_eq!(store.resolve_run(&run[..10]).expect("prefix"), run);
        assert_eq!(store.resolve_run("zzz").expect_err("none").code(), "NotFound");
    }

    #[test]
    fn two_connections_appending_keep_one_linear_chain() {
        let d = db();
        let (a, run) = with_run(&d.path);
        let b = Store::open(&d.path).expect("second connection");
        for i in 0..20 {
            let s = if i % 2 == 0 { &a } else { &b };
            set(s, &run, "c", if i % 3 == 0 { ItemState::Done } else { ItemState::Failed }, i);
        }
        let events = a.events(&run).expect("events");
        assert_eq!(events.len(), 21);
        for w in events.windows(2) {
            assert_eq!(w[1].parents, vec![w[0].hash.clone()], "no fork: each append saw the other's head");
        }
        assert!(b.verify(Some(&run)).expect("verify").ok());
    }

    #[test]
    fn store_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
    }
}

mod verify {
    use super::*;
    use runsheet_core::event::ChainError;

    /// A run with five events, the trigger that forbids edits dropped so the test can tamper like an attacker.
    fn tampered_setup() -> (Db, String, Vec<runsheet_core::event::Event>) {
        let d = db();
        let (store, run) = with_run(&d.path);
        for (i, it) in ["a", "a1", "b", "c"].iter().enumerate() {
            set(&store, &run, it, ItemState::Done, i as i64 + 1);
        }
        assert!(store.verify(None).expect("verify").ok(), "untouched chain verifies");
        let events = store.events(&run).expect("events");
        drop(store);
        let c = raw(&d.path);
        c.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;").expect("drop triggers");
        (d, run, events)
    }

    fn problem(path: &Path) -> ChainError {
        let store = Store::open(path).expect("open");
        let report = store.verify(None).expect("verify runs");
        assert!(!report.ok(), "tampering must be detected");
        report.first_problem().and_then(|r| r.problem.clone()).expect("a problem")
    }

    #[test]
    fn the_trigger_refuses_update_and_delete() {
        let d = db();
        let (store, _run) = with_run(&d.path);
        drop(store);
        let c = raw(&d.path);
        assert!(c.execute("UPDATE events SET actor = 'mallory'", []).is_err(), "UPDATE is refused");
        assert!(c.execute("DELETE FROM events", []).is_err(), "DELETE is refused");
    }

    #[test]
    fn edited_row_is_a_hash_mismatch() {
        let (d, _run, events) = tampered_setup();
        raw(&d.path)
            .execute("UPDATE events SET actor = 'mallory' WHERE id = ?1", [&events[2].id])
            .expect("edit");
        match problem(&d.path) {
            ChainError::HashMismatch { id, position } => {
                assert_eq!(id, events[2].id, "names the edited event");
                assert_eq!(position, 2);
            }
            other => panic!("expected a hash mismatch, got {other:?}"),
        }
    }

    #[test]
    fn edited_body_json_is_detected() {
        let (d, _run, events) = tampered_setup();
        raw(&d.path)
            .execute("UPDATE events SET body = replace(body, '\"done\"', '\"failed\"') WHERE id = ?1", [&events[3].id])
            .expect("edit");
        assert!(matches!(problem(&d.path), ChainError::HashMismatch { id, .. } if id == events[3].id));
    }

    #[test]
    fn deleted_row_is_a_missing_parent() {
        let (d, _run, events) = tampered_setup();
        raw(&d.path).execute("DELETE FROM events WHERE id = ?1", [&events[2].id]).expect("delete");
        match problem(&d.path) {
            ChainError::MissingParent { id, parent, .. } => {
                assert_eq!(id, events[3].id, "names the first event after the gap");
                assert_eq!(parent, events[2].hash);
            }
            other => panic!("expected a missing parent, got {other:?}"),
        }
    }

    #[test]
    fn deleted_last_row_is_detected_by_the_recorded_count() {
        let (d, _run, events) = tampered_setup();
        raw(&d.path).execute("DELETE FROM events WHERE id = ?1", [&events[4].id]).expect("delete");
        assert!(matches!(problem(&d.path), ChainError::CountMismatch { found: 4, expected: 5, .. }));
    }

    #[test]
    fn reordered_rows_are_detected() {
        let (d, _run, events) = tampered_setup();
        // Swap the recording positions of events 2 and 3.
        raw(&d.path)
            .execute_batch(&format!(
                "UPDATE events SET seq = -1 WHERE id = '{a}';
                 UPDATE events SET seq = {sa} WHERE id = '{b}';
                 UPDATE events SET seq = {sb} WHERE id = '{a}';",
                a = events[2].id,
                b = events[3].id,
                sa = 3,
                sb = 4,
            ))
            .expect("reorder");
        match problem(&d.path) {
            ChainError::ParentAfterChild { id, parent, .. } => {
                assert_eq!(id, events[3].id, "names the event that now comes before its parent");
                assert_eq!(parent, events[2].hash);
            }
            other => panic!("expected a reordering, got {other:?}"),
        }
    }
}

mod open {
    use super::*;

    fn damaged(path: &Path) -> String {
        let err = Store::open(path).expect_err("a damaged database must not open");
        assert_eq!(err.code(), "Damaged", "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "the error names the file: {msg}");
        assert!(msg.contains("runsheet backup"), "the error says how to restore: {msg}");
        msg
    }

    #[test]
    fn truncated_file_is_a_clear_error() {
        let d = db();
        let (store, run) = with_run(&d.path);
        for i in 0..200 {
            set(&store, &run, "c", if i % 2 == 0 { ItemState::Done } else { ItemState::Failed }, i);
        }
        drop(store); // checkpoints the WAL into the main file
        let len = std::fs::metadata(&d.path).expect("meta").len();
        assert!(len > 8192, "a multi-page database");
        let f = std::fs::OpenOptions::new().write(true).open(&d.path).expect("open file");
        f.set_len(len / 2).expect("truncate");
        damaged(&d.path);
    }

    #[test]
    fn garbage_file_is_a_clear_error() {
        let d = db();
        std::fs::create_dir_all(d.path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&d.path, vec![0x5a; 10_000]).expect("write garbage");
        let msg = damaged(&d.path);
        assert!(msg.contains("not a database"), "{msg}");
    }
}

mod backup {
    use super::*;

    #[test]
    fn online_backup_verifies_and_holds_every_event() {
        let d = db();
        let (store, run) = with_run(&d.path);
        set(&store, &run, "a", ItemState::Done, 1);
        let dest = d.path.with_file_name("backup.db");
        store.backup(&dest).expect("backup");
        set(&store, &run, "b", ItemState::Done, 2); // after the backup: not in it
        let copy = Store::open(&dest).expect("open backup");
        assert!(copy.verify(None).expect("verify").ok(), "a backup verifies");
        assert_eq!(copy.events(&run).expect("events").len(), 2);
        assert_eq!(copy.device_id(), store.device_id(), "a restored backup is the same installation");
    }
}

mod team {
    use super::*;
    use runsheet_core::event::{Event, EventAuthor};
    use runsheet_store::{MergeOutcome, StoreError};

    /// The `device_seq`s of this device's events in the store, over every run, in recording order.
    fn own_seqs(store: &Store) -> Vec<Option<u64>> {
        let mut runs: Vec<String> = store.list_runs().expect("list").into_iter().map(|r| r.id).collect();
        runs.sort();
        let mut seqs: Vec<Option<u64>> = runs
            .iter()
            .flat_map(|r| store.events(r).expect("events"))
            .filter(|e| e.device == store.device_id())
            .map(|e| e.device_seq)
            .collect();
        seqs.sort();
        seqs
    }

    fn new_run(store: &Store, title: &str) -> String {
        let cl = store.insert_checklist("deploy.md", "# Deploy\n", &checklist(), t0()).expect("checklist");
        store
            .create_run(NewRun { checklist_id: cl.id, title: title.into(), operator: "alice".into(), ..Default::default() }, t0())
            .expect("create run")
    }

    /// A stand-in signature: what matters to the store is that the signer sees the numbered event and that its
    /// output is stored and read back unchanged (real signatures are the application's tests).
    fn fake_author(e: &Event) -> EventAuthor {
        EventAuthor { fingerprint: "fp-alice".into(), signature: format!("sig({}:{:?})", e.hash, e.device_seq) }
    }

    #[test]
    fn device_seq_is_gapless_per_device_across_runs() {
        let d = db();
        let (store, r1) = with_run(&d.path);
        let r2 = new_run(&store, "second");
        set(&store, &r1, "a", ItemState::Done, 1);
        set(&store, &r2, "a", ItemState::Done, 2);
        let e = set(&store, &r1, "b", ItemState::Done, 3);
        assert_eq!(e.device_seq, Some(5), "run, run, three appends: the fifth number of this device");
        assert_eq!(own_seqs(&store), (1..=5).map(Some).collect::<Vec<_>>(), "one gapless sequence over both runs");
        assert!(e.verify_hash(), "the hash covers the number");
        assert_eq!(store.events(&r1).expect("events").last(), Some(&e), "the number reads back from SQLite");
        assert!(store.verify(None).expect("verify").ok());
    }

    #[test]
    fn two_connections_never_take_the_same_number() {
        let d = db();
        let (a, run) = with_run(&d.path);
        let path = d.path.clone();
        let run2 = run.clone();
        // Two handles on one database (one device) appending at the same time from two threads.
        let other = std::thread::spawn(move || {
            let b = Store::open(&path).expect("second connection");
            for i in 0..15 {
                set(&b, &run2, "c", if i % 2 == 0 { ItemState::Done } else { ItemState::Failed }, i);
            }
        });
        for i in 0..15 {
            set(&a, &run, "b", if i % 2 == 0 { ItemState::Done } else { ItemState::Failed }, i);
        }
        other.join().expect("thread");
        assert_eq!(own_seqs(&a), (1..=31).map(Some).collect::<Vec<_>>(), "31 events, numbers 1..=31, no repeats");
    }

    #[test]
    fn legacy_events_keep_no_number_and_new_ones_continue_from_one() {
        let d = db();
        std::fs::create_dir_all(d.path.parent().expect("parent")).expect("mkdir");
        raw(&d.path).execute_batch(include_str!("fixtures/schema-v1.sql")).expect("load v1 fixture");
        let store = Store::open(&d.path).expect("open migrates to 3");
        let run = store.list_runs().expect("list")[0].id.clone();
        let before = store.events(&run).expect("events");
        assert!(before.iter().all(|e| e.device_seq.is_none() && e.author.is_none() && e.verify_hash()));
        let e = set(&store, &run, "c", ItemState::Done, 40);
        assert_eq!(e.device_seq, Some(1), "the first numbered event of this device");
        assert!(store.verify(None).expect("verify").ok(), "old and new events verify together");
        assert_eq!(store.known_seqs(&run).expect("known").get(store.device_id()), Some(&1));
    }

    #[test]
    fn the_signer_signs_every_new_event_after_numbering() {
        let d = db();
        let (mut store, run) = with_run(&d.path);
        assert!(store.events(&run).expect("events")[0].author.is_none(), "no signer, no signature");
        store.set_signer(Some(Box::new(|e: &Event| Ok(fake_author(e)))));
        let r2 = new_run(&store, "signed");
        let e = set(&store, &run, "a", ItemState::Done, 1);
        assert_eq!(e.author, Some(fake_author(&e)), "signed over the final hash, which covers device_seq");
        let created = &store.events(&r2).expect("events")[0];
        assert_eq!(created.author, Some(fake_author(created)), "create_run signs its run_created too");
        assert_eq!(store.events(&run).expect("events").last(), Some(&e), "the signature reads back from SQLite");
        assert!(store.verify(None).expect("verify").ok(), "the signature is outside the hash");
    }

    #[test]
    fn a_failing_signer_records_nothing_and_uses_no_number() {
        let d = db();
        let (mut store, run) = with_run(&d.path);
        store.set_signer(Some(Box::new(|_: &Event| Err("keyring locked".to_string()))));
        let err = store
            .append(&run, "alice", EventBody::ItemSet { item: "a".into(), state: ItemState::Done, reason: None, note: None }, t0())
            .expect_err("cannot sign");
        assert!(matches!(err, StoreError::Sign { .. }) && err.to_string().contains("keyring locked"), "{err}");
        assert_eq!(store.events(&run).expect("events").len(), 1, "nothing recorded");
        store.set_signer(None);
        assert_eq!(set(&store, &run, "a", ItemState::Done, 1).device_seq, Some(2), "the number was not used up");
    }

    #[test]
    fn outbox_pushed_mark_and_shared_runs() {
        let d = db();
        let (store, run) = with_run(&d.path);
        let other = new_run(&store, "not shared"); // number 2, another run: never in this run's outbox
        set(&store, &run, "a", ItemState::Done, 1); // 3
        set(&store, &run, "b", ItemState::Done, 2); // 4
        let seqs = |v: Vec<Event>| v.into_iter().map(|e| e.device_seq.unwrap_or(0)).collect::<Vec<_>>();
        assert_eq!(seqs(store.outbox(&run).expect("outbox")), vec![1, 3, 4], "unshared: every numbered event");
        assert_eq!(store.ack_pushed(&run, 3).expect_err("not shared").code(), "NotFound");
        assert_eq!(store.mark_shared("no-such-run", t0()).expect_err("no run").code(), "NotFound");

        store.mark_shared(&run, t0()).expect("share");
        store.mark_shared(&run, t0() + Duration::hours(1)).expect("share again is fine");
        store.ack_pushed(&run, 3).expect("ack");
        store.ack_pushed(&run, 1).expect("a late, older ack");
        assert_eq!(seqs(store.outbox(&run).expect("outbox")), vec![4], "the mark never goes down");
        set(&store, &run, "c", ItemState::Done, 3); // 5

        let shared = store.shared_runs().expect("shared runs");
        assert_eq!(shared.len(), 1, "only the shared run: {shared:?}");
        let s = &shared[0];
        assert_eq!((s.run_id.as_str(), s.title.as_str()), (run.as_str(), "v1.2 to prod"));
        assert_eq!(s.shared_at, t0(), "sharing again keeps the first time");
        assert_eq!((s.pushed_seq, s.outbox), (3, 2));
        assert_eq!((s.last_sync, s.last_error.as_deref()), (None, None));

        store.record_sync(&run, t0() + Duration::minutes(5), None).expect("sync ok");
        store.record_sync(&run, t0() + Duration::minutes(6), Some("server down")).expect("sync failed");
        let s = &store.shared_runs().expect("shared")[0];
        assert_eq!(s.last_sync, Some(t0() + Duration::minutes(5)), "a failure keeps the last success");
        assert_eq!(s.last_error.as_deref(), Some("server down"));
        assert_eq!(s.last_error_at, Some(t0() + Duration::minutes(6)));
        store.record_sync(&run, t0() + Duration::minutes(7), None).expect("sync ok");
        let s = &store.shared_runs().expect("shared")[0];
        assert_eq!((s.last_sync, s.last_error.as_deref()), (Some(t0() + Duration::minutes(7)), None));
        assert_eq!(store.record_sync(&other, t0(), None).expect_err("not shared").code(), "NotFound");
    }

    #[test]
    fn settings_round_trip_and_the_device_id_is_fixed() {
        let d = db();
        let store = Store::open(&d.path).expect("open");
        assert_eq!(store.settings_get("team_url").expect("get"), None);
        store.settings_set("team_url", "postgres://db/team").expect("set");
        store.settings_set("team_url", "postgres://db2/team").expect("replace");
        assert_eq!(store.settings_get("team_url").expect("get").as_deref(), Some("postgres://db2/team"));
        let device = store.device_id().to_string();
        assert_eq!(store.settings_set("device_id", "other").expect_err("fixed").code(), "Refused");
        drop(store);
        assert_eq!(Store::open(&d.path).expect("reopen").device_id(), device);
    }

    /// Two laptops: `a` made a run with three changes; returns (a's db, b's db, run, a's events).
    fn two_laptops() -> (Db, Db, Store, Store, String) {
        let (da, db_) = (db(), db());
        let (a, run) = with_run(&da.path);
        set(&a, &run, "a", ItemState::Done, 1);
        set(&a, &run, "b", ItemState::Failed, 2);
        set(&a, &run, "b", ItemState::Done, 3);
        let b = Store::open(&db_.path).expect("open b");
        (da, db_, a, b, run)
    }

    #[test]
    fn merge_creates_the_run_in_any_order_and_a_replay_stores_nothing() {
        let (_da, _db, a, b, run) = two_laptops();
        let mut events = a.events(&run).expect("events");
        events.reverse(); // children before parents: the store must order them
        assert_eq!(b.merge_events(events.clone()).expect("merge"), MergeOutcome { stored: 4, known: 0 });
        assert_eq!(b.run_state(&run).expect("b state"), a.run_state(&run).expect("a state"), "same events, same state");
        let (sa, sb) = (&a.list_runs().expect("a")[0], &b.list_runs().expect("b")[0]);
        assert_eq!((sb.status, &sb.progress, sb.events, &sb.title), (sa.status, &sa.progress, 4, &sa.title));
        assert!(b.verify(None).expect("verify").ok(), "merged events verify in recording order");
        assert_eq!(b.known_seqs(&run).expect("known"), a.known_seqs(&run).expect("known"));
        assert!(b.outbox(&run).expect("outbox").is_empty(), "another device's events are not b's to push");
        assert_eq!(b.list_checklists().expect("library").len(), 1, "the frozen checklist joins b's library");
        assert_eq!(b.merge_events(events).expect("replay"), MergeOutcome { stored: 0, known: 4 }, "idempotent");
        assert_eq!(b.events(&run).expect("events").len(), 4);
    }

    #[test]
    fn concurrent_changes_converge_and_the_next_append_joins_them() {
        let (_da, _db, a, b, run) = two_laptops();
        b.merge_events(a.events(&run).expect("events")).expect("b gets the run");
        // Offline on both laptops at once.
        let ea = set(&a, &run, "c", ItemState::Done, 10);
        let eb = set(&b, &run, "c", ItemState::Blocked, 11);
        assert_eq!((ea.lamport, eb.lamport), (5, 5), "concurrent: same Lamport counter");
        assert_eq!(eb.device_seq, Some(1), "b's first event");
        b.merge_events(vec![ea.clone()]).expect("a's change to b");
        a.merge_events(b.outbox(&run).expect("b's outbox")).expect("b's change to a");
        let (sa, sb) = (a.run_state(&run).expect("a"), b.run_state(&run).expect("b"));
        assert_eq!(sa, sb, "both laptops fold the same state");
        assert_eq!(sa.timeline.len(), 6, "both changes stay in the timeline");
        assert_eq!(a.list_runs().expect("a")[0].progress, b.list_runs().expect("b")[0].progress, "summaries agree");
        let joined = set(&a, &run, "a1", ItemState::Done, 12);
        let mut parents = vec![ea.hash.clone(), eb.hash.clone()];
        parents.sort();
        assert_eq!(joined.parents, parents, "the next event has both heads as parents");
        assert!(a.verify(None).expect("a").ok() && b.verify(None).expect("b").ok());
    }

    /// Each refusal names the event, and nothing of the batch is stored.
    #[test]
    fn refused_batches_store_nothing() {
        let (_da, _db, a, b, run) = two_laptops();
        let events = a.events(&run).expect("events");
        b.merge_events(events[..2].to_vec()).expect("first half");
        let rest = events[2..].to_vec(); // a valid event, then more
        let count = |s: &Store| s.events(&run).expect("events").len();

        let check = |batch: Vec<Event>, bad: &Event, want: &str| {
            let err = b.merge_events(batch).expect_err(want);
            let msg = err.to_string();
            assert!(msg.contains(&bad.id) && msg.contains(want), "{want}: {msg}");
            assert_eq!(count(&b), 2, "{want}: nothing stored");
        };

        // An edited event whose hash was not recomputed.
        let mut edited = rest[1].clone();
        edited.actor = "mallory".into();
        check(vec![rest[0].clone(), edited.clone()], &edited, "hash does not match");

        // A stored event altered and re-hashed: same id, other hash.
        let mut altered = events[1].clone();
        altered.actor = "mallory".into();
        altered.hash = altered.compute_hash();
        let err = b.merge_events(vec![rest[0].clone(), altered.clone()]).expect_err("tamper");
        assert!(matches!(err, StoreError::Tamper { ref id, .. } if *id == altered.id), "{err}");
        assert_eq!(err.code(), "Damaged");
        assert_eq!(count(&b), 2);

        // A parent neither stored nor in the batch.
        check(vec![rest[1].clone()], &rest[1], "neither stored here nor in the batch");

        // An event of another run hung on this run's chain.
        let mut foreign = rest[0].clone();
        foreign.run_id = "other-run".into();
        foreign.hash = foreign.compute_hash();
        check(vec![foreign.clone()], &foreign, "belongs to run other-run");

        // A wrong Lamport counter.
        let mut lamport = rest[0].clone();
        lamport.lamport = 9;
        lamport.hash = lamport.compute_hash();
        check(vec![lamport.clone()], &lamport, "Lamport counter is 9");

        // Another event under a number the device already used.
        let mut renumbered = rest[0].clone().with_device_seq(2);
        renumbered.id = "forged-id".into();
        renumbered.hash = renumbered.compute_hash();
        check(vec![renumbered.clone()], &renumbered, "already gave number 2");

        // A run this store does not have and the batch does not create.
        let (_dc, c_path) = {
            let dc = db();
            let p = dc.path.clone();
            (dc, p)
        };
        let c = Store::open(&c_path).expect("open c");
        let err = c.merge_events(rest.clone()).expect_err("unknown run");
        assert!(err.to_string().contains("neither stored here nor in the batch"), "{err}");
        assert!(c.list_runs().expect("runs").is_empty());

        b.merge_events(rest).expect("the intact rest still merges");
        assert_eq!(count(&b), 4);
    }
}
