//! The team-sync fields of an event (`device_seq`, `author`): absent, they change nothing about an event's JSON
//! or hash; present, the hash covers `device_seq` but not the author signature.

use runsheet_core::event::{Event, EventAuthor};

/// A note event as recorded before `device_seq`/`author` existed. Its hash was computed outside Rust
/// (Python: SHA-256 over `json.dumps(sort_keys=True, separators=(',', ':'))` of every field but `hash`), the
/// same canonical form main uses.
const RECORDED: &str = r#"{"id": "0190a0b0-0000-7000-8000-000000000001", "run_id": "run-1", "device": "dev-a", "lamport": 2, "parents": ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], "at": "2026-12-01T10:00:00Z", "actor": "alice", "body": {"type": "note_added", "item": "i1", "note": "checked the backup"}, "hash": "33b7e368d6cec21d34f54e78a39f41980b86297e10bf5f66f2f008e315ba7626"}"#;

#[test]
fn an_event_recorded_before_the_new_fields_keeps_its_hash_and_json() {
    let e: Event = serde_json::from_str(RECORDED).expect("parse");
    assert_eq!(e.device_seq, None);
    assert_eq!(e.author, None);
    assert!(e.verify_hash(), "hash changed: {}", e.compute_hash());
    let json = serde_json::to_string(&e).expect("serialise");
    assert!(!json.contains("device_seq") && !json.contains("author"), "{json}");
}

#[test]
fn the_hash_covers_device_seq_but_not_the_author_signature() {
    let e: Event = serde_json::from_str(RECORDED).expect("parse");
    let numbered = e.clone().with_device_seq(7);
    assert_eq!(numbered.device_seq, Some(7));
    assert!(numbered.verify_hash());
    assert_ne!(numbered.hash, e.hash, "device_seq must be covered by the hash");
    let mut tampered = numbered.clone();
    tampered.device_seq = Some(8);
    assert!(!tampered.verify_hash(), "a changed device_seq must break the hash");

    let mut signed = numbered.clone();
    signed.author = Some(EventAuthor { fingerprint: "ab".repeat(32), signature: "3045".into() });
    assert!(signed.verify_hash(), "the signature is not part of the hash");
    assert_eq!(signed.compute_hash(), numbered.hash);
    let back: Event = serde_json::from_str(&serde_json::to_string(&signed).expect("ser")).expect("de");
    assert_eq!(back, signed);
}
