//! The real OS keyring (gnome-keyring's Secret Service inside `dbus-run-session` in CI): set, get, list, delete.
//!
//! Without a keyring these tests fail when `CI=true` (CI must provide one) and are skipped with a message otherwise.

use runsheet_secrets::{SecretError, SecretStore, Sensitive};

/// A store on a service unique to this test, or None (skip) outside CI when no keyring is available.
fn store(test: &str) -> Option<SecretStore> {
    let service = format!("runsheet-test-{test}-{}", std::process::id());
    let store = SecretStore::with_service(&service).and_then(|s| s.check().map(|()| s));
    match store {
        Ok(s) => Some(s),
        Err(e @ SecretError::KeyringUnavailable { .. }) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but no keyring: {e}");
            }
            eprintln!("skipping {test}: {e}");
            None
        }
        Err(e) => panic!("unexpected keyring error: {e}"),
    }
}

#[test]
fn set_get_list_delete_round_trip() {
    let Some(s) = store("roundtrip") else { return };
    s.set("db_password", &Sensitive::new("correct horse".into())).unwrap();
    s.set("api.token-2", &Sensitive::new("t0k3n".into())).unwrap();
    assert_eq!(s.get("db_password").unwrap().expose(), "correct horse");
    assert_eq!(s.list().unwrap(), vec!["api.token-2".to_string(), "db_password".to_string()]);
    // Overwriting keeps one index entry.
    s.set("db_password", &Sensitive::new("battery staple".into())).unwrap();
    assert_eq!(s.get("db_password").unwrap().expose(), "battery staple");
    assert_eq!(s.list().unwrap().len(), 2);
    s.delete("db_password").unwrap();
    assert!(matches!(s.get("db_password"), Err(SecretError::NotFound { .. })));
    assert!(matches!(s.delete("db_password"), Err(SecretError::NotFound { .. })));
    s.delete("api.token-2").unwrap();
    assert!(s.list().unwrap().is_empty());
}

#[test]
fn bad_names_and_empty_values_are_refused() {
    let Some(s) = store("invalid") else { return };
    assert!(matches!(s.set("has space", &Sensitive::new("x".into())), Err(SecretError::InvalidName { .. })));
    assert!(matches!(s.set("ok", &Sensitive::new(String::new())), Err(SecretError::EmptyValue { .. })));
    assert!(matches!(s.get("runsheet:index"), Err(SecretError::InvalidName { .. })), "the index entry is not a secret");
}

#[test]
fn masker_for_resolves_values_from_the_keyring() {
    let Some(s) = store("masker") else { return };
    s.set("pw", &Sensitive::new("s3cr3t-value".into())).unwrap();
    let (masker, values) = s.masker_for(["pw"]).unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(masker.mask("AUTH s3cr3t-value"), "AUTH [secret:pw]");
    assert!(matches!(s.masker_for(["absent"]), Err(SecretError::NotFound { .. })));
    s.delete("pw").unwrap();
}
