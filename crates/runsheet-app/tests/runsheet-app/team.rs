//! Team runs, local side (issue 11): signed events, membership and the checks on events made elsewhere. Two or
//! three homes stand for laptops; identities live in the real keyring (run inside `scripts/with-keyring.sh`), and
//! an attacker's keys are made in memory (an attacker does not use our keyring).

use runsheet_app::ErrorKind;
use runsheet_core::event::{Event, EventBody, ItemState, Parent};
use runsheet_report::{check_event_authors, verify_event_author, Identity};

use crate::support::{home, Home};

fn laptop(test: &str, name: &str) -> Home {
    let h = home(test);
    if let Err(e) = h.app.secret_store().and_then(|s| Ok(s.check()?)) {
        panic!("these tests need a Secret Service keyring: run them inside scripts/with-keyring.sh ({})", e.message);
    }
    h.app.create_identity(name, true).expect("an identity");
    h
}

fn identity(h: &Home) -> Identity {
    h.app.require_identity().expect("identity")
}

/// Alice's laptop made a shared run and set one item; Bob's laptop merged it. Returns (alice, bob, run).
fn shared_pair(test: &str) -> (Home, Home, String) {
    let alice = laptop(&format!("{test}-a"), "Alice");
    let bob = laptop(&format!("{test}-b"), "Bob");
    let run = alice.run();
    alice.app.ensure_member(&run).expect("alice joins");
    let backup = alice.item(&run, "Backup taken");
    alice.app.set_item(&run, &backup, ItemState::Done, None, None, "Alice").expect("alice works");
    let out = bob.app.merge_remote(alice.app.events(&run).expect("events")).expect("bob pulls");
    assert_eq!(out.stored, 3, "run_created, member_joined and item_set are all new to bob: {out:?}");
    (alice, bob, run)
}

/// A new event on top of `parent`, written by `device`, numbered `seq`, signed by `signer` (None: unsigned).
fn crafted(parent: &Event, device: &str, seq: u64, signer: Option<&Identity>, body: EventBody) -> Event {
    let mut e = Event::new(
        format!("crafted-{device}-{seq}"),
        parent.run_id.clone(),
        device.to_string(),
        &[Parent::from(parent)],
        parent.at,
        "Mallory".into(),
        body,
    )
    .with_device_seq(seq);
    e.author = signer.map(|s| s.sign_event(&e).expect("sign"));
    e
}

fn note(item: &str, text: &str) -> EventBody {
    EventBody::NoteAdded { item: item.into(), note: text.into() }
}

#[test]
fn every_new_event_is_signed_once_an_identity_exists() {
    let h = home("team-signs");
    let run = h.run(); // no identity yet: unsigned, as before
    assert!(h.app.events(&run).expect("events")[0].author.is_none());
    if h.app.secret_store().and_then(|s| Ok(s.check()?)).is_err() {
        panic!("this test needs a Secret Service keyring: run it inside scripts/with-keyring.sh");
    }
    h.app.create_identity("Alice", false).expect("identity");
    let item = h.item(&run, "Backup taken");
    let e = h.app.set_item(&run, &item, ItemState::Done, None, None, "op").expect("set").event;
    let alice = identity(&h);
    assert_eq!(verify_event_author(&e, alice.cert_der()).expect("signed by alice"), alice.fingerprint());
    assert_eq!(e.device_seq, Some(2), "numbered after the run's first event");
    assert!(h.app.verify_store(None).expect("verify").ok(), "a single-laptop run with signed events verifies");
}

#[test]
fn a_member_joins_once_with_a_self_signed_introduction() {
    let h = laptop("team-join", "Alice");
    let run = h.run();
    let joined = h.app.ensure_member(&run).expect("joins").expect("a member_joined event");
    let alice = identity(&h);
    match &joined.body {
        EventBody::MemberJoined { name, device, certificate } => {
            assert_eq!((name.as_str(), device.as_str()), ("Alice", h.app.device_id().expect("device").as_str()));
            assert_eq!(*certificate, hex::encode(alice.cert_der()));
        }
        other => panic!("expected member_joined, got {other:?}"),
    }
    assert_eq!(h.app.ensure_member(&run).expect("again"), None, "joining twice records nothing");
    let events = h.app.events(&run).expect("events");
    let authors = check_event_authors(&events, &|_| true).expect("membership verifies");
    assert_eq!(authors[&joined.id].name, "Alice");
    let state = h.app.run(&run).expect("state");
    assert_eq!(state.members.len(), 1, "the run records its member");
    let none = home("team-join-none");
    let r = none.run();
    assert_eq!(none.app.ensure_member(&r).expect_err("no identity").kind, ErrorKind::NotFound);
}

#[test]
fn two_laptops_converge_and_a_late_member_joins_on_its_first_write() {
    let (alice, bob, run) = shared_pair("team-two");
    let port = bob.item(&run, "Port 8001 free");
    // Bob never ran `ensure_member`: his first write joins him, as the identity's name.
    assert_eq!(bob.app.shared_actor(&run).expect("actor").as_deref(), Some("Bob"));
    let e = bob.app.set_item(&run, &port, ItemState::Done, None, None, "Bob").expect("bob works").event;
    assert_eq!(e.actor, "Bob");
    let bob_events: Vec<Event> =
        bob.app.events(&run).expect("events").into_iter().filter(|e| e.device == bob.app.device_id().unwrap()).collect();
    assert!(matches!(bob_events[0].body, EventBody::MemberJoined { .. }), "bob joined first: {bob_events:?}");
    let out = alice.app.merge_remote(bob_events).expect("alice pulls bob's events");
    assert_eq!((out.stored, out.known), (2, 0));
    let (a, b) = (alice.app.run(&run).expect("a"), bob.app.run(&run).expect("b"));
    assert_eq!(a, b, "both laptops fold the same state");
    assert_eq!(a.members.len(), 2);
    assert!(alice.app.verify_store(None).expect("a").ok() && bob.app.verify_store(None).expect("b").ok());
    let again = alice.app.merge_remote(bob.app.events(&run).expect("events")).expect("replay");
    assert_eq!(again.stored, 0, "a replay stores nothing");
}

#[test]
fn in_a_shared_run_as_names_only_the_identity() {
    let (_alice, bob, run) = shared_pair("team-as");
    let port = bob.item(&run, "Port 8001 free");
    let err = bob.app.set_item(&run, &port, ItemState::Done, None, None, "Alice").expect_err("not bob's name");
    assert_eq!(err.kind, ErrorKind::Refused);
    assert!(err.message.contains("recorded as Bob") && err.message.contains("drop --as Alice"), "{}", err.message);
    assert!(bob.app.events(&run).expect("events").iter().all(|e| e.actor != "Alice" || e.device != bob.app.device_id().unwrap()));
    // Single-laptop runs keep --as as it was.
    let solo = bob.run();
    let item = bob.item(&solo, "Backup taken");
    bob.app.set_item(&solo, &item, ItemState::Done, None, None, "carol").expect("--as works in a run nobody joined");
}

/// Each refusal names the event and why, and nothing of the batch is stored.
#[test]
fn forged_foreign_and_altered_events_are_refused_and_nothing_is_stored() {
    let (alice, bob, run) = shared_pair("team-forged");
    let mallory = Identity::generate("Mallory", alice.app.now()).expect("mallory's key");
    let alice_device = alice.app.device_id().expect("device");
    let head = alice.app.events(&run).expect("events").last().cloned().expect("head");
    let item = alice.item(&run, "Backup taken");
    let note = |text: &str| note(&item, text);
    let count = || bob.app.events(&run).expect("events").len();
    let mut before = count();

    let cases: Vec<(&str, Event, &str)> = vec![
        (
            "an event claiming alice's device, signed by mallory",
            crafted(&head, &alice_device, 90, Some(&mallory), note("all good")),
            "belongs to member Alice",
        ),
        ("an unsigned event on a member's device", crafted(&head, &alice_device, 91, None, note("x")), "no author signature"),
        ("a numbered event from a device that never joined", crafted(&head, "dev-mallory", 1, None, note("x")), "not a member"),
        (
            "a signed event from a device that never joined",
            crafted(&head, "dev-mallory", 2, Some(&mallory), note("x")),
            "no member of the run registered",
        ),
        (
            "mallory taking over alice's device with her own certificate",
            crafted(
                &head,
                &alice_device,
                92,
                Some(&mallory),
                EventBody::MemberJoined {
                    name: "Alice".into(),
                    device: alice_device.clone(),
                    certificate: hex::encode(mallory.cert_der()),
                },
            ),
            "already a member",
        ),
        (
            "a member_joined for another device than its writer",
            crafted(
                &head,
                "dev-mallory",
                3,
                Some(&mallory),
                EventBody::MemberJoined {
                    name: "Mallory".into(),
                    device: "dev-other".into(),
                    certificate: hex::encode(mallory.cert_der()),
                },
            ),
            "can only introduce itself",
        ),
    ];
    for (what, event, why) in cases {
        // A valid event first: the batch must be all or nothing.
        let alice_ok = alice.app.add_note(&run, "Backup taken", what, "Alice").expect("alice writes");
        let err = bob.app.merge_remote(vec![alice_ok.clone(), event.clone()]).expect_err(what);
        assert_eq!(err.kind, ErrorKind::Refused, "{what}: {}", err.message);
        assert!(err.message.contains(&event.id) && err.message.contains(why), "{what}: {}", err.message);
        assert_eq!(count(), before, "{what}: nothing stored");
        bob.app.merge_remote(vec![alice_ok]).expect("the valid event alone merges");
        before += 1;
        assert_eq!(count(), before);
    }

    // An event of alice's, edited on the way and re-hashed (its signature no longer matches).
    let mut edited = alice.app.add_note(&run, "Backup taken", "original", "Alice").expect("alice writes");
    edited.body = note("edited");
    edited.hash = edited.compute_hash();
    let err = bob.app.merge_remote(vec![edited.clone()]).expect_err("edited");
    assert!(err.message.contains(&edited.id) && err.message.contains("does not verify"), "{}", err.message);
}

/// `verify` checks every event's author signature against the run's membership: an attacker who can write the
/// database file but lacks the member's key is caught even though the hash chain (which leaves the signature
/// out) still holds.
#[test]
fn verify_names_an_event_whose_signature_does_not_hold() {
    let (alice, _bob, run) = shared_pair("team-verify");
    let item = alice.item(&run, "Port 8001 free");
    let target = alice.app.set_item(&run, &item, ItemState::Done, None, None, "Alice").expect("set").event;
    alice.app.set_item(&run, &item, ItemState::Failed, None, None, "Alice").expect("set again");
    assert!(alice.app.verify_store(None).expect("verify").ok(), "untouched, it verifies");
    let mallory = Identity::generate("Mallory", alice.app.now()).expect("key");
    let forged = serde_json::to_string(&mallory.sign_event(&target).expect("sign")).expect("json");
    let mut claimed = mallory.sign_event(&target).expect("sign");
    claimed.fingerprint = identity(&alice).fingerprint(); // mallory's signature, alice's fingerprint
    let claimed = serde_json::to_string(&claimed).expect("json");

    let tamper = |author: Option<&str>| {
        let c = rusqlite::Connection::open(alice.app.db_path()).expect("raw");
        c.execute_batch("DROP TRIGGER IF EXISTS events_no_update").expect("drop trigger");
        c.execute("UPDATE events SET author = ?1 WHERE id = ?2", rusqlite::params![author, target.id]).expect("edit");
    };
    for (what, author, why) in [
        ("signed by another key", Some(forged.as_str()), "belongs to member Alice"),
        ("another key claiming alice's certificate", Some(claimed.as_str()), "does not verify"),
        ("the signature removed", None, "no author signature"),
    ] {
        tamper(author);
        // A fresh App reads the file as it is now.
        let fresh = runsheet_app::App::with_services(alice.app.home(), alice.app.services().clone());
        let report = fresh.verify_store(None).expect("verify runs");
        assert!(!report.ok(), "{what}: must not verify");
        let problem = report.problem().unwrap_or_default();
        assert!(problem.contains(&target.id) && problem.contains(why), "{what}: {problem}");
    }
}

/// A run log (and so a signed PDF's attached log) gets the same check.
#[test]
fn a_run_log_with_a_forged_signature_does_not_verify() {
    let (alice, _bob, run) = shared_pair("team-log");
    let log = alice.app.export(&run, runsheet_app::export::Format::Json, runsheet_app::export::Paper::A4).expect("log").bytes;
    assert!(runsheet_app::verify::verify_log("run.json", &log).expect("checked").ok, "an untouched log verifies");
    let mut doc: serde_json::Value = serde_json::from_slice(&log).expect("json");
    let events = doc["events"].as_array_mut().expect("events");
    let last = events.last_mut().expect("an event");
    let id = last["id"].as_str().expect("id").to_string();
    let other = Identity::generate("Mallory", alice.app.now()).expect("key");
    let e: Event = serde_json::from_value(last.clone()).expect("event");
    last["author"] = serde_json::to_value(other.sign_event(&e).expect("sign")).expect("json");
    let check = runsheet_app::verify::verify_log("bad.json", &serde_json::to_vec(&doc).expect("json")).expect("checked");
    assert!(!check.ok);
    let problem = check.problem.unwrap_or_default();
    assert!(problem.contains(&id) && problem.contains("belongs to member Alice"), "{problem}");
}

fn finish_all(h: &Home, run: &str, who: &str) {
    for t in ["Backup taken", "Port 8001 free", "Deploy version 3.1.0", "Smoke test the checkout"] {
        let id = h.item(run, t);
        h.app.set_item(run, &id, ItemState::Done, None, None, who).expect("done");
    }
}

/// Four-eyes by key: on a single laptop `--as` can name anyone, but the key that signs is the identity's. A
/// sign-off signed by the key that executed the role's items is refused whatever name it carries.
#[test]
fn four_eyes_by_key_refuses_a_sign_off_under_another_name() {
    let h = laptop("team-4eyes-key", "Alice");
    let run = h.run();
    finish_all(&h, &run, "alice");
    let err = h.app.sign_off(&run, "QA Lead", "bob", None).expect_err("alice's key executed every item");
    assert_eq!(err.kind, ErrorKind::Refused, "{}", err.message);
    assert!(err.message.contains("four-eyes: the signing key"), "{}", err.message);
    assert!(h.app.run(&run).expect("state").signoffs.is_empty(), "nothing recorded");
}

/// Alice finishes the run; then, offline on both laptops, Alice fails an item while Bob signs QA Lead. After
/// the exchange both laptops store both events and show the sign-off as made without knowledge of the failure —
/// in the JSON, in `run show` (via the same statuses) and in the PDF.
#[test]
fn a_sign_off_concurrent_with_a_failure_is_shown_as_signed_without_knowledge() {
    let (alice, bob, run) = shared_pair("team-knowledge");
    finish_all(&alice, &run, "Alice");
    bob.app.merge_remote(alice.app.events(&run).expect("events")).expect("bob is up to date");
    let smoke = alice.item(&run, "Smoke test the checkout");
    let failed = alice.app.set_item(&run, &smoke, ItemState::Failed, None, None, "Alice").expect("fails").event;
    let signed = bob.app.sign_off(&run, "QA Lead", "Bob", None).expect("bob sees nothing wrong and signs");
    alice.app.merge_remote(bob.app.events(&run).expect("events")).expect("to alice");
    bob.app.merge_remote(alice.app.events(&run).expect("events")).expect("to bob");
    for (who, h) in [("alice", &alice), ("bob", &bob)] {
        let json = h.app.run(&run).expect("state").to_json(h.app.now());
        let qa = json["signoffs"].as_array().expect("signoffs").iter().find(|s| s["role"] == "QA Lead").expect("qa").clone();
        assert_eq!(qa["signed_by"], "Bob", "{who}");
        let warnings = qa["warnings"].as_array().cloned().unwrap_or_default();
        assert!(
            warnings.iter().any(|w| w["kind"] == "signed_without_knowledge" && w["event"] == failed.id.as_str()),
            "{who}: {warnings:?}"
        );
    }
    // The PDF lists the sign-off with its signer, key and verified signature, and the warning.
    let pdf = bob.app.export(&run, runsheet_app::export::Format::Pdf, runsheet_app::export::Paper::A4).expect("pdf").bytes;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("run.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let out = std::process::Command::new("pdftotext").arg("-raw").arg(&path).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    let bob_fp = identity(&bob).fingerprint();
    assert!(text.contains("Signed by Bob, certificate SHA-256"), "{text}");
    assert!(text.contains(&bob_fp[..24]), "the fingerprint is printed: {text}");
    assert!(text.contains("signature verified"), "{text}");
    assert!(text.contains("signed without knowledge of"), "{text}");
    let verified = bob.app.verify_file(&path).expect("verify the pdf");
    assert!(verified.ok(), "the attached log's signatures re-check: {:?}", verified.problem());
    let runsheet_app::verify::Verified::Pdf(report) = verified else { panic!("a pdf") };
    let log = report.run_log.expect("the attached log was checked");
    assert_eq!(log.authors.get(&signed.id).map(|a| a.name.as_str()), Some("Bob"), "the sign-off's signer, from the log alone");
}
