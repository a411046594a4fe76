//! Fuzz target: for any text that imports, render → import gives the same items (text, checked, nesting,
//! commands, probe sources), sections (with their commands) and sign-off roles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet_core::{Checklist, Item};

fn shape(items: &[Item], out: &mut Vec<String>, depth: usize) {
    for i in items {
        let cmds: Vec<_> = i.commands.iter().map(|c| (c.kind, &c.text, &c.lang, &c.label)).collect();
        let probes: Vec<_> = i.probes.iter().map(|p| &p.source).collect();
        out.push(format!("{depth} {} {:?} {} {cmds:?} {probes:?}", i.checked, i.text, i.id));
        shape(&i.children, out, depth + 1);
    }
}

fn summary(c: &Checklist) -> Vec<String> {
    let mut out = vec![c.title.clone()];
    for p in &c.phases {
        out.push(format!("phase {:?} {:?} {}", p.title, p.timing, p.rollback));
        for s in &p.sections {
            let cmds: Vec<_> = s.commands.iter().map(|c| (&c.text, &c.lang, &c.label)).collect();
            out.push(format!("section {:?} {} {:?} {cmds:?}", s.title, s.level, s.timing));
            shape(&s.items, &mut out, 0);
        }
    }
    for s in &c.signoffs {
        out.push(format!("signoff {:?} {}", s.role, s.checkbox));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(a) = runsheet_core::import::parse("fuzz.md", text) else { return };
    let md = runsheet_core::render::checklist_to_markdown(&a);
    let b = runsheet_core::import::parse("fuzz.md", &md).unwrap_or_else(|e| panic!("rendered markdown does not import: {e}\n{md}"));
    assert_eq!(summary(&a), summary(&b), "render/import changed the checklist\n--- rendered:\n{md}");
});
