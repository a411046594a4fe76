//! The commands of `src/cmd/`, through the binary.

use crate::{Home, DEPLOY_MD};

fn run_json(h: &Home, run: &str) -> serde_json::Value {
    serde_json::from_str(&h.ok(&["run", "show", run, "--json"])).expect("run show --json is JSON")
}

/// Every item of a `run show --json` tree, depth first.
fn items(v: &serde_json::Value) -> Vec<serde_json::Value> {
    fn walk(items: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
        for it in items.as_array().into_iter().flatten() {
            out.push(it.clone());
            walk(&it["children"], out);
        }
    }
    let mut out = vec![];
    for p in v["phases"].as_array().into_iter().flatten() {
        for s in p["sections"].as_array().into_iter().flatten() {
            walk(&s["items"], &mut out);
        }
    }
    out
}

fn new_run(h: &Home) -> (String, Vec<serde_json::Value>) {
    let file = h.file("deploy.md", DEPLOY_MD);
    let run = h.ok(&["run", "new", file.to_str().expect("path"), "--title", "v1.2 to prod", "--version", "1.2", "--env", "prod"]);
    let run = run.trim().to_string();
    let its = items(&run_json(h, &run));
    (run, its)
}

mod inspect {
    use super::*;

    #[test]
    fn json_shape_matches_the_contract() {
        let h = Home::new();
        let f = h.file("deploy.md", DEPLOY_MD);
        let v: serde_json::Value =
            serde_json::from_str(&h.ok(&["inspect", f.to_str().expect("path"), "--json"])).expect("json");
        assert_eq!(v["title"], "Deploy web service");
        let item = &v["phases"][0]["sections"][0]["items"][1];
        for key in ["id", "line", "text", "checked", "children", "commands"] {
            assert!(item.get(key).is_some(), "ITEM has `{key}`: {item}");
        }
        assert_eq!(item["line"], 6, "1-based line of the list item");
        assert_eq!(item["children"][0]["text"], "Verify the backup restores");
        assert_eq!(v["signoffs"][0]["role"], "Technical Lead");
        assert_eq!(v["signoffs"][0]["checkbox"], true);
        assert!(!h.db().exists(), "inspect never touches the database");
    }

    #[test]
    fn text_tree_and_missing_file() {
        let h = Home::new();
        let f = h.file("deploy.md", DEPLOY_MD);
        let out = h.ok(&["inspect", f.to_str().expect("path")]);
        assert!(out.contains("Back up the database"), "{out}");
        let err = h.fails(&["inspect", "/nonexistent/x.md"], 1);
        assert!(err.starts_with("error: reading checklist /nonexistent/x.md"), "{err}");
    }

    #[test]
    fn every_template_and_seed_imports() {
        let h = Home::new();
        let root = crate::repo_root();
        let mut files: Vec<_> = std::fs::read_dir(root.join("checklists")).into_iter().flatten().flatten().map(|e| e.path()).collect();
        // The real-world seeds beside the clone: required with CI=true, otherwise skipped with a printed line.
        files.extend(crate::seed_support::seed_files("runsheet-cli::cmd::inspect::every_template_and_seed_imports").unwrap_or_default());
        for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
            h.ok(&["checklist", "import", f.to_str().expect("path")]);
        }
        let list: serde_json::Value = serde_json::from_str(&h.ok(&["checklist", "list", "--json"])).expect("json");
        assert!(list.as_array().map(Vec::len).unwrap_or(0) >= 5, "templates imported: {list}");
    }
}

mod checklist {
    use super::*;

    #[test]
    fn import_prints_id_and_list_shows_it() {
        let h = Home::new();
        let f = h.file("deploy.md", DEPLOY_MD);
        let id = h.ok(&["checklist", "import", f.to_str().expect("path")]).trim().to_string();
        assert_eq!(id.len(), 36, "prints a UUID: {id}");
        let list: serde_json::Value = serde_json::from_str(&h.ok(&["checklist", "list", "--json"])).expect("json");
        assert_eq!(list[0]["id"], id.as_str());
        assert_eq!(list[0]["items"], 5);
        assert!(h.ok(&["checklist", "list"]).contains("Deploy web service"));
    }

    #[test]
    fn binary_file_is_a_clear_error() {
        let h = Home::new();
        let p = h.path().join("bin.md");
        std::fs::write(&p, [0xff, 0xfe, 0x00, 0x01, 0x80]).expect("write");
        let err = h.fails(&["checklist", "import", p.to_str().expect("path")], 1);
        assert!(err.contains("bin.md"), "{err}");
    }
}

mod run {
    use super::*;

    #[test]
    fn new_set_show_list_flow() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        assert_eq!(its.len(), 5);
        let backup = its[1]["id"].as_str().expect("id").to_string();
        let out = h.ok(&["run", "set", &run[..12], &backup, "done", "--note", "took 3 min"]);
        assert!(out.starts_with("recorded"), "{out}");
        let err = h.fails(&["run", "set", &run, &backup, "skipped"], 1);
        assert!(err.contains("reason"), "skip needs a reason: {err}");
        h.ok(&["run", "set", &run, its[2]["id"].as_str().expect("id"), "skipped", "--reason", "no staging", "--as", "bob"]);
        let v = run_json(&h, &run);
        let after = items(&v);
        assert_eq!(after[1]["state"], "done");
        assert_eq!(after[1]["note"], "took 3 min");
        assert_eq!(after[1]["by"], "alice", "--as defaults to $RUNSHEET_OPERATOR");
        assert_eq!(after[2]["state"], "skipped");
        assert_eq!(after[2]["reason"], "no staging");
        assert_eq!(after[2]["by"], "bob");
        assert_eq!(v["version"], "1.2");
        assert_eq!(v["environment"], "prod");
        assert_eq!(v["progress"]["done"], 1);
        assert_eq!(v["signoffs"][0]["role"], "Technical Lead");
        assert_eq!(v["signoffs"][0]["signed_by"], serde_json::Value::Null);
        assert!(
            v["signoffs"][0]["blocked_by"].as_array().is_some_and(|b| !b.is_empty()),
            "an unsigned role lists what blocks it while items are open: {}",
            v["signoffs"]
        );
        let list: serde_json::Value = serde_json::from_str(&h.ok(&["run", "list", "--json"])).expect("json");
        assert_eq!(list[0]["status"], "in_progress");
        assert!(h.ok(&["run", "show", &run]).contains("[x] Back up the database"));
    }

    #[test]
    fn state_names_and_unknown_items() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        let id = its[0]["id"].as_str().expect("id");
        for s in ["failed", "blocked", "n/a", "na", "pending", "done"] {
            h.ok(&["run", "set", &run, id, s]);
        }
        let err = h.fails(&["run", "set", &run, id, "finished"], 1);
        assert!(err.contains("unknown state `finished`"), "{err}");
        let err = h.fails(&["run", "set", &run, "no-such-item", "done"], 1);
        assert!(err.contains("no item `no-such-item`"), "{err}");
        let err = h.fails(&["run", "show", "ffffffff"], 1);
        assert!(err.contains("no run matches `ffffffff`"), "{err}");
    }

    #[test]
    fn window_is_parsed_and_checked() {
        let h = Home::new();
        let f = h.file("deploy.md", DEPLOY_MD);
        let f = f.to_str().expect("path");
        let run = h.ok(&["run", "new", f, "--title", "t", "--window", "2026-11-24 22:00..2026-11-24T23:30:00Z"]);
        let v = run_json(&h, run.trim());
        assert_eq!(v["window_start"], "2026-11-24T22:00:00Z");
        assert_eq!(v["window_end"], "2026-11-24T23:30:00Z");
        let err = h.fails(&["run", "new", f, "--title", "t", "--window", "2026-11-24 22:00..2026-11-24 21:00"], 1);
        assert!(err.contains("ends before it starts"), "{err}");
        h.fails(&["run", "new", f, "--title", "t", "--window", "tomorrow"], 1);
    }

    #[test]
    fn export_md_reimports_to_the_same_items_and_json_verifies() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        h.ok(&["run", "set", &run, its[0]["id"].as_str().expect("id"), "done", "--note", "mailed *all* teams"]);
        h.ok(&["run", "set", &run, its[3]["id"].as_str().expect("id"), "failed", "--reason", "image pull error"]);
        let md = h.ok(&["run", "export", &run, "--format", "md"]);
        assert!(md.contains("- [x] Announce the change window"), "{md}");
        assert!(md.contains("failed by alice"), "{md}");
        let out = h.path().join("export.md");
        h.ok(&["run", "export", &run, "--format", "md", "-o", out.to_str().expect("path")]);
        let re: serde_json::Value =
            serde_json::from_str(&h.ok(&["inspect", out.to_str().expect("path"), "--json"])).expect("json");
        let mut re_items = vec![];
        fn walk(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
            for it in v.as_array().into_iter().flatten() {
                out.push((it["id"].as_str().unwrap_or("").into(), it["text"].as_str().unwrap_or("").into()));
                walk(&it["children"], out);
            }
        }
        for p in re["phases"].as_array().into_iter().flatten() {
            for s in p["sections"].as_array().into_iter().flatten() {
                walk(&s["items"], &mut re_items);
            }
        }
        let orig: Vec<(String, String)> = its
            .iter()
            .map(|i| (i["id"].as_str().unwrap_or("").into(), i["text"].as_str().unwrap_or("").into()))
            .collect();
        assert_eq!(re_items, orig, "importing the export gives the same items");
        let log = h.path().join("run.json");
        h.ok(&["run", "export", &run, "--format", "json", "-o", log.to_str().expect("path")]);
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&log).expect("read")).expect("json");
        assert_eq!(v["events"].as_array().map(Vec::len), Some(3));
        h.ok(&["verify", log.to_str().expect("path")]);
        let tampered = std::fs::read_to_string(&log).expect("read").replace("image pull error", "all fine");
        let bad = h.file("tampered.json", &tampered);
        let err = h.fails(&["verify", bad.to_str().expect("path")], 1);
        assert!(err.contains("hash mismatch"), "{err}");
    }
}

mod verify {
    use super::*;

    #[test]
    fn detects_an_edited_row_and_names_the_event() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        for it in &its {
            h.ok(&["run", "set", &run, it["id"].as_str().expect("id"), "done"]);
        }
        assert!(h.ok(&["verify"]).contains("ok"));
        h.ok(&["verify", &run[..10]]);
        let c = rusqlite::Connection::open(h.db()).expect("raw");
        c.execute_batch("DROP TRIGGER events_no_update;").expect("drop trigger");
        let id: String = c.query_row("SELECT id FROM events ORDER BY seq LIMIT 1 OFFSET 3", [], |r| r.get(0)).expect("id");
        c.execute("UPDATE events SET at = '2020-01-01T00:00:00Z' WHERE id = ?1", [&id]).expect("edit");
        drop(c);
        let err = h.fails(&["verify"], 1);
        assert!(err.contains(&id) && err.contains("hash mismatch"), "names the first bad event: {err}");
    }
}

mod backup {
    use super::*;

    #[test]
    fn backup_verifies_and_restores() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        h.ok(&["run", "set", &run, its[0]["id"].as_str().expect("id"), "done"]);
        let dest = h.path().join("backup.db");
        h.ok(&["backup", dest.to_str().expect("path")]);
        h.ok(&["verify", dest.to_str().expect("path")]);
        // Damage the live database, then restore the backup as the error message says.
        std::fs::write(h.db(), b"this is not a database at all, just some bytes that are long enough to matter......")
            .expect("damage");
        let _ = std::fs::remove_file(h.db().with_extension("db-wal"));
        let _ = std::fs::remove_file(h.db().with_extension("db-shm"));
        let err = h.fails(&["run", "list"], 1);
        assert!(err.contains("is damaged") && err.contains("runsheet backup"), "{err}");
        std::fs::copy(&dest, h.db()).expect("restore");
        let v = run_json(&h, &run);
        assert_eq!(items(&v)[0]["state"], "done", "the restored database has the run");
    }
}

mod main {
    use super::*;

    /// Issue 10: the CLI is an adapter over runsheet-app. It does not depend on the store, keyring, probe or
    /// report crates, so no command can open the database, the keyring, run a probe or write a report except
    /// through the app (the compiler then refuses any `runsheet_store::…` in `src/`).
    #[test]
    fn the_cli_depends_on_the_app_not_on_what_the_app_orchestrates() {
        let manifest = std::fs::read_to_string(crate::repo_root().join("crates/runsheet-cli/Cargo.toml")).expect("manifest");
        let mut section = String::new();
        let mut found = Vec::new();
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            let is_runtime = section.ends_with("dependencies]") && !section.contains("dev-dependencies");
            let name = line.split(['=', ' ']).next().unwrap_or("");
            if is_runtime && ["runsheet-store", "runsheet-secrets", "runsheet-probes", "runsheet-report"].contains(&name) {
                found.push(format!("{section} {name}"));
            }
        }
        assert!(found.is_empty(), "the CLI reaches these only through runsheet-app: {found:?}");
        assert!(manifest.contains("runsheet-app"), "the manifest was read and names the app");
    }

    #[test]
    fn usage_errors_exit_2_and_runtime_errors_exit_1() {
        let h = Home::new();
        h.fails(&["run", "frobnicate"], 2);
        h.fails(&["run", "new"], 2);
        let err = h.fails(&["run", "export", "x", "--format", "md"], 1);
        assert!(err.starts_with("error: "), "{err}");
    }

    #[test]
    fn truncated_and_garbage_databases_give_clear_errors() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        for n in 0..150 {
            h.ok(&["run", "set", &run, its[n % 5]["id"].as_str().expect("id"), if n % 2 == 0 { "done" } else { "failed" }, "--note", &"x".repeat(200)]);
        }
        let len = std::fs::metadata(h.db()).expect("meta").len();
        std::fs::OpenOptions::new().write(true).open(h.db()).expect("open").set_len(len / 2).expect("truncate");
        let err = h.fails(&["run", "list"], 1);
        assert!(err.contains(&h.db().display().to_string()), "names the file: {err}");
        assert!(err.contains("runsheet backup"), "says how to restore: {err}");
        std::fs::write(h.db(), vec![0xa5u8; 65536]).expect("garbage");
        let err = h.fails(&["verify"], 1);
        assert!(err.contains("is damaged (file is not a database)"), "{err}");
    }
}

mod probe {
    use super::*;

    /// `probe arm` and `probe run` name items the way `run set` does — id, unique id prefix or exact text — since
    /// all three resolve through the app's one `resolve_item`; what they print names the full item id.
    #[test]
    fn arm_and_run_accept_an_item_prefix_or_text() {
        let h = Home::new();
        let f = h.file(
            "shell.md",
            "# Shell\n\n## Go\n\n- [ ] Disk has room\n  ```probe\n  kind = \"shell\"\n  command = \"true\"\n  ```\n- [ ] Other\n",
        );
        let run = h.ok(&["run", "new", f.to_str().expect("path"), "--title", "t"]).trim().to_string();
        let v: serde_json::Value = serde_json::from_str(&h.ok(&["run", "show", &run, "--json"])).expect("json");
        let id = items(&v)[0]["id"].as_str().expect("id").to_string();
        let prefix = &id[..id.len() - 1];

        let out = h.ok(&["probe", "arm", &run, prefix]);
        assert_eq!(out.trim(), format!("armed shell probes of {id} for run {run}"), "prints the full ids");
        let again = h.ok(&["probe", "arm", &run[..8], "Disk has room"]);
        assert!(again.contains("already armed"), "the exact text names the same item: {again}");

        let res: serde_json::Value =
            serde_json::from_str(&h.ok(&["probe", "run", &run, prefix, "--json"])).expect("json");
        assert_eq!(res.as_array().map(Vec::len), Some(1), "{res}");
        assert_eq!(res[0]["item"], id.as_str());
        assert_eq!(res[0]["outcome"], "pass", "an armed shell probe runs: {res}");
        assert!(res[0]["event"].as_str().is_some_and(|e| !e.is_empty()), "its evidence was recorded: {res}");

        let err = h.fails(&["probe", "arm", &run, "Other"], 1);
        assert!(err.contains("no shell probe to arm"), "{err}");
        let err = h.fails(&["probe", "run", &run, "no-such-item"], 1);
        assert!(err.contains("no item `no-such-item`"), "{err}");
    }
}

mod signoff {
    use super::*;

    /// Sign-off and waivers go through the app: the role is matched as the run spells it (case and spaces do not
    /// matter) and printed that way, a waiver accepts an item's text, and what blocks a sign-off is listed.
    #[test]
    fn waive_by_text_and_sign_with_the_runs_spelling_of_the_role() {
        let h = Home::new();
        let (run, its) = new_run(&h);
        let err = h.fails(&["signoff", &run, "technical lead", "--as", "carol"], 1);
        assert!(err.contains("cannot sign `Technical Lead` now") && err.contains("\n  - "), "lists blockers: {err}");
        for it in &its[..4] {
            h.ok(&["run", "set", &run, it["id"].as_str().expect("id"), "done"]);
        }
        let out = h.ok(&["waive", &run, "Health check passes", "--reason", "checked by hand", "--as", "carol"]);
        let health = its[4]["id"].as_str().expect("id");
        assert!(out.starts_with(&format!("waived {health} (approver carol, ")), "{out}");
        let err = h.fails(&["waive", &run, health, "--reason", " ", "--as", "carol"], 1);
        assert!(err.contains("--reason"), "says which flag: {err}");
        let out = h.ok(&["signoff", &run, "  technical LEAD ", "--as", "carol"]);
        assert!(out.starts_with("signed Technical Lead as carol ("), "{out}");
        let err = h.fails(&["signoff", &run, "QA", "--as", "carol"], 1);
        assert!(err.contains("no sign-off role `QA`") && err.contains("Technical Lead"), "names the roles: {err}");
    }
}

mod bench {
    use super::*;

    /// The hidden benchmark prints its figures, through the app's benchmark; with nothing to append it prints
    /// zeros instead of panicking on an empty list of timings (it did).
    #[test]
    fn prints_its_figures_and_survives_zero_events() {
        let h = Home::new();
        let dir = h.path().join("bench");
        let out = h.ok(&["bench", "--events", "12", "--items", "4", "--dir", dir.to_str().expect("path")]);
        assert!(out.starts_with("event append (12 events, 4-item run, file-backed WAL"), "{out}");
        assert!(out.contains("p50 ") && out.contains("p95 ") && out.trim_end().ends_with("verify ok"), "{out}");
        let signed = out.lines().nth(1).unwrap_or_default();
        assert!(signed.starts_with("event append, each signed") && signed.ends_with("verify ok"), "{out}");
        assert!(dir.join("bench.db").is_file(), "a given --dir keeps its scratch database");
        assert!(!h.db().exists(), "the benchmark never opens the installation's database");
        let out = h.ok(&["bench", "--events", "0", "--items", "3", "--dir", dir.to_str().expect("path")]);
        assert!(out.contains("(0 events, 3-item run") && out.contains("p50 0.00 ms"), "{out}");
    }
}

mod identity {
    use super::*;

    /// The CLI keeps the signing identity where the app (and so the desktop) keeps it: the installation's identity
    /// service, which follows `RUNSHEET_SECRET_SERVICE` in tests. An identity made under one service is not seen
    /// under another, and a PDF signed with it verifies. Real keyring (scripts/with-keyring.sh); skipped with a
    /// line when there is none, unless CI=true. The entries stay behind under the test's own service names (the
    /// CLI has no command that deletes an identity); with-keyring.sh's keyring is thrown away.
    #[test]
    fn the_identity_lives_in_the_apps_identity_service_and_signs_pdfs() {
        let h = Home::new();
        let svc = format!("runsheet-cli-test-identity-{}", std::process::id());
        let other = format!("{svc}-other");
        let run_in = |service: &str, args: &[&str]| h.cmd(args).env("RUNSHEET_SECRET_SERVICE", service).output().expect("run");
        let probe = run_in(&svc, &["secret", "list"]);
        if !probe.status.success() {
            let msg = String::from_utf8_lossy(&probe.stderr).into_owned();
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but no keyring: {msg}");
            eprintln!("SKIPPING the_identity_lives_in_the_apps_identity_service_and_signs_pdfs: {msg}");
            return;
        }
        let out = run_in(&svc, &["identity", "create", "--name", "Dana Ops", "--force"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(stdout.starts_with("created self-signed identity for Dana Ops (sha-256 "), "{stdout}");

        let out = run_in(&other, &["identity", "show"]);
        assert_eq!(out.status.code(), Some(1), "another service holds no identity: {}", String::from_utf8_lossy(&out.stdout));
        let out = run_in(&svc, &["identity", "show", "--json"]);
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("identity show --json is JSON");
        assert_eq!(info["self_signed"], true, "{info}");
        assert!(info["subject_dn"].as_str().is_some_and(|s| s.contains("Dana Ops")), "{info}");
        let out = run_in(&svc, &["identity", "create", "--name", "Eve"]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("--force"), "an existing identity is not replaced silently");

        let (run, _) = new_run(&h);
        let pdf = h.path().join("run.pdf");
        let out = run_in(&svc, &["run", "export", &run, "--format", "pdf", "-o", pdf.to_str().expect("path")]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("1 events, signed by Dana Ops sha-256 "), "{stdout}");
        let verified = h.ok(&["verify", pdf.to_str().expect("path")]);
        assert!(verified.contains("signature by Dana Ops") && verified.contains("ok    signature covers the whole file"), "{verified}");
        let err = h.fails(&["run", "export", &run, "--format", "pdf"], 1);
        assert!(err.contains("-o FILE.pdf"), "{err}");
    }
}

mod due {
    use super::*;

    pub(super) const TIMED_MD: &str = "# Release\n\n## Pre-Deployment Verification (T-1 hour)\n- [ ] Freeze merges\n\n## Deploy (T+0)\n- [ ] Ship it\n\n## Rollback\n- [ ] Rollback if error rate > 5%\n\n## Post-Deployment\n### Immediate (within 1 hour)\n- [ ] Watch error rates\n### First Week\n- [ ] Close the ticket\n";

    /// `runsheet due` lists every open run's unfinished timed phases and sections with upcoming/due/late at a
    /// given time (the clock is an argument); a run without a window has no rows; finished ones drop out.
    #[test]
    fn lists_upcoming_due_and_late_across_runs_as_json_and_text() {
        let h = Home::new();
        let f = h.file("release.md", TIMED_MD);
        let f = f.to_str().expect("path");
        let run = h.ok(&["run", "new", f, "--title", "Release 4.2", "--window", "2026-12-04 22:00..2026-12-04 23:00"]);
        let run = run.trim().to_string();
        h.ok(&["run", "new", f, "--title", "no window"]);
        let rows = |at: &str| -> Vec<serde_json::Value> {
            serde_json::from_str(&h.ok(&["due", "--json", "--at", at])).expect("json")
        };
        let brief = |rows: &[serde_json::Value]| -> Vec<(String, String, i64)> {
            rows.iter()
                .map(|r| {
                    assert_eq!(r["run_id"], run.as_str(), "only the run with a window: {r}");
                    assert_eq!(r["run_title"], "Release 4.2");
                    (
                        r["title"].as_str().unwrap_or("").to_string(),
                        r["state"].as_str().unwrap_or("").to_string(),
                        r["late_minutes"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        };
        // 21:30: verification is due, the rest is ahead; the rollback phase is never planned.
        let early = brief(&rows("2026-12-04T21:30:00Z"));
        assert_eq!(early[0], ("Pre-Deployment Verification".into(), "due".into(), 0));
        assert_eq!(early.len(), 4, "{early:?}");
        assert!(early[1..].iter().all(|r| r.1 == "upcoming"), "{early:?}");
        // 22:25: verification ran until T, so it is 25 minutes late (late rows first); the deploy is due.
        let later = brief(&rows("2026-12-04 22:25"));
        assert_eq!(later[0], ("Pre-Deployment Verification".into(), "late".into(), 25));
        assert_eq!(later[1], ("Deploy".into(), "due".into(), 0));
        // Settling the item takes the phase out.
        h.ok(&["run", "set", &run, "Freeze merges", "done"]);
        let after = brief(&rows("2026-12-04 22:25"));
        assert!(after.iter().all(|r| r.0 != "Pre-Deployment Verification"), "{after:?}");
        // The text table says the same.
        let text = h.ok(&["due", "--at", "2026-12-05 09:00"]);
        assert!(text.lines().next().is_some_and(|l| l.starts_with("STATE")), "{text}");
        assert!(text.contains("late") && text.contains("Immediate (within 1 hour), 1 open"), "{text}");
        let err = h.fails(&["due", "--at", "tomorrow"], 1);
        assert!(err.contains("--at: `tomorrow` is not a time"), "{err}");
    }
}

mod monitoring {
    use super::*;

    /// A run whose deployment is done but whose follow-ups are open is `monitoring` in `run list` and `run show`,
    /// and the list says what comes due next (text and JSON) at the time given.
    #[test]
    fn run_list_shows_monitoring_and_what_comes_due_next() {
        let h = Home::new();
        let f = h.file("release.md", super::due::TIMED_MD);
        let f = f.to_str().expect("path");
        let run = h.ok(&["run", "new", f, "--title", "Release 4.2", "--window", "2026-12-04 22:00..2026-12-04 23:00"]);
        let run = run.trim().to_string();
        let list = |at: &str| -> Vec<serde_json::Value> {
            serde_json::from_str(&h.ok(&["run", "list", "--json", "--at", at])).expect("json")
        };
        let first = list("2026-12-04T21:30:00Z");
        assert_eq!(first[0]["next_due"]["title"], "Pre-Deployment Verification", "{first:?}");
        assert_eq!(first[0]["next_due"]["state"], "due");
        assert_eq!(first[0]["status"], "not_started");
        for item in ["Freeze merges", "Ship it", "Rollback if error rate > 5%"] {
            let to = if item.starts_with("Rollback") { "n/a" } else { "done" };
            h.ok(&["run", "set", &run, item, to]);
        }
        // Next morning: the deployment is done; the one-hour follow-up (23:00 to 00:00) is 9 h late and comes first.
        let morning = list("2026-12-05 09:00");
        assert_eq!(morning[0]["status"], "monitoring", "{morning:?}");
        let next = &morning[0]["next_due"];
        assert_eq!((next["title"].as_str(), next["state"].as_str(), next["late_minutes"].as_i64()), (Some("Immediate"), Some("late"), Some(540)));
        assert_eq!(next["follow_up"], true);
        let text = h.ok(&["run", "list", "--at", "2026-12-05 09:00"]);
        assert!(text.contains("monitoring") && text.contains("next: Immediate (within 1 hour) late 2026-12-04 23:00 UTC, 540 min late"), "{text}");
        let show = h.ok(&["run", "show", &run]);
        assert!(show.contains("status: monitoring"), "{show}");
        // Closing the follow-ups completes the run and leaves nothing due.
        h.ok(&["run", "set", &run, "Watch error rates", "done"]);
        h.ok(&["run", "set", &run, "Close the ticket", "done"]);
        let done = list("2026-12-05 09:00");
        assert_eq!(done[0]["status"], "complete");
        assert!(done[0]["next_due"].is_null(), "{done:?}");
        h.fails(&["run", "list", "--at", "tomorrow"], 1);
    }
}

mod bundle {
    use super::*;
    use runsheet_core::event::Event;
    use std::process::Output;

    /// A laptop: a home with its own keyring services and an identity. Real keyring (scripts/with-keyring.sh);
    /// None (the test skips with a line) when there is none, unless CI=true.
    struct Laptop {
        home: Home,
        service: String,
    }

    impl Laptop {
        fn new(name: &str) -> Option<Laptop> {
            let service = format!("runsheet-cli-test-bundle-{name}-{}", std::process::id());
            let l = Laptop { home: Home::new(), service };
            let probe = l.run(&["secret", "list"]);
            if !probe.status.success() {
                let msg = String::from_utf8_lossy(&probe.stderr).into_owned();
                assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but no keyring: {msg}");
                eprintln!("SKIPPING bundle tests: {msg}");
                return None;
            }
            l.ok(&["identity", "create", "--name", name, "--force"]);
            Some(l)
        }
        fn run(&self, args: &[&str]) -> Output {
            self.home.cmd(args).env("RUNSHEET_SECRET_SERVICE", &self.service).output().expect("run runsheet")
        }
        fn ok(&self, args: &[&str]) -> String {
            let out = self.run(args);
            assert!(out.status.success(), "runsheet {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).expect("utf-8")
        }
        fn fails(&self, args: &[&str]) -> String {
            let out = self.run(args);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(1), "runsheet {args:?} should fail: {err}");
            assert!(!err.contains("panicked"), "{err}");
            err
        }
        fn show(&self, run: &str) -> serde_json::Value {
            serde_json::from_str(&self.ok(&["run", "show", run, "--json"])).expect("json")
        }
        fn bundle(&self, run: &str, name: &str) -> std::path::PathBuf {
            let path = self.home.path().join(name);
            self.ok(&["run", "bundle", run, "-o", path.to_str().expect("path")]);
            path
        }
    }

    fn path(p: &std::path::Path) -> &str {
        p.to_str().expect("utf-8 path")
    }

    /// Item states by id, the part of `run show --json` both laptops must agree on.
    fn states(v: &serde_json::Value) -> Vec<(String, String)> {
        items(v).iter().map(|i| (i["id"].as_str().unwrap_or("").to_string(), i["state"].as_str().unwrap_or("").to_string())).collect()
    }

    #[test]
    fn two_laptops_exchange_a_run_by_bundle_and_converge() {
        let (Some(a), Some(b)) = (Laptop::new("Alice"), Laptop::new("Bob")) else { return };
        let (run, its) = new_run(&a.home);
        let first = its[0]["id"].as_str().expect("id").to_string();
        let second = its[1]["id"].as_str().expect("id").to_string();
        a.ok(&["run", "set", &run, &first, "done"]);
        let out = a.ok(&["run", "bundle", &run, "-o", path(&a.home.path().join("a.bundle"))]);
        assert!(out.contains("this device joined the run"), "{out}");
        let a_bundle = a.home.path().join("a.bundle");

        let out = b.ok(&["run", "import-bundle", path(&a_bundle)]);
        assert!(out.starts_with("imported 3 new events into run"), "run_created, item_set, member_joined: {out}");
        let out = b.ok(&["run", "import-bundle", path(&a_bundle), "--into", &run[..12]]);
        assert!(out.starts_with("nothing new from") && out.contains("all 3 events"), "a replay stores nothing: {out}");

        // Bob writes as Bob (his identity), whatever RUNSHEET_OPERATOR says; another --as is refused.
        let out = b.ok(&["run", "set", &run, &second, "done"]);
        assert!(out.contains(" by Bob "), "{out}");
        let err = b.fails(&["run", "set", &run, &second, "failed", "--as", "alice"]);
        assert!(err.contains("drop --as alice"), "{err}");

        let b_bundle = b.bundle(&run, "b.bundle");
        let out = a.ok(&["run", "import-bundle", path(&b_bundle)]);
        assert!(out.starts_with("imported 2 new events"), "bob's member_joined and item_set: {out}");
        assert_eq!(states(&a.show(&run)), states(&b.show(&run)), "both laptops show the same run");
        assert!(a.ok(&["verify"]).contains("ok"), "alice's store verifies");
        assert!(b.ok(&["verify"]).contains("ok"), "bob's store verifies");
        // The signed PDF's attached log re-checks every member's signature on its own.
        let pdf = a.home.path().join("run.pdf");
        a.ok(&["run", "export", &run, "--format", "pdf", "-o", path(&pdf)]);
        let out = a.ok(&["verify", path(&pdf)]);
        assert!(out.contains("ok    4 event signatures verified against the run's member certificates"), "{out}");
    }

    /// Each bad bundle is refused with a message naming what is wrong, and stores nothing.
    #[test]
    fn bad_bundles_are_refused_and_store_nothing() {
        let (Some(a), Some(b)) = (Laptop::new("Carol"), Laptop::new("Dave")) else { return };
        let (run, its) = new_run(&a.home);
        let first = its[0]["id"].as_str().expect("id").to_string();
        a.ok(&["run", "set", &run, &first, "done"]);
        let a_bundle = a.bundle(&run, "a.bundle");
        b.ok(&["run", "import-bundle", path(&a_bundle)]);
        b.ok(&["run", "set", &run, &first, "failed"]);
        let b_bundle = b.bundle(&run, "b.bundle");
        let (other, _) = new_run(&a.home);
        let count = || a.show(&run)["events"].as_u64().unwrap_or(0);
        let before = count();

        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&b_bundle).expect("read")).expect("json");
        let a_device = doc["events"][0]["device"].as_str().expect("device").to_string();
        let write = |name: &str, f: &dyn Fn(&mut Vec<Event>)| {
            let mut d = doc.clone();
            let mut events: Vec<Event> = serde_json::from_value(d["events"].clone()).expect("events");
            f(&mut events);
            d["events"] = serde_json::to_value(events).expect("json");
            let p = a.home.path().join(name);
            std::fs::write(&p, serde_json::to_vec(&d).expect("json")).expect("write");
            p
        };
        let last = |events: &mut Vec<Event>| events.len() - 1;
        let cases: Vec<(&str, std::path::PathBuf, Vec<&str>)> = vec![
            ("an edited event", write("edited.bundle", &|ev| {
                let i = last(ev);
                ev[i].actor = "mallory".into();
            }), vec!["hash does not match"]),
            ("a forged signature", write("forged.bundle", &|ev| {
                let i = last(ev);
                let other_sig = ev[i - 1].author.clone().expect("signed").signature;
                if let Some(a) = ev[i].author.as_mut() {
                    a.signature = other_sig;
                }
            }), vec!["does not verify"]),
            ("an event claiming another member's device", write("device.bundle", &|ev| {
                let i = last(ev);
                ev[i].device = a_device.clone();
                ev[i].device_seq = Some(999);
                ev[i].hash = ev[i].compute_hash();
            }), vec!["belongs to member Carol"]),
            ("a format this build does not know", {
                let mut d = doc.clone();
                d["format"] = "runsheet-bundle/9".into();
                let p = a.home.path().join("newer.bundle");
                std::fs::write(&p, serde_json::to_vec(&d).expect("json")).expect("write");
                p
            }, vec!["upgrade runsheet"]),
        ];
        for (what, file, wants) in cases {
            let err = a.fails(&["run", "import-bundle", path(&file)]);
            for want in wants {
                assert!(err.contains(want), "{what}: {err}");
            }
            assert!(err.contains("nothing imported") || err.contains("upgrade"), "{what}: says nothing was stored: {err}");
            assert_eq!(count(), before, "{what}: nothing stored");
        }
        let err = a.fails(&["run", "import-bundle", path(&b_bundle), "--into", &other]);
        assert!(err.contains(&format!("is for run {run}, not run {other}")), "{err}");
        assert_eq!(count(), before, "a bundle for another run stores nothing");

        let out = a.ok(&["run", "import-bundle", path(&b_bundle), "--into", &run]);
        assert!(out.starts_with("imported 2 new events"), "the intact bundle still imports: {out}");
    }
}
