//! Importer and renderer tests, data-driven over one small fixture per construct (`tests/fixtures/import/`, each
//! with its `inspect --json` snapshot beside it; together they cover every construct of the real-world seeds), the
//! shipped templates (`checklists/`), the real-world checklists in `../shared/seeds` when present (required with
//! `CI=true`, see `tests/support/seeds.rs`), Debian's `cmark-gfm` as the reference for which lines are task items,
//! bad input, and a property test that rendering and re-importing a checklist gives it back.
//!
//! Snapshots: `UPDATE_EXPECT=1 cargo test -p runsheet-core --test import` rewrites the `.json` files.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use runsheet_core::import::{self, ImportError};
use runsheet_core::render::{self, ItemAnnotation};
use runsheet_core::{Checklist, Contact, Item};

#[path = "../../../tests/support/seeds.rs"]
mod seed_support;

mod support {
    use super::*;
    pub use crate::seed_support::seed_files;

    pub fn manifest() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// The seed checklists for `test` (empty, with a `skipped:` line, when absent and not required).
    pub fn seeds(test: &str) -> Vec<PathBuf> {
        seed_files(test).unwrap_or_default()
    }

    pub fn fixture_path(name: &str) -> PathBuf {
        manifest().join("../../tests/fixtures/import").join(name)
    }

    pub fn fixtures() -> Vec<PathBuf> {
        let files = md_files(&manifest().join("../../tests/fixtures/import"));
        assert!(files.len() >= 15, "fixtures missing");
        files
    }

    pub fn templates() -> Vec<PathBuf> {
        md_files(&manifest().join("../../checklists"))
    }

    fn md_files(dir: &Path) -> Vec<PathBuf> {
        crate::seed_support::checklist_files(dir)
    }

    pub fn load(path: &Path) -> Checklist {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("checklist.md");
        import::parse_bytes(name, &bytes).unwrap_or_else(|e| panic!("importing {}: {e}", path.display()))
    }

    /// Start lines of task items plus checkbox sign-offs: together, every task-list item of the file.
    pub fn task_lines(c: &Checklist) -> Vec<u32> {
        let mut lines: Vec<u32> = c.items().iter().map(|(_, _, i)| i.line).collect();
        lines.extend(c.signoffs.iter().filter(|s| s.checkbox).map(|s| s.line));
        lines.sort_unstable();
        lines
    }

    /// Task-item start lines according to `cmark-gfm -e tasklist --sourcepos -t xml`.
    pub fn cmark_task_lines(path: &Path) -> Vec<u32> {
        let out = std::process::Command::new("cmark-gfm")
            .args(["-e", "tasklist", "-e", "table", "-e", "strikethrough", "--sourcepos", "-t", "xml"])
            .arg(path)
            .output()
            .unwrap_or_else(|e| panic!("running cmark-gfm (Debian package cmark-gfm) failed: {e}"));
        assert!(out.status.success(), "cmark-gfm failed on {}", path.display());
        let xml = String::from_utf8_lossy(&out.stdout);
        let mut lines: Vec<u32> = xml
            .match_indices("<tasklist sourcepos=\"")
            .filter_map(|(i, m)| xml[i + m.len()..].split(':').next()?.parse().ok())
            .collect();
        lines.sort_unstable();
        lines
    }

    /// The checklist with every source line zeroed: what must survive a render → import round trip.
    pub fn without_lines(c: &Checklist) -> Checklist {
        fn items(v: &mut [Item]) {
            for i in v {
                i.line = 0;
                i.commands.iter_mut().for_each(|c| c.line = 0);
                i.probes.iter_mut().for_each(|p| p.line = 0);
                items(&mut i.children);
            }
        }
        let mut c = c.clone();
        for p in &mut c.phases {
            p.line = 0;
            for s in &mut p.sections {
                s.line = 0;
                s.commands.iter_mut().for_each(|c| c.line = 0);
                items(&mut s.items);
            }
        }
        c.signoffs.iter_mut().for_each(|s| s.line = 0);
        c.contacts.iter_mut().for_each(|k| k.line = 0);
        c
    }

    pub fn round_trip(c: &Checklist) -> Checklist {
        let md = render::checklist_to_markdown(c);
        import::parse("rendered.md", &md).unwrap_or_else(|e| panic!("rendered Markdown does not import: {e}\n{md}"))
    }
}

use support::*;

mod reference {
    //! Our task items against cmark-gfm's, line by line.
    use super::*;

    fn check(path: &Path) {
        let ours = task_lines(&load(path));
        let theirs = cmark_task_lines(path);
        assert_eq!(ours, theirs, "{}: task-item lines differ from cmark-gfm (items ∪ checkbox sign-offs)", path.display());
    }

    #[test]
    fn seeds_match_cmark_gfm() {
        seeds("import::reference::seeds_match_cmark_gfm").iter().for_each(|p| check(p));
    }

    #[test]
    fn fixtures_match_cmark_gfm() {
        fixtures().iter().for_each(|p| check(p));
    }

    /// `DIFF_DIR=/some/dir cargo test ... differential`: compare every file there (random documents from a
    /// generator) and list the ones that disagree. Does nothing without the variable.
    #[test]
    fn differential_from_env() {
        let Some(dir) = std::env::var_os("DIFF_DIR") else { return };
        let mut bad = Vec::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir).expect("DIFF_DIR").flatten().map(|e| e.path()).collect();
        files.sort();
        for p in &files {
            let Ok(src) = std::fs::read_to_string(p) else { continue };
            let ours = match import::parse("d.md", &src) {
                Ok(c) => task_lines(&c),
                Err(e) => { bad.push(format!("{}: error {e}", p.display())); continue }
            };
            let theirs = cmark_task_lines(p);
            if ours != theirs && std::env::var_os("DIFF_SKIP_CMARK").is_none() {
                bad.push(format!("{}: ours {ours:?} cmark {theirs:?}", p.display()));
            }
            if let Ok(c) = import::parse("d.md", &src) {
                let md = render::checklist_to_markdown(&c);
                match import::parse("r.md", &md) {
                    Ok(back) if without_lines(&back) == without_lines(&c) => {}
                    Ok(back) => {
                        let a = serde_json::to_string_pretty(&without_lines(&c)).unwrap_or_default();
                        let b = serde_json::to_string_pretty(&without_lines(&back)).unwrap_or_default();
                        let first = a.lines().zip(b.lines()).find(|(x, y)| x != y).map(|(x, y)| format!("{x} ≠ {y}"));
                        bad.push(format!("{}: render → import differs: {first:?}", p.display()))
                    }
                    Err(e) => bad.push(format!("{}: rendered does not import: {e}", p.display())),
                }
            }
        }
        assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), files.len(), bad.join("\n"));
    }

    /// A small deterministic generator of list/heading/fence/table soup (odd indents, tabs, CRLF, boxes with
    /// and without trailing text): 400 documents compared with cmark-gfm. Block quotes are left out on purpose:
    /// cmark-gfm marks the enclosing list item as a task when a quote inside it starts with `[ ]`, a quirk we do
    /// not copy (the importer never treats anything in a block quote as a task).
    #[test]
    fn random_documents_match_cmark_gfm() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        const MARKERS: [&str; 9] = ["- ", "* ", "+ ", "1. ", "2) ", "10. ", "-  ", "-\t", "- "];
        const BOXES: [&str; 10] = ["[ ] ", "[x] ", "[X] ", "[ ]", "[x]\t", "[ ]  ", "[]", "[ x] ", "[-] ", "[ ]\t"];
        const TEXTS: [&str; 8] = ["foo", "**bold** item", "`curl x -v`", "Lead: ____", "", "<b>x</b>", "a\\", "[link](x)"];
        const BLOCKS: [&str; 12] = ["## H", "### H", "# T", "---", "===", "<!--", "-->", "<div>", "</div>", "| a | b |", "|---|---|", "```"];
        let dir = std::env::temp_dir().join(format!("runsheet-import-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut bad = Vec::new();
        let mut tasks = 0;
        for n in 0..400 {
            let mut lines = Vec::new();
            let mut indent: i32 = 0;
            for _ in 0..1 + next(25) {
                indent = (indent + [-2, 0, 0, 2, 3, 4, -4, 1][next(8)]).clamp(0, 12);
                let ind = " ".repeat(indent as usize);
                let line = match next(20) {
                    0..=8 => format!("{ind}{}{}{}", MARKERS[next(9)], BOXES[next(10)], TEXTS[next(8)]),
                    9 => format!("{ind}{}", ["```", "~~~", "```bash", "````"][next(4)]),
                    10 => String::new(),
                    11 => format!("{ind}{}q", BOXES[next(10)]),
                    12..=13 => BLOCKS[next(12)].to_string(),
                    14 => format!("{ind}\t{}t", BOXES[next(10)]),
                    15..=16 => format!("{ind}text {}", TEXTS[next(8)]),
                    _ => format!("{ind}{}{}", MARKERS[next(9)], TEXTS[next(8)]),
                };
                lines.push(line);
            }
            let sep = ["\n", "\n", "\r\n"][next(3)];
            let doc = lines.join(sep) + ["", sep][next(2)];
            let path = dir.join(format!("d{n:03}.md"));
            std::fs::write(&path, &doc).expect("write");
            let theirs = cmark_task_lines(&path);
            tasks += theirs.len();
            match import::parse("d.md", &doc) {
                Ok(c) if task_lines(&c) == theirs => {}
                Ok(c) => bad.push(format!("{doc:?}: ours {:?} cmark {:?}", task_lines(&c), cmark_task_lines(&path))),
                Err(e) => bad.push(format!("{doc:?}: {e}")),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(tasks > 500, "the generator must produce plenty of task items ({tasks})");
        assert!(bad.is_empty(), "{} of 400 random documents differ from cmark-gfm:\n{}", bad.len(), bad.join("\n"));
    }

    /// Debugging aid: `INSPECT=file.md cargo test ... inspect_from_env -- --nocapture` prints the checklist JSON.
    #[test]
    fn inspect_from_env() {
        let Some(path) = std::env::var_os("INSPECT") else { return };
        let c = load(Path::new(&path));
        if std::env::var_os("INSPECT_RENDER").is_some() {
            println!("{}", render::checklist_to_markdown(&c));
        } else {
            println!("{}", serde_json::to_string_pretty(&c).expect("serialises"));
        }
    }

    #[test]
    fn templates_match_cmark_gfm() {
        templates().iter().for_each(|p| check(p));
    }
}

mod snapshots {
    //! The `inspect --json` shape of every fixture, kept beside it as `NAME.json`.
    use super::*;

    #[test]
    fn fixtures_match_snapshots() {
        let update = std::env::var_os("UPDATE_EXPECT").is_some();
        let mut failures = Vec::new();
        for path in fixtures() {
            let json = serde_json::to_string_pretty(&load(&path)).expect("checklists serialise") + "\n";
            let snap = path.with_extension("json");
            if update {
                std::fs::write(&snap, &json).expect("writing snapshot");
                continue;
            }
            let want = std::fs::read_to_string(&snap).unwrap_or_default();
            if want != json {
                failures.push(format!("{} (run with UPDATE_EXPECT=1 to see the diff in git)", snap.display()));
            }
        }
        assert!(failures.is_empty(), "snapshots differ:\n{}", failures.join("\n"));
    }
}

mod seeds {
    use super::*;

    #[test]
    fn seeds_import_with_structure() {
        for path in seeds("import::seeds::seeds_import_with_structure") {
            let c = load(&path);
            assert!(!c.title.is_empty(), "{}: a title", path.display());
            assert!(c.items().len() >= 50, "{}: real seeds have many items", path.display());
            assert!(!c.signoffs.is_empty(), "{}: every seed has sign-off lines", path.display());
            let mut ids: Vec<&str> = c.items().iter().map(|(_, _, i)| i.id.as_str()).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{}: item ids are unique", path.display());
        }
    }

    #[test]
    fn commerce_seed_details() {
        let Some(seeds) = seed_files("import::seeds::commerce_seed_details") else { return };
        let path = seeds.into_iter().find(|p| p.ends_with("commerce-ux-deployment.md")).expect("commerce seed");
        let c = load(&path);
        let steps = c.phases.iter().find(|p| p.title == "Deployment Steps").expect("phase");
        let first = &steps.sections[0];
        assert_eq!(first.title, "1. Pre-Deployment Verification");
        assert_eq!(first.timing.as_ref().and_then(|t| t.offset_minutes), Some(-60));
        assert_eq!(first.commands[0].label.as_deref(), Some("Commands"), "block after **Commands**: is labelled");
        assert!(first.commands[0].text.contains("redis-cli ping"));
        let roles: Vec<&str> = c.signoffs.iter().map(|s| s.role.as_str()).collect();
        assert_eq!(roles, ["Engineering Lead", "Product Manager", "DevOps Lead", "Engineer", "Engineer", "QA"]);
        assert!(c.signoffs.iter().all(|s| !s.checkbox), "plain bullets under bold labels");
        // The deployment log template inside a ```markdown block has `- [ ]` lines that are not tasks.
        assert!(c.items().iter().all(|(_, _, i)| i.text != "All checklist items completed"));
        assert!(c.phases.iter().find(|p| p.title == "Rollback Plan").is_some_and(|p| p.rollback));
    }

    #[test]
    fn assistant_seed_details() {
        let Some(seeds) = seed_files("import::seeds::assistant_seed_details") else { return };
        let path = seeds.into_iter().find(|p| p.ends_with("ai-assistant-production.md")).expect("seed");
        let c = load(&path);
        let health = c.items().into_iter().map(|(_, _, i)| i).find(|i| i.text.starts_with("Health check passes")).expect("item");
        assert_eq!(health.commands[0].text, "curl http://localhost:8001/health");
        let env = c.items().into_iter().map(|(_, _, i)| i).find(|i| i.text.contains(".env.production")).expect("item");
        assert!(env.commands.is_empty(), "a file name in backticks is not a command");
        let roles: Vec<(&str, bool)> = c.signoffs.iter().map(|s| (s.role.as_str(), s.checkbox)).collect();
        assert_eq!(roles[0], ("Technical Lead", true));
        assert_eq!(roles.len(), 6);
    }
}

mod fixtures {
    use super::*;

    fn fixture(name: &str) -> Checklist {
        load(&manifest().join("../../tests/fixtures/import").join(name))
    }

    fn texts(c: &Checklist) -> Vec<String> {
        c.items().iter().map(|(_, _, i)| i.text.clone()).collect()
    }

    #[test]
    fn headings_strip_emoji_and_trailing_hashes() {
        let c = fixture("headings.md");
        assert_eq!(c.title, "Release Checklist");
        let titles: Vec<&str> = c.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Phase with setext underline", "Preparation"]);
        assert_eq!(c.phases[1].sections[0].title, "Configuration");
        assert_eq!(c.phases[1].sections[1].level, 4);
    }

    #[test]
    fn markers_and_boxes() {
        let c = fixture("markers.md");
        let got: Vec<(String, bool)> = c.items().iter().map(|(_, _, i)| (i.text.clone(), i.checked)).collect();
        assert_eq!(got.len(), 9, "{got:?}");
        assert_eq!(got[3], ("Star checked with capital X".into(), true));
        assert_eq!(got[8], ("".into(), false), "`- [ ] ` with nothing after is a task");
    }

    #[test]
    fn nesting_and_plain_parents() {
        let c = fixture("nesting.md");
        let s = &c.phases[0].sections[0];
        let mut depth = 0;
        let mut it = &s.items[0];
        while let Some(child) = it.children.first() {
            it = child;
            depth += 1;
        }
        assert_eq!(depth, 4);
        let tops: Vec<&str> = s.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(tops, ["Level 1", "Task under a plain bullet goes to the section", "Task under a numbered step"]);
        assert_eq!(s.items[1].children.len(), 1);
    }

    #[test]
    fn loose_items_take_their_first_paragraph() {
        assert_eq!(
            texts(&fixture("loose.md")),
            [
                "First item",
                "Second item, after a blank line",
                "Third item continues on a lazy line",
                "Fourth item after two blank lines",
                "Restart the proxy"
            ]
        );
        let c = fixture("loose.md");
        let restart = c.items()[4].2;
        assert_eq!(restart.commands[0].text, "systemctl restart nginx", "a later paragraph's command belongs to the item");
    }

    #[test]
    fn inline_markup_is_flattened() {
        let t = texts(&fixture("inline.md"));
        assert_eq!(t[0], "Bold start and emphasis and strong and strike");
        assert_eq!(t[1], "A link to docs and an image alt text");
        assert_eq!(t[2], "Escaped *stars* and a literal [x]");
        assert_eq!(t[3], "HTML is dropped, entities & stay");
        assert_eq!(t[4], "Hard break");
    }

    #[test]
    fn crlf_txt_file() {
        let c = fixture("crlf.txt");
        assert_eq!(texts(&c), ["First", "Nested", "Last"]);
        assert_eq!(c.phases[0].sections[0].commands[0].text, "echo hi", "no carriage returns left in commands");
    }

    #[test]
    fn commands_versus_names() {
        let c = fixture("commands-inline.md");
        let cmds: Vec<Vec<String>> =
            c.items().iter().map(|(_, _, i)| i.commands.iter().map(|c| c.text.clone()).collect()).collect();
        assert_eq!(cmds[0], ["curl -fsS http://localhost:8001/health"]);
        assert_eq!(cmds[1], ["./scripts/validate_config.sh"]);
        assert_eq!(cmds[2], ["redis-cli ping"]);
        assert_eq!(cmds[4].len(), 2);
        for (i, names) in cmds.iter().enumerate().skip(6) {
            assert!(names.is_empty(), "item {i}: names are not commands: {names:?}");
        }
    }

    #[test]
    fn fenced_blocks_under_items_and_in_sections() {
        let c = fixture("commands-fenced.md");
        let backup = &c.phases[0].sections[0];
        assert_eq!(backup.items[0].commands[0].lang.as_deref(), Some("bash"));
        assert_eq!(backup.items[0].commands[0].text, "pg_dump -h 127.0.0.1 -U app app > backup.sql");
        assert_eq!(backup.items[1].commands[0].lang, None);
        assert_eq!(backup.commands.len(), 2);
        assert_eq!(backup.commands[0].label.as_deref(), Some("Commands"));
        assert_eq!(backup.commands[1].label, None, "prose between label and block breaks the link");
        let notes = &c.phases[0].sections[1];
        assert_eq!(notes.commands.len(), 2, "tilde fence and indented block");
    }

    #[test]
    fn probe_blocks_are_parsed() {
        let c = fixture("probes.md");
        let items: Vec<&Item> = c.items().into_iter().map(|(_, _, i)| i).collect();
        assert_eq!(items[0].probes.len(), 1);
        assert!(items[0].probes[0].source.starts_with("kind = \"http\"\n"));
        assert_eq!(items[0].probes[0].line, 6);
        assert_eq!(items[1].probes.len(), 1);
        assert_eq!(items[1].commands.len(), 1, "a bash block beside a probe block is a command");
    }

    #[test]
    fn signoff_styles() {
        let c = fixture("signoffs.md");
        let got: Vec<(&str, bool)> = c.signoffs.iter().map(|s| (s.role.as_str(), s.checkbox)).collect();
        assert_eq!(
            got,
            [
                ("Technical Lead", true),
                ("Deployment Successful", true),
                ("Engineering Lead", false),
                ("Product Manager", false),
                ("Deployed By", false),
                ("Release Manager", false),
                ("QA Lead", true),
                ("Change Manager", false),
                ("Change Manager", false),
                ("Security Officer", false),
            ]
        );
        assert_eq!(
            texts(&c),
            ["Deploy the release", "Approvals collected", "Backup location: ________ (a blank that is not a role stays an item)"]
        );
    }

    #[test]
    fn non_tasks() {
        let c = fixture("non-tasks.md");
        assert_eq!(texts(&c), ["The only real task at the top level"]);
    }

    #[test]
    fn rollback_flags() {
        let c = fixture("rollback.md");
        let flags: Vec<(bool, Vec<bool>)> =
            c.phases.iter().map(|p| (p.rollback, p.sections.iter().map(|s| s.rollback).collect())).collect();
        assert_eq!(flags, [(false, vec![false]), (true, vec![true, true]), (false, vec![true])]);
    }

    #[test]
    fn implicit_phase_and_untitled_section() {
        let c = fixture("implicit.md");
        assert_eq!(c.title, "Title comes later");
        assert_eq!(c.phases[0].title, "");
        assert_eq!(c.phases[0].line, 0);
        assert_eq!(c.phases[0].sections[0].items.len(), 2);
        assert_eq!(c.phases[1].sections[0].title, "");
        assert_eq!(c.phases[1].sections[0].level, 0);
        assert_eq!(c.phases[1].sections[1].title, "Section");
    }

    #[test]
    fn duplicate_texts_get_distinct_stable_ids() {
        let c = fixture("duplicates.md");
        let ids: Vec<String> = c.items().iter().map(|(_, _, i)| i.id.clone()).collect();
        let mut uniq = ids.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), ids.len(), "{ids:?}");
        assert!(ids.iter().all(|id| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit())));
        // Editing an unrelated item keeps the others' ids; punctuation does not matter.
        let src = std::fs::read_to_string(manifest().join("../../tests/fixtures/import/duplicates.md")).expect("fixture");
        let edited = import::parse("d.md", &src.replace("- [ ] Deploy", "- [ ] Deploy!")).expect("imports");
        let ids2: Vec<String> = edited.items().iter().map(|(_, _, i)| i.id.clone()).collect();
        assert_eq!(ids, ids2);
        let reworded = import::parse("d.md", &src.replace("- [ ] Deploy", "- [ ] Ship")).expect("imports");
        let ids3: Vec<String> = reworded.items().iter().map(|(_, _, i)| i.id.clone()).collect();
        assert_eq!(ids[..2], ids3[..2]);
        assert_ne!(ids[2], ids3[2]);
    }

    #[test]
    fn front_matter_is_metadata() {
        let c = fixture("front-matter.md");
        assert_eq!(c.metadata["version"], "2.4.1");
        assert_eq!(c.metadata["owners"], serde_json::json!(["alice", "bob"]));
        assert_eq!(c.metadata["change_window"]["minutes"], 90);
        assert_eq!(c.title, "Payments API production deploy");
        let t = fixture("front-matter-toml.md");
        assert_eq!(t.title, "TOML front matter");
        assert_eq!(t.items()[0].2.line, 6);
    }

    /// The constructs the real-world seeds exercise, in another team's dialect (`*`/`+`/`1)` markers, `~~~`
    /// fences, `* * *` breaks): what `seeds::commerce_seed_details` and `seeds::assistant_seed_details` check on
    /// the seeds, checked here without them.
    #[test]
    fn runbook_constructs() {
        let c = fixture("runbook.md");
        assert_eq!(c.title, "Billing service cutover");
        let phases: Vec<&str> = c.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(phases, ["Contents", "Preparation", "Cutover", "Rollback plan", "Notes", "Approvals"]);
        assert!(c.phases[0].sections.iter().all(|s| s.items.is_empty()), "a numbered table of contents is not tasks");

        // Numbered section headings keep their number; the timing hint leaves the title for the timeline.
        let freeze = &c.phases[1].sections[0];
        assert_eq!(freeze.title, "1. Freeze changes");
        assert_eq!(freeze.timing.as_ref().and_then(|t| t.offset_minutes), Some(-120));
        assert_eq!(freeze.commands[0].label.as_deref(), Some("Freeze Commands"), "a `~~~` block after a bold label");
        assert!(freeze.commands[0].text.contains("./ops/freeze.sh"), "`#` lines in a fence are not headings");
        let offsets: Vec<(&str, Option<i64>, Option<i64>)> = c.phases[1..3]
            .iter()
            .flat_map(|p| p.sections.iter())
            .filter_map(|s| s.timing.as_ref().map(|t| (t.label.as_str(), t.offset_minutes, t.end_offset_minutes)))
            .collect();
        assert_eq!(
            offsets,
            [
                ("T-2 hours", Some(-120), None),
                ("T-45 minutes", Some(-45), None),
                ("T-1 minute", Some(-1), None),
                ("T+10 minutes", Some(10), None),
                ("Week 1", Some(0), Some(7 * 24 * 60)),
                ("T+1 week", Some(7 * 24 * 60), None),
            ]
        );

        // Tasks: `*`, `+` (loose), `1)` under a `**Checklist**:` label, `-` right under a heading; `[X]` is done.
        let items: Vec<&Item> = c.items().into_iter().map(|(_, _, i)| i).collect();
        assert_eq!(items.len(), 13, "{:?}", texts(&c));
        assert!(items[1].checked && items[1].text == "Release tag `v3.2.0` cut");
        assert!(items[1].commands.is_empty(), "a version tag in backticks is not a command");
        assert_eq!(items[2].commands[0].text, "rabbitmqctl list_queues name messages");
        assert_eq!(c.phases[2].sections[0].items.len(), 3, "ordered `1)` tasks after a bold label are tasks");
        assert_eq!(items[7].text, "p95 latency acceptable (<300ms) and cost under $0.05 per request", "`<300ms` is text, not HTML");
        assert_eq!(items[8].commands[0].text, "curl -fsS http://127.0.0.1:9000/status");
        assert!(items[9].commands.is_empty() && items[10].commands.is_empty(), "an env var and a file name are not commands");

        // Not tasks: numbered metrics with bold heads and nested bullets, criteria bullets, rollback steps, and the
        // `- [ ]` lines and sign-off lines of a ```markdown template.
        assert!(c.phases[2].sections.iter().find(|s| s.title == "Metrics to watch").is_some_and(|s| s.items.is_empty()));
        let rollback = &c.phases[3];
        assert!(rollback.rollback && rollback.sections.iter().all(|s| s.rollback && s.items.is_empty()));
        assert_eq!(rollback.sections[1].level, 4);
        assert_eq!(rollback.sections[1].commands[0].lang.as_deref(), Some("markdown"));

        // Sign-offs: boxed `Role: ____` with and without a date (a role may repeat in another section), a plain
        // `+` bullet under a bold label, a bold `**Role**:` line; not the `Date:` lines of a plain fence, not a
        // contact line, not `**Review Date**:`.
        let roles: Vec<(&str, bool)> = c.signoffs.iter().map(|s| (s.role.as_str(), s.checkbox)).collect();
        assert_eq!(
            roles,
            [
                ("Billing Lead", true),
                ("SRE Lead", true),
                ("Billing Lead", true),
                ("Finance Controller", true),
                ("On-call Engineer", false),
                ("Owner", false),
            ]
        );
        let ids: std::collections::BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), items.len(), "item ids are unique");
    }

    #[test]
    fn several_h1_without_h2_are_phases() {
        let c = fixture("h1-phases.md");
        assert_eq!(c.title, "h1-phases");
        let titles: Vec<&str> = c.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Preparation", "Execution"]);
        assert_eq!(c.phases[0].sections[1].title, "Detail of preparation");
    }
}

mod errors {
    use super::*;

    #[test]
    fn invalid_probe_names_line_and_field() {
        let src = "# T\n\n- [ ] Health\n  ```probe\n  url = \"http://localhost\"\n  ```\n";
        match import::parse("p.md", src) {
            Err(ImportError::Probe { line, field, .. }) => {
                assert_eq!(line, 4);
                assert_eq!(field.as_deref(), Some("kind"));
            }
            other => panic!("expected a probe error, got {other:?}"),
        }
        let bad_toml = "- [ ] x\n  ```probe\n  kind = \n  ```\n";
        let e = import::parse("p.md", bad_toml).expect_err("invalid TOML");
        assert_eq!(e.line(), 2);
        assert!(e.to_string().starts_with("p.md: line 2: probe block"), "{e}");
    }

    #[test]
    fn stray_probe_block_attaches_to_previous_item_or_errors() {
        let src = "- [ ] Health\n```probe\nkind = \"tcp\"\naddress = \"127.0.0.1:1\"\n```\n";
        let c = import::parse("p.md", src).expect("imports");
        assert_eq!(c.items()[0].2.probes.len(), 1);
        let e = import::parse("p.md", "## P\n\n```probe\nkind = \"tcp\"\n```\n").expect_err("no item");
        assert_eq!(e.line(), 3);
    }

    #[test]
    fn invalid_front_matter() {
        let e = import::parse("f.md", "---\nkey: [unclosed\n---\n- [ ] x\n").expect_err("bad yaml");
        assert!(matches!(e, ImportError::FrontMatter { .. }), "{e}");
        let e = import::parse("f.md", "---\ntitle: x\n- a\n---\n").expect_err("not a mapping");
        assert!(e.to_string().starts_with("f.md: line 3: front matter: not valid YAML"), "{e}");
        // A leading `---` block with no `key: value` line is not front matter: read as cmark-gfm reads it.
        let c = import::parse("f.md", "---\n- [ ] a\n---\n").expect("thematic break, then a task");
        assert!(c.metadata.is_empty());
        assert_eq!(c.items().len(), 1);
    }
}

mod bad_input {
    //! Hostile input: a clear error or a sane result, never a panic (and never a stack overflow).
    use super::*;

    #[test]
    fn empty_and_blank() {
        for src in ["", "\n", "   \n\t\n", "\u{feff}"] {
            let c = import::parse("empty.md", src).expect("empty input is an empty checklist");
            assert!(c.items().is_empty() && c.signoffs.is_empty());
            assert_eq!(c.title, "empty");
        }
        assert!(import::parse_bytes("empty.md", b"").is_ok());
    }

    #[test]
    fn binary_is_refused() {
        let e = import::parse_bytes("x.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect_err("binary");
        assert!(e.to_string().starts_with("x.png: not a text file"), "{e}");
        let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 1).collect();
        assert!(import::parse_bytes("noise.bin", &noise).is_err(), "control-character noise is not text");
        // A NUL inside a &str is the caller's decision: parse() still works.
        assert!(import::parse("nul.md", "- [ ] a\0b\n").is_ok());
    }

    #[test]
    fn latin1_and_utf16_and_bom() {
        let latin1 = b"# Caf\xe9 d\xe9ploiement\n\n- [ ] V\xe9rifier \x93sant\xe9\x94\n";
        let c = import::parse_bytes("l.md", latin1).expect("latin-1 decodes");
        assert_eq!(c.title, "Café déploiement");
        assert_eq!(c.items()[0].2.text, "Vérifier “santé”");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("- [x] Unicode ✓\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(import::parse_bytes("u.md", &utf16).expect("utf-16").items()[0].2.text, "Unicode ✓");
        let bom = b"\xEF\xBB\xBF- [ ] first\n";
        assert_eq!(import::parse_bytes("b.md", bom).expect("bom").items()[0].2.line, 1);
    }

    #[test]
    fn twenty_megabytes() {
        let unit = "## Phase\n\n### Section\n\n- [ ] Check `curl -s http://localhost:1/x` works\n  - [x] nested **bold**\n\n```bash\necho hi\n```\n\n";
        let src = unit.repeat(20_000_000 / unit.len() + 1);
        assert!(src.len() >= 20_000_000);
        let t = std::time::Instant::now();
        let c = import::parse("big.md", &src).expect("20 MB imports");
        assert_eq!(c.items().len(), 2 * (20_000_000 / unit.len() + 1));
        eprintln!("20 MB import took {:?}", t.elapsed());
    }

    #[test]
    fn one_megabyte_line() {
        let long = "word ".repeat(200_000);
        let src = format!("# T\n\n- [ ] {long}\n{}\n", "x".repeat(1_000_000));
        let c = import::parse("line.md", &src).expect("imports");
        assert_eq!(c.items().len(), 1);
        let code = format!("- [ ] `{}`\n", "a".repeat(1_000_000));
        assert!(import::parse("code.md", &code).is_ok());
    }

    #[test]
    fn ten_thousand_deep_nesting() {
        // Non-task containers: nested lists on one line, block quotes, indentation.
        let lists = format!("{}[ ] deep\n", "- ".repeat(10_000));
        let c = import::parse("lists.md", &lists).expect("deep plain lists are fine");
        assert_eq!(c.items().len(), 1, "only the innermost item is a task");
        let quotes = format!("{}- [ ] quoted\n", "> ".repeat(10_000));
        assert_eq!(import::parse("quotes.md", &quotes).expect("deep quotes").items().len(), 0, "quoted markers are no tasks");
        // Task items nested 10,000 deep (each on its own line): a clear error naming the line.
        let mut tasks = String::new();
        for d in 0..10_000usize {
            tasks.push_str(&" ".repeat(2 * d));
            tasks.push_str("- [ ] t\n");
        }
        match import::parse("tasks.md", &tasks) {
            Err(ImportError::TooDeep { line, max, .. }) => assert_eq!(line as usize, max + 1),
            other => panic!("expected TooDeep, got {:?}", other.map(|c| c.items().len())),
        }
        // Up to the limit it works, and the result renders and re-imports.
        let mut ok = String::new();
        for d in 0..import::MAX_ITEM_DEPTH {
            ok.push_str(&" ".repeat(2 * d));
            ok.push_str("- [ ] t\n");
        }
        let c = import::parse("ok.md", &ok).expect("at the limit");
        assert_eq!(c.items().len(), import::MAX_ITEM_DEPTH);
        assert_eq!(without_lines(&round_trip(&c)), without_lines(&c));
    }

    #[test]
    fn pathological_emphasis_and_brackets() {
        for src in ["*".repeat(100_000), "[".repeat(100_000), "- [ ] ".to_string() + &"*a ".repeat(50_000), "`".repeat(100_000)] {
            assert!(import::parse("p.md", &src).is_ok());
        }
    }
}

mod round_trips {
    //! render → import gives the same checklist (modulo source lines).
    use super::*;

    fn check(c: &Checklist, what: &str) {
        let back = round_trip(c);
        assert_eq!(without_lines(&back), without_lines(c), "{what}: render → import changed the checklist");
        // And the rendered file renders to itself.
        assert_eq!(render::checklist_to_markdown(&back), render::checklist_to_markdown(c), "{what}: not a fixpoint");
    }

    #[test]
    fn seeds_fixtures_templates() {
        for p in seeds("import::round_trips::seeds_fixtures_templates").iter().chain(fixtures().iter()).chain(templates().iter()) {
            check(&load(p), &p.display().to_string());
        }
    }

    /// Regression (fuzz, roundtrip target): the checklist title has no timing; a `(T-1 hour)` in it stays text.
    #[test]
    fn title_keeps_parentheses() {
        let c = import::parse("t.md", "# Timing (T-1 hour) demo\n\n### Go (T+14 minutes)\n\n- [ ] x\n").expect("imports");
        assert_eq!(c.title, "Timing (T-1 hour) demo");
        check(&c, "title with a timing-like parenthesis");
    }

    #[test]
    fn odd_labels_and_info_strings() {
        let src = "## P\n\n**:**\n```bash\nx\n```\n\n~~~a`b\n```\n~~~\n\n- [ ] i\n  ~~~~x`y\n  ~~~\n  ~~~~\n";
        let c = import::parse("o.md", src).expect("imports");
        assert_eq!(c.phases[0].sections[0].commands[0].label, None, "an empty bold label is no label");
        assert_eq!(c.phases[0].sections[0].commands[1].lang.as_deref(), Some("a`b"));
        check(&c, "labels and info strings");
    }

    /// Regression (fuzz, roundtrip target): the `**Sign-off**:` label written before a phase's sign-offs must
    /// not turn the items after them into sign-offs.
    #[test]
    fn label_context_ends_after_its_block() {
        let src = "## P\n\n**Approvals**:\n* Deployment Successful: ____\n\n- [ ] Deployment Verified: ____\n";
        let c = import::parse("l.md", src).expect("imports");
        assert_eq!(c.signoffs.len(), 1);
        assert_eq!(c.items()[0].2.text, "Deployment Verified: ____");
        check(&c, "label context");
    }

    /// Regression (fuzz, roundtrip target): code spans keep their inner whitespace in the item text, so the
    /// text and its inline command agree.
    #[test]
    fn code_spans_keep_their_spaces() {
        let c = import::parse("c.md", "- [ ] Run   `curl  -v   x`  now\n").expect("imports");
        assert_eq!(c.items()[0].2.text, "Run `curl  -v   x` now");
        assert_eq!(c.items()[0].2.commands[0].text, "curl  -v   x");
        check(&c, "code span spaces");
    }

    /// Regression (fuzz, roundtrip target): a literal backtick in text stays escaped (`\``), so rendering never
    /// turns it into the start of a code span.
    #[test]
    fn literal_backticks_stay_literal() {
        let c = import::parse("b.md", "- [ ] a \\` then `free -m` and \\\\`x` and C:\\deploy\\\\y\n").expect("imports");
        let item = c.items()[0].2;
        assert_eq!(item.text, "a \\` then `free -m` and \\\\`x` and C:\\deploy\\y");
        assert_eq!(item.commands.len(), 1);
        check(&c, "literal backticks");
    }

    /// Regression (fuzz, roundtrip target): a front matter title is normalised like a heading.
    #[test]
    fn front_matter_title_is_normalised() {
        let c = import::parse("t.md", "---\ntitle: \"Payme    nts 🚀 API\"\n---\n- [ ] x\n").expect("imports");
        assert_eq!(c.title, "Payme nts API");
        check(&c, "front matter title");
        let c = import::parse("t.md", "+++\ntitle = \"a`b\"\n+++\n- [ ] x\n").expect("imports");
        assert_eq!(c.title, "a\\`b", "a literal backtick is escaped like in any inline text");
        check(&c, "front matter title with a backtick");
    }

    #[test]
    fn rendered_shape() {
        let src = "---\nversion: 1.2.3\n---\n# Deploy\n\n## Prepare (T-1 hour)\n\n### Backup\n\n- [x] Backup `pg_dump -h 127.0.0.1 app`\n  ```probe\n  kind = \"tcp\"\n  address = \"127.0.0.1:5432\"\n  ```\n  - [ ] Copy *offsite*\n\n**Commands**:\n```bash\n./backup.sh\n```\n\n## Sign-off\n\n- [ ] QA Lead: ____\n";
        let c = import::parse("r.md", src).expect("imports");
        let md = render::render_with(&c, &|i| ItemAnnotation {
            checked: None,
            lines: if i.checked { vec!["done by alice at 2026-11-23 18:00 UTC".into()] } else { vec![] },
        });
        expect_test::expect![[r#"
            ---
            version: 1.2.3
            ---

            # Deploy

            ## Prepare (T-1 hour)

            ### Backup

            - [x] Backup `pg_dump -h 127.0.0.1 app`
              > done by alice at 2026-11-23 18:00 UTC

              ```probe
              kind = "tcp"
              address = "127.0.0.1:5432"
              ```

              - [ ] Copy offsite

            **Commands**:
            ```bash
            ./backup.sh
            ```

            ## Sign-off

            **Sign-off**:

            * [ ] QA Lead: ________________ Date: __________

        "#]]
        .assert_eq(&(md + "\n"));
    }

    /// Annotated exports (done by, notes with Markdown in them) re-import to the same checklist, every item
    /// checked: on the runbook fixture, and on every seed when present.
    #[test]
    fn annotations_do_not_change_items() {
        let runbook = fixture_path("runbook.md");
        let md = annotated(&load(&runbook));
        assert!(md.contains("- [x] Status page answers: `curl -fsS http://127.0.0.1:9000/status`\n  > done by alice"), "{md}");
        for p in std::iter::once(runbook).chain(seeds("import::round_trips::annotations_do_not_change_items")) {
            let c = load(&p);
            let back = import::parse("export.md", &annotated(&c)).expect("export imports");
            let mut expect = without_lines(&c);
            fn check_all(v: &mut [Item]) {
                for i in v {
                    i.checked = true;
                    check_all(&mut i.children);
                }
            }
            expect.phases.iter_mut().flat_map(|p| p.sections.iter_mut()).for_each(|s| check_all(&mut s.items));
            assert_eq!(without_lines(&back), expect, "{}: annotations never turn into items, commands or sign-offs", p.display());
        }
    }

    fn annotated(c: &Checklist) -> String {
        render::render_with(c, &|item| ItemAnnotation {
            checked: Some(true),
            lines: vec![
                format!("done by alice at 2026-11-23 18:04 UTC ({})", item.id),
                "note: `curl` said *OK*; - [ ] not a task; QA Lead: ______".into(),
                "    indented".into(),
            ],
        })
    }
}

mod templates {
    use super::*;

    #[test]
    fn every_template_imports_with_the_expected_parts() {
        let files = templates();
        assert!(files.len() >= 5, "at least five templates in checklists/");
        for p in files {
            let c = load(&p);
            let what = p.display();
            assert!(!c.metadata.is_empty(), "{what}: front matter");
            assert!(c.phases.len() >= 3, "{what}: phases");
            assert!(c.phases.iter().flat_map(|p| p.sections.iter()).any(|s| s.timing.is_some()) || c.phases.iter().any(|p| p.timing.is_some()), "{what}: timing hints");
            assert!(c.items().iter().any(|(_, _, i)| !i.probes.is_empty()), "{what}: probe blocks");
            assert!(c.items().iter().any(|(_, _, i)| !i.commands.is_empty()), "{what}: commands");
            assert!(c.signoffs.len() >= 2, "{what}: sign-off lines");
            for (_, _, i) in c.items() {
                for probe in &i.probes {
                    for bad in ["example.com", "http://10.", "https://prod"] {
                        assert!(!probe.source.contains(bad), "{what}: probes target loopback or secrets only");
                    }
                }
            }
        }
    }
}

mod properties {
    //! parse(render(x)) == x for generated checklists.
    use proptest::prelude::*;
    use runsheet_core::{Command, CommandKind, Phase, ProbeDecl, Section, SignoffLine, Timing};

    use super::*;

    fn words() -> impl Strategy<Value = String> {
        // Plain words with the characters Markdown cares about, plus the odd code span.
        let word = prop_oneof![
            "[A-Za-z][a-z]{0,8}",
            "[0-9]{1,3}",
            Just("*".to_string()),
            Just("_x_".to_string()),
            Just("[x]".to_string()),
            Just("#".to_string()),
            Just("<br>".to_string()),
            Just("&amp;".to_string()),
            Just("\\".to_string()),
            Just("~~".to_string()),
            Just("-".to_string()),
            Just("1.".to_string()),
            Just("é✓".to_string()),
            Just("`curl -s http://localhost:8001/health`".to_string()),
            Just("`requirements.txt`".to_string()),
        ];
        prop::collection::vec(word, 1..6).prop_map(|w| w.join(" "))
    }

    fn title() -> impl Strategy<Value = String> {
        prop::collection::vec("[A-Z][a-z]{1,8}", 1..4).prop_map(|w| w.join(" "))
    }

    fn command() -> impl Strategy<Value = Command> {
        (
            prop::collection::vec("[ -~]{0,30}", 1..4),
            prop::option::of(prop_oneof![Just("bash".to_string()), Just("sql".to_string())]),
            prop::option::of(title()),
        )
            .prop_map(|(lines, lang, label)| Command {
                text: lines.join("\n").trim_end().to_string(),
                kind: CommandKind::Block,
                lang,
                label,
                line: 0,
            })
    }

    fn probe() -> impl Strategy<Value = ProbeDecl> {
        (1u16..65535).prop_map(|port| {
            let source = format!("kind = \"port_free\"\nport = {port}\n");
            let spec = runsheet_core::probe::parse(&source).expect("valid probe");
            ProbeDecl { line: 0, source, spec }
        })
    }

    fn item() -> impl Strategy<Value = Item> {
        let leaf = (words(), any::<bool>(), prop::collection::vec(command(), 0..2), prop::collection::vec(probe(), 0..2))
            .prop_map(|(text, checked, commands, probes)| Item { id: String::new(), line: 0, text, checked, children: vec![], commands, probes });
        leaf.prop_recursive(4, 24, 3, |inner| {
            (words(), any::<bool>(), prop::collection::vec(inner, 0..3)).prop_map(|(text, checked, children)| Item {
                id: String::new(),
                line: 0,
                text,
                checked,
                children,
                commands: vec![],
                probes: vec![],
            })
        })
    }

    fn timing() -> impl Strategy<Value = Option<Timing>> {
        prop::option::of((1i64..48).prop_map(|h| Timing { label: format!("T-{h} hours"), offset_minutes: Some(-h * 60), end_offset_minutes: None }))
    }

    fn checklist() -> impl Strategy<Value = Checklist> {
        let section = (title(), 3u8..5, timing(), prop::collection::vec(item(), 0..4), prop::collection::vec(command(), 0..2))
            .prop_map(|(title, level, timing, items, commands)| Section { id: String::new(), title, line: 1, level, timing, rollback: false, items, commands });
        let phase = (title(), timing(), prop::collection::vec(section, 1..3))
            .prop_map(|(title, timing, sections)| Phase { id: String::new(), title, line: 1, timing, rollback: false, sections });
        (title(), prop::collection::vec(phase, 1..4), prop::collection::vec(("[A-Z][a-z]{2,8} Lead", any::<bool>()), 0..3), prop::option::of("[a-z]{1,8}"))
            .prop_map(|(title, phases, roles, version)| {
                let mut c = Checklist { title, metadata: Default::default(), phases, signoffs: vec![], contacts: vec![] };
                // Distinct ids, so sign-offs can name their phase and section.
                for (pi, p) in c.phases.iter_mut().enumerate() {
                    p.id = format!("p{pi}");
                    for (si, s) in p.sections.iter_mut().enumerate() {
                        s.id = format!("p{pi}s{si}");
                    }
                }
                if let Some(v) = version {
                    c.metadata.insert("version".into(), serde_json::Value::String(v));
                }
                // Sign-offs go in the last section of the last phase.
                let last = c.phases.last().expect("at least one phase");
                let (pid, sid) = (last.id.clone(), last.sections.last().map(|s| s.id.clone()));
                c.signoffs = roles.into_iter().map(|(role, checkbox)| SignoffLine { role, line: 0, checkbox, phase: Some(pid.clone()), section: sid.clone() }).collect();
                c
            })
    }

    /// What the generator controls: everything but ids, lines, derived flags and inline commands.
    fn essence(c: &Checklist) -> String {
        fn items(v: &[Item], d: usize, out: &mut String) {
            for i in v {
                let blocks: Vec<_> = i.commands.iter().filter(|c| c.kind == CommandKind::Block).map(|c| (&c.text, &c.lang, &c.label)).collect();
                let probes: Vec<_> = i.probes.iter().map(|p| &p.source).collect();
                out.push_str(&format!("{d} {:?} {} {blocks:?} {probes:?}\n", i.text, i.checked));
                items(&i.children, d + 1, out);
            }
        }
        let mut out = format!("{:?} {:?}\n", c.title, c.metadata);
        for p in &c.phases {
            out.push_str(&format!("P {:?} {:?}\n", p.title, p.timing));
            for s in &p.sections {
                let cmds: Vec<_> = s.commands.iter().map(|c| (&c.text, &c.lang, &c.label)).collect();
                out.push_str(&format!("S {:?} {} {:?} {cmds:?}\n", s.title, s.level, s.timing));
                items(&s.items, 0, &mut out);
            }
        }
        for s in &c.signoffs {
            out.push_str(&format!("O {:?} {}\n", s.role, s.checkbox));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parse_render_is_identity(generated in checklist()) {
            let md = render::checklist_to_markdown(&generated);
            let x = import::parse("gen.md", &md).map_err(|e| TestCaseError::fail(format!("{e}\n{md}")))?;
            prop_assert_eq!(essence(&x), essence(&generated), "render → import keeps the content\n{}", md);
            // And with ids and lines assigned, parse(render(x)) == x exactly.
            let md2 = render::checklist_to_markdown(&x);
            let y = import::parse("gen.md", &md2).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&y, &x);
            prop_assert_eq!(md2, md);
        }
    }
}

mod contacts {
    //! Contacts sections: placeholders to fill in, written values, and their way back through a Markdown export.
    use super::*;

    const MD: &str = "# Release\n\n## Deploy\n\n- [ ] Ship it\n- Not a contact: a plain list line outside a contacts section\n\n## Emergency Contacts\n\n### On-Call Engineers\n- Primary: [Name] - [Phone] - [Email]\n- **DBA on call**: Jane Doe, +1 555-0100, @jane\n- [ ] Emergency contact information updated\n\n```\n- Fenced: [Name]\n```\n\n### External Services\n- AWS Support: [Account ID] - [Support Plan]\n";

    #[test]
    fn contacts_sections_give_contacts_with_their_placeholders_and_survive_a_round_trip() {
        let c = import::parse("contacts.md", MD).expect("parse");
        let got: Vec<(&str, &str, Vec<&str>)> = c
            .contacts
            .iter()
            .map(|k| (k.role.as_str(), k.group.as_str(), k.missing().map(|f| f.label.as_str()).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Primary", "On-Call Engineers", vec!["Name", "Phone", "Email"]),
                ("DBA on call", "On-Call Engineers", vec![]),
                ("AWS Support", "External Services", vec!["Account ID", "Support Plan"]),
            ]
        );
        assert_eq!(c.contacts[1].line, 12);
        assert_eq!(c.items().len(), 2, "the task in the contacts section is still an item");
        let again = round_trip(&c);
        let strip = |c: &Checklist| -> Vec<Contact> {
            c.contacts.iter().cloned().map(|mut k| {
                k.line = 0;
                k
            }).collect()
        };
        assert_eq!(strip(&again), strip(&c), "{}", render::checklist_to_markdown(&c));
    }

    #[test]
    fn a_checklist_without_contacts_serialises_as_before() {
        let c = import::parse("plain.md", "# A\n\n## B\n\n- [ ] c\n").expect("parse");
        let json = serde_json::to_string(&c).expect("json");
        assert!(!json.contains("contacts"), "frozen checklists keep their hashes: {json}");
    }
}
