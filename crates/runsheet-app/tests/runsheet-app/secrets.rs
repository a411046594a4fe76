// A failed `expect` in a test is the test failing, with its reason.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use runsheet_app::ErrorKind;
use runsheet_secrets::Sensitive;

use crate::support::home;

#[test]
fn reserved_names_are_refused_before_the_keyring_is_touched() {
    // Regression (issue 10): `runsheet-signing-key` was a valid secret name, so the desktop's Credentials screen
    // listed and could delete the signing key, and a probe could reference it.
    let h = home("reserved");
    for name in ["runsheet-signing-key", "Runsheet-team-password", "runsheet:index"] {
        let e = h.app.set_secret(name, Sensitive::new("x".into()), None).expect_err("reserved");
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

/// The raw items of a keyring service as `secret-tool` (libsecret) sees them: attributes and secret text.
fn raw_items(service: &str) -> String {
    let out = std::process::Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_binding_lives_next_to_its_secret_but_is_never_listed_as_one_nor_holds_its_value() {
    let h = home("binding-entry");
    if let Err(e) = h.app.secret_store().and_then(|s| Ok(s.check()?)) {
        panic!("this test needs a Secret Service keyring: run it inside scripts/with-keyring.sh ({})", e.message);
    }
    let value = "val-BINDING-5a6b7c";
    let binding = runsheet_app::secrets::SecretBinding::new(["API.example.com", "127.0.0.1"], true);
    h.app.set_secret("api_token", Sensitive::new(value.into()), Some(binding)).expect("stored");

    assert_eq!(h.app.secret_names().expect("listed"), ["api_token"], "the binding entry is not a secret");
    let listed = h.app.secrets().expect("listed");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].hosts, ["127.0.0.1", "api.example.com"], "hosts are shown, lower case");
    assert!(listed[0].allow_shell);

    let service = h.app.services().secrets.clone();
    let raw = raw_items(&service);
    let binding_item = raw
        .split("\n[")
        .find(|item| item.contains("runsheet:binding:api_token"))
        .unwrap_or_else(|| panic!("the binding is stored in the secret's own service:\n{raw}"));
    assert!(binding_item.contains("api.example.com") && binding_item.contains("allow_shell"), "{binding_item}");
    assert!(!binding_item.contains(value), "the binding's JSON holds no secret value:\n{binding_item}");

    // A reserved name: no secret can be stored over the binding.
    assert!(h.app.set_secret("runsheet:binding:api_token", Sensitive::new("x".into()), None).is_err());

    // Replacing the value without a binding keeps the binding; deleting the secret deletes it.
    h.app.set_secret("api_token", Sensitive::new(value.into()), None).expect("replaced");
    assert!(h.app.secret_binding("api_token").expect("readable").allow_shell, "kept");
    h.app.delete_secret("api_token").expect("deleted");
    assert!(!raw_items(&service).contains("runsheet:binding:api_token"), "the binding went with the secret");
    h.app.set_secret("api_token", Sensitive::new(value.into()), None).expect("stored again");
    assert!(h.app.secret_binding("api_token").expect("readable").is_unbound(), "a new secret starts bound nowhere");
    h.app.delete_secret("api_token").expect("deleted");
}

#[test]
fn hosts_must_be_bare_host_names() {
    for bad in ["https://api.example.com", "api.example.com:443", "api.example.com/x", "", "shell", "a b"] {
        assert!(runsheet_app::secrets::bind_host(bad).is_err(), "{bad:?} is not a bare host");
    }
    assert_eq!(runsheet_app::secrets::bind_host(" API.Example.COM ").expect("a host"), "api.example.com");
    assert_eq!(runsheet_app::secrets::bind_host("[::1]").expect("an IPv6 address"), "::1");
}
