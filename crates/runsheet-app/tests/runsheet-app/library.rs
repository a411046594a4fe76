use runsheet_app::ErrorKind;

use crate::support::home;

#[test]
fn latin1_and_utf16_files_import_the_same_as_utf8() {
    // Regression (issue 10): the desktop stored imported bytes with from_utf8_lossy, so a Latin-1 checklist was
    // garbled in the app only. Every front end now imports through App::import_bytes and its one decoder.
    let h = home("latin1");
    let text = "# Déploiement Paiements\n\n## Étape\n\n- [ ] Vérifier la sauvegarde\n";
    let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).expect("latin-1 text")).collect();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [("a.md", text.as_bytes().to_vec()), ("b.md", latin1), ("c.md", utf16)] {
        let s = h.app.import_bytes(name, &bytes).expect("imports");
        assert_eq!(s.title, "Déploiement Paiements", "{name} decodes to the same title");
        let (_, c) = h.app.checklist(&s.id).expect("stored");
        assert_eq!(c.items()[0].2.text, "Vérifier la sauvegarde", "{name} item text is intact");
    }
}

#[test]
fn binary_and_broken_files_are_invalid_with_the_file_name() {
    let h = home("binary");
    let e = h.app.import_bytes("x.md", b"\0\0\0\x01\x02binary").expect_err("not text");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("x.md"), "the message names the file: {}", e.message);
}

#[test]
fn templates_are_listed_and_make_runs() {
    let h = home("templates");
    let t = h.app.templates();
    assert!(!t.is_empty(), "the bundled checklists/ templates ship inside the binary");
    let new = runsheet_app::runs::NewRun { checklist: t[0].id.clone(), title: "From a template".into(), ..Default::default() };
    let run = h.app.create_run(new, "op").expect("a template makes a run");
    assert_eq!(h.app.run(&run).expect("folds").meta.title, "From a template");
    assert!(h.app.checklists().expect("lists").is_empty(), "a template copied in for a run is not listed as imported");
}
