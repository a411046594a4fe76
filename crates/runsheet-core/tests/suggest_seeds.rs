//! Measures probe suggestions on the real checklists in ../shared/seeds (or $RUNSHEET_SEEDS): of the items that
//! carry commands, how many get the correct typed probe, and how many get a wrong one. The expected kind of each
//! command-bearing item is labelled by hand below; an unlabelled item is expected to get no suggestion (its
//! commands are actions such as `docker compose up`, not checks). Prints the shares; fails on a wrong suggestion
//! or a missed labelled one. Without the seeds it is skipped with a printed line (required when `CI=true`, see
//! `tests/support/seeds.rs`); the suggestion rules themselves are tested on small inputs in `src/suggest.rs`.

use runsheet_core::suggest::{suggest, suggest_commands};

/// (file, a substring of the item text, expected kinds).
const LABELS: &[(&str, &str, &[&str])] = &[
    ("ai-assistant-production.md", "Health check passes", &["http"]),
    ("ai-assistant-production.md", "Info endpoint responds", &["http"]),
    ("ai-assistant-production.md", "file created from template", &["file"]),
    ("ai-assistant-production.md", "Port 8001 available", &["port_free"]),
    ("ai-assistant-production.md", "Minimum 10GB disk space available", &["disk"]),
];

#[path = "../../../tests/support/seeds.rs"]
mod seed_support;

#[test]
fn suggestion_share_on_the_seeds() {
    let Some(files) = seed_support::seed_files("suggest_seeds::suggestion_share_on_the_seeds") else { return };
    let (mut cmd_items, mut cmd_correct, mut cmd_typed, mut cmd_typed_hit) = (0, 0, 0, 0);
    let (mut text_items, mut text_hit) = (0, 0);
    let mut wrong = Vec::new();
    let (mut sections, mut section_suggestions) = (0, Vec::new());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(f).unwrap();
        let checklist = match runsheet_core::import::parse(&name, &source) {
            Ok(c) => c,
            Err(e) => panic!("{name} does not import: {e}"),
        };
        for p in &checklist.phases {
            for s in &p.sections {
                if !s.commands.is_empty() {
                    sections += 1;
                    for sg in suggest_commands(&s.commands) {
                        section_suggestions.push(format!("{name}: \"{}\" → {} ({})", s.title, sg.spec.check.kind(), sg.reason));
                    }
                }
            }
        }
        for (_, _, item) in checklist.items() {
            let got: Vec<&str> = suggest(item).iter().map(|s| s.spec.check.kind()).collect();
            let expected: &[&str] = LABELS
                .iter()
                .find(|(file, text, _)| *file == name && item.text.contains(text))
                .map(|l| l.2)
                .unwrap_or(&[]);
            if !item.commands.is_empty() {
                cmd_items += 1;
                if !expected.is_empty() {
                    cmd_typed += 1;
                    if got == expected {
                        cmd_typed_hit += 1;
                    }
                }
                if got == expected {
                    cmd_correct += 1;
                }
            } else if !expected.is_empty() {
                text_items += 1;
                if got == expected {
                    text_hit += 1;
                }
            }
            if got != expected {
                wrong.push(format!("{name}:{} \"{}\": expected {expected:?}, got {got:?}", item.line, item.text));
            }
        }
    }
    println!("command-bearing items: {cmd_items}; correct (typed probe where one applies, nothing otherwise): {cmd_correct} ({:.0}%)", 100.0 * cmd_correct as f64 / cmd_items.max(1) as f64);
    println!("command-bearing items whose command is a check with a typed probe: {cmd_typed}; suggested correctly: {cmd_typed_hit}");
    println!("items with a checkable sentence and no command: {text_items}; suggested correctly: {text_hit}");
    println!("sections with command blocks: {sections}; suggestions from them:");
    for s in &section_suggestions {
        println!("  {s}");
    }
    assert!(wrong.is_empty(), "wrong or missed suggestions:\n{}", wrong.join("\n"));
}
