//! Where the real-world checklists live for tests, and the one decision about them: `../shared/seeds` (beside the
//! repository clone) or `$RUNSHEET_SEEDS` is required when `CI=true` and otherwise skipped, loudly, when absent.
//! The repository's own fixtures (`tests/fixtures/import/`) cover every construct those checklists exercise, so a
//! plain clone passes its tests; the seeds add breadth where they are present.
//!
//! Included with `#[path]` by the test files that read the seeds (runsheet-core's `import.rs` and
//! `suggest_seeds.rs`, runsheet-cli's `cmd.rs`): one copy of the rule instead of one per file. What it leaves out:
//! what the tests check on the files.

#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The seed checklists (`.md`, `.txt`, `.markdown`, sorted) for the test named `test`, or `None` when they are
/// absent and not required: then a `skipped:` line is written straight to stderr, past the test harness's output
/// capture, so a skip is never a silent pass. Panics, naming the folder, when they are absent and `CI=true`.
pub fn seed_files(test: &str) -> Option<Vec<PathBuf>> {
    let dir = seeds_dir();
    let files = checklist_files(&dir);
    if !files.is_empty() {
        return Some(files);
    }
    if ci_requires_seeds() {
        panic!(
            "{test}: no seed checklists at {} and CI=true requires them (put the shared/ folder beside the clone \
             or set RUNSHEET_SEEDS=DIR)",
            dir.display()
        );
    }
    // Written with `writeln!` on stderr rather than `eprintln!`: libtest captures the macros' output of a passing
    // test, and this line must show in every `cargo test` run.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: ../shared/seeds not found at {} (set CI=true to require them)",
        dir.display()
    );
    None
}

/// `$RUNSHEET_SEEDS`, or `shared/seeds` beside the clone (the including crate lives at `crates/NAME`).
fn seeds_dir() -> PathBuf {
    match std::env::var_os("RUNSHEET_SEEDS") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        // The including crate is `<clone>/crates/NAME`: its third ancestor is the folder holding the clone.
        _ => match Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3) {
            Some(beside) => beside.join("shared/seeds"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"),
        },
    }
}

/// `CI=true` (as GitHub Actions and GitLab set it; `1` is taken too).
fn ci_requires_seeds() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Markdown files of `dir` (the importer reads `.txt` as Markdown too), sorted; empty when `dir` is missing.
pub fn checklist_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "txt" | "markdown")))
        .collect();
    v.sort();
    v
}
