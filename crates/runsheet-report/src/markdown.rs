//! The deployment log as Markdown, in the layout teams use for their hand-kept logs: header table, timeline,
//! issues (failures, skips, waivers), per-phase checklist with who/when, sign-off table. Same [`ReportInput`] as
//! the PDF, so both say the same thing; not signed (the PDF is the signed artefact).

use std::fmt::Write;

use runsheet_core::event::ItemState;

use crate::input::ReportInput;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Render the deployment log as GitHub-flavoured Markdown.
pub fn deployment_log(input: &ReportInput) -> String {
    let t = |d: &chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut o = String::new();
    let _ = writeln!(o, "# Deployment log: {}\n", input.title);
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| Status | {} |", cell(&input.outcome()));
    let _ = writeln!(o, "| Version | {} |", cell(input.version.as_deref().unwrap_or("-")));
    let _ = writeln!(o, "| Environment | {} |", cell(input.environment.as_deref().unwrap_or("-")));
    let window = match (&input.window_start, &input.window_end) {
        (Some(s), Some(e)) => format!("{} → {}", t(s), t(e)),
        (Some(s), None) => t(s),
        _ => "-".into(),
    };
    let _ = writeln!(o, "| Change window | {window} |");
    let _ = writeln!(o, "| Operator | {} |", cell(&input.operator));
    let _ = writeln!(o, "| Checklist | {} |", cell(&input.checklist_title));
    let _ = writeln!(o, "| Run | `{}` |", input.run_id);
    let _ = writeln!(o, "| Chain head | `{}` |", input.head_hashes.join(" "));
    let _ = writeln!(o, "| Four-eyes | {} |", if input.four_eyes { "enforced" } else { "RELAXED for this run" });
    let _ = writeln!(o, "| Generated | {} |\n", t(&input.generated_at));

    let _ = writeln!(o, "## Timeline\n\n| Phase | Planned | Started | Finished | Progress |\n|---|---|---|---|---|");
    for p in input.phases.iter().filter(|p| p.items().next().is_some()) {
        let (done, total) = p.progress();
        let span = p.actual_span();
        // A phase has finished only when all its items have; before that the column says when it was last touched.
        let end = match span {
            Some(s) if done == total => t(&s.1),
            Some(s) => format!("(in progress, last change {})", t(&s.1)),
            None => "-".into(),
        };
        let _ = writeln!(
            o,
            "| {}{} | {} | {} | {} | {done}/{total} |",
            cell(&p.title),
            if p.rollback { " (rollback)" } else { "" },
            cell(p.timing.as_deref().unwrap_or("-")),
            span.map(|s| t(&s.0)).unwrap_or_else(|| "-".into()),
            end,
        );
    }

    let _ = writeln!(o, "\n## Issues\n");
    let mut issues = 0;
    for p in &input.phases {
        for i in p.items() {
            let what = match (i.state, &i.waiver) {
                (_, Some(w)) => format!("waived by {} — {}", w.approver, w.reason),
                (ItemState::Failed, None) => "FAILED".into(),
                (ItemState::Blocked, None) => "BLOCKED".into(),
                (ItemState::Skipped, None) => format!("skipped — {}", i.reason.as_deref().unwrap_or("no reason")),
                _ => continue,
            };
            issues += 1;
            let _ = writeln!(o, "- **{}** ({}): {what}", i.text, p.title);
        }
    }
    if issues == 0 {
        let _ = writeln!(o, "None recorded.");
    }

    for p in input.phases.iter().filter(|p| p.items().next().is_some()) {
        let _ = writeln!(o, "\n## {}{}\n", p.title, p.timing.as_ref().map(|t| format!(" ({t})")).unwrap_or_default());
        if p.rollback {
            let _ = writeln!(o, "_Rollback: run only when a rollback trigger fires._\n");
        }
        for s in &p.sections {
            if !s.title.is_empty() {
                let _ = writeln!(o, "\n### {}\n", s.title);
            }
            for i in &s.items {
                let mark = if i.state == ItemState::Done { "x" } else { " " };
                let mut line = format!("{}- [{mark}] {}", "  ".repeat(i.depth), i.text);
                if i.state != ItemState::Done && i.state != ItemState::Pending {
                    line.push_str(&format!(" — _{}_", runsheet_core::signoff::state_name(i.state)));
                }
                if let (Some(by), Some(at)) = (&i.by, &i.at) {
                    line.push_str(&format!(" — {by}, {}", t(at)));
                }
                let _ = writeln!(o, "{line}");
                for e in &i.evidence {
                    let _ = writeln!(
                        o,
                        "{}  - evidence: {} `{}` {}{}",
                        "  ".repeat(i.depth),
                        e.kind,
                        e.target,
                        if e.ok { "pass".to_string() } else { e.outcome.to_uppercase() },
                        e.duration_ms.map(|m| format!(", {m} ms")).unwrap_or_default()
                    );
                }
                for n in &i.notes {
                    let _ = writeln!(o, "{}  - note: {n}", "  ".repeat(i.depth));
                }
            }
        }
    }

    let _ = writeln!(o, "\n## Sign-off\n\n| Role | Signed by | Date | Comment |\n|---|---|---|---|");
    for s in &input.signoffs {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            cell(&s.role),
            cell(s.signed_by.as_deref().unwrap_or("_not signed_")),
            s.at.as_ref().map(t).unwrap_or_default(),
            cell(s.comment.as_deref().unwrap_or(""))
        );
    }
    o
}
