use runsheet_app::ErrorKind;
use runsheet_secrets::Sensitive;

use crate::support::home;

#[test]
fn reserved_names_are_refused_before_the_keyring_is_touched() {
    // Regression (issue 10): `runsheet-signing-key` was a valid secret name, so the desktop's Credentials screen
    // listed and could delete the signing key, and a probe could reference it.
    let h = home("reserved");
    for name in ["runsheet-signing-key", "Runsheet-team-password", "runsheet:index"] {
        let e = h.app.set_secret(name, Sensitive::new("x".into())).expect_err("reserved");
        assert_eq!(e.kind, ErrorKind::Invalid, "{name}");
        assert!(e.message.contains("reserved") || e.message.contains("invalid"), "{name}: {}", e.message);
        assert_eq!(h.app.delete_secret(name).expect_err("reserved").kind, ErrorKind::Invalid);
    }
}

#[test]
fn a_checklist_naming_the_signing_key_is_refused_at_import() {
    let h = home("keyref");
    let md = "# R\n\n## P\n\n- [ ] Health\n  ```probe\n  kind = \"http\"\n  url = \"http://127.0.0.1:9/\"\n  headers = { Authorization = \"{{secret:runsheet-signing-key}}\" }\n  ```\n";
    let e = h.app.import_bytes("evil.md", md.as_bytes()).expect_err("the probe names a reserved entry");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("reserved"), "says why: {}", e.message);
}

#[test]
fn identities_and_probe_secrets_live_in_different_keyring_services() {
    let d = runsheet_app::Services::default();
    assert_ne!(d.secrets, d.identity, "the signing key is never in the probe secrets' service");
}
