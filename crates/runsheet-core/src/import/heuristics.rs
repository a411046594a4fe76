//! The judgement calls of the importer, each a small pure function over text: heading titles (emoji stripped),
//! timing hints, command lines versus plain names, sign-off lines, rollback headings and stable ids.
//!
//! Nothing here sees Markdown syntax: the walker hands over inline text it has already flattened. Keeping the
//! heuristics apart makes them testable one string at a time and easy to extend for new dialects.

use sha2::{Digest, Sha256};

use crate::checklist::Timing;

/// Whether `c` is an emoji, an emoji modifier or a presentation selector (stripped from heading titles).
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF      // pictographs, emoticons, transport, flags, symbols & pictographs extended
        | 0x2600..=0x27BF      // misc symbols and dingbats (✅ ✔ ⚠ ☑ ✨ ❌ ➡)
        | 0x2B00..=0x2BFF      // arrows and stars (⭐ ⬆)
        | 0x2300..=0x23FF      // technical (⌛ ⏰ ⏱ ⏳)
        | 0x2190..=0x21FF      // arrows (↩ ↪)
        | 0x25A0..=0x25FF      // geometric shapes (▶ ◀ ⬛ variants)
        | 0x2900..=0x297F      // supplemental arrows (⤴ ⤵)
        | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0xFE00..=0xFE0F      // variation selectors
        | 0x200D               // zero width joiner
        | 0x20E3               // combining enclosing keycap
        | 0xE0020..=0xE007F    // tag characters (subdivision flags)
    )
}

/// Collapse runs of whitespace to one space and trim.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A heading's text without emoji and presentation selectors, whitespace collapsed (the checklist title).
pub(crate) fn plain_title(raw: &str) -> String {
    let no_emoji: String = raw.chars().filter(|c| !is_emoji(*c)).collect();
    collapse_ws(&no_emoji)
}

/// A phase or section heading's display title and its timing hint: emoji removed, the timing hint taken out.
pub(crate) fn heading_title(raw: &str) -> (String, Option<Timing>) {
    let mut title = plain_title(raw);
    let mut timing = None;
    // The last bracketed group that reads as a timing hint is the hint; other parentheses stay in the title.
    let mut search_end = title.len();
    while let Some(close) = title[..search_end].rfind([')', ']']) {
        let open_char = if title.as_bytes()[close] == b')' { '(' } else { '[' };
        let Some(open) = title[..close].rfind(open_char) else { break };
        let inner = title[open + 1..close].trim();
        if let Some(t) = parse_timing(inner) {
            timing = Some(t);
            let mut rest = String::with_capacity(title.len());
            rest.push_str(&title[..open]);
            rest.push(' ');
            rest.push_str(&title[close + 1..]);
            title = collapse_ws(&rest);
            // Separators left dangling by the removal (`Backup — (T-30m)`).
            title = title.trim_end_matches([' ', '-', '–', '—', ':', '|']).to_string();
            break;
        }
        search_end = open;
    }
    if timing.is_none() {
        // Unbracketed forms: `T-30: Backup database`, `Deploy — T+0`, `Smoke tests - T+5 minutes`.
        const SEPS: [&str; 5] = [": ", " — ", " – ", " - ", " | "];
        for sep in SEPS {
            if let Some((head, rest)) = title.split_once(sep) {
                if let Some(t) = parse_timing(head).filter(|t| t.label.starts_with(['T', 't', 'D', 'd'])) {
                    return (rest.trim().to_string(), Some(t));
                }
            }
            if let Some((rest, tail)) = title.rsplit_once(sep) {
                if let Some(t) = parse_timing(tail).filter(|t| t.label.starts_with(['T', 't', 'D', 'd'])) {
                    return (rest.trim().to_string(), Some(t));
                }
            }
        }
    }
    if timing.is_none() && title.to_lowercase().starts_with("first ") {
        // A heading that is itself a follow-up period: `### First Day`, `### First Week`.
        if let Some(t) = parse_timing(&title) {
            return (title, Some(t));
        }
    }
    (title, timing)
}

const MINUTE: i64 = 1;
const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
const MONTH: i64 = 30 * DAY;

fn unit_minutes(unit: &str) -> Option<i64> {
    let u = unit.trim().trim_end_matches('.').to_ascii_lowercase();
    Some(match u.as_str() {
        "" | "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "s" | "sec" | "secs" | "second" | "seconds" => 0,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "wk" | "wks" | "week" | "weeks" => WEEK,
        "mo" | "month" | "months" => MONTH,
        _ => return None,
    })
}

/// Split `"15 minutes"`, `"2h"`, `"1.5 hours"` into an amount in minutes.
fn amount(s: &str) -> Option<i64> {
    let s = s.trim();
    let num_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    if num_end == 0 || num_end > 9 {
        return None;
    }
    let n: f64 = s[..num_end].parse().ok()?;
    let unit = unit_minutes(&s[num_end..])?;
    if unit == 0 {
        return Some(0);
    }
    Some((n * unit as f64).round() as i64)
}

/// A timing hint: `T-1 hour`, `T+15 minutes`, `T-0`, `Week 2-3`, `Week 8+`, `Day 1`, `Month 3+`, `Within 1 Hour`,
/// `First Day`.
/// Offsets are minutes from the hint's anchor (`schedule::anchor`): T-relative hints from the start of the change
/// window, periods from its end; periods count from 1 (`Week 1` starts at 0).
/// Also ranges of two T-relative hints (`T-2h to T-1h`, `T+0 – T+30m`), `T minus 2 hours`, `T-0:30` (h:mm),
/// `H-2` (H-hour: hours), and `Day -1` / `Day +2` (days around the change day).
pub(crate) fn parse_timing(inner: &str) -> Option<Timing> {
    let label = collapse_ws(inner);
    if label.is_empty() || label.len() > 40 {
        return None;
    }
    if label.starts_with(['T', 't', 'H', 'h']) {
        for sep in [" to ", " until ", " – ", " — ", "–", "—", " → ", "→", " .. ", "..."] {
            if let Some((a, b)) = label.split_once(sep) {
                let (Some(a), Some(b)) = (parse_one_timing(a), parse_one_timing(b)) else { continue };
                if let (Some(start), Some(end)) = (a.offset_minutes, b.offset_minutes) {
                    if end >= start {
                        return Some(Timing { label, offset_minutes: Some(start), end_offset_minutes: Some(end) });
                    }
                }
            }
        }
    }
    parse_one_timing(&label)
}

fn parse_one_timing(inner: &str) -> Option<Timing> {
    let label = collapse_ws(inner);
    if label.is_empty() || label.len() > 40 {
        return None;
    }
    let lower = label.to_ascii_lowercase().replace(" minus ", "-").replace(" plus ", "+");
    // H-hour: `H-2` is two hours before, `H+30m` thirty minutes after (a bare number counts hours).
    if let Some(rest) = lower.strip_prefix('h').map(str::trim_start) {
        let (sign, body) = match rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
            Some(b) => (-1, b.trim()),
            None => (1, rest.strip_prefix('+')?.trim()),
        };
        let minutes = if body.chars().all(|c| c.is_ascii_digit()) && !body.is_empty() && body.len() < 5 {
            body.parse::<i64>().ok()? * HOUR
        } else {
            amount(body)?
        };
        return Some(Timing { label, offset_minutes: Some(sign * minutes), end_offset_minutes: None });
    }
    // `Day -1`, `Day +2`, `Day 0`: days around the change day (unsigned `Day 1` is a period, below).
    if let Some(rest) = lower.strip_prefix("day ").map(str::trim) {
        let signed = match rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
            Some(r) => Some((-1, r)),
            None => rest.strip_prefix('+').map(|r| (1, r)).or((rest == "0").then_some((1, rest))),
        };
        if let Some((sign, r)) = signed {
            let days: i64 = r.trim().parse().ok().filter(|d| *d < 10_000)?;
            return Some(Timing { label, offset_minutes: Some(sign * days * DAY), end_offset_minutes: None });
        }
    }
    // T-relative: `T-1 hour`, `T + 15 min`, `T−30m`, `T0`, `T-0:30`.
    if let Some(rest) = lower.strip_prefix('t') {
        let rest = rest.trim_start();
        let (sign, body) = if let Some(b) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
            (-1, b)
        } else if let Some(b) = rest.strip_prefix('+') {
            (1, b)
        } else if rest.chars().all(|c| c == '0') && !rest.is_empty() {
            (1, rest)
        } else {
            return None;
        };
        let minutes = match body.trim().split_once(':') {
            Some((h, m)) if m.len() == 2 => {
                let (h, m): (i64, i64) = (h.trim().parse().ok()?, m.parse().ok()?);
                (h < 1000 && m < 60).then_some(h * HOUR + m)?
            }
            _ => amount(body)?,
        };
        return Some(Timing { label, offset_minutes: Some(sign * minutes), end_offset_minutes: None });
    }
    // Day-relative: `D-1`, `D+2` (whole days around the change day).
    if let Some(rest) = lower.strip_prefix('d').map(str::trim_start) {
        let signed = if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
            Some((-1, r))
        } else {
            rest.strip_prefix('+').map(|r| (1, r))
        };
        if let Some((sign, r)) = signed {
            let days: i64 = r.trim().parse().ok().filter(|d| *d < 10_000)?;
            return Some(Timing { label, offset_minutes: Some(sign * days * DAY), end_offset_minutes: None });
        }
    }
    // First day/week/month/hour: the first period after the window.
    if let Some(unit) = lower.strip_prefix("first ").and_then(unit_minutes).filter(|u| *u >= HOUR) {
        return Some(Timing { label, offset_minutes: Some(0), end_offset_minutes: Some(unit) });
    }
    // Within N unit: from now until then.
    if let Some(rest) = lower.strip_prefix("within ") {
        let minutes = amount(rest)?;
        return Some(Timing { label, offset_minutes: Some(0), end_offset_minutes: Some(minutes) });
    }
    // Period N, N-M, N+: `Week 2-3`, `Day 1`, `Month 3+`, `Hour 1`.
    let mut words = lower.splitn(2, ' ');
    let period = unit_minutes(words.next()?)?;
    if period < HOUR {
        return None;
    }
    let range = words.next()?.replace([' ', '–', '—'], "-");
    let (open_ended, range) = match range.strip_suffix('+') {
        Some(r) => (true, r.to_string()),
        None => (false, range),
    };
    let mut ends = range.splitn(2, '-');
    let first: i64 = ends.next()?.trim().parse().ok().filter(|n: &i64| (1..100_000).contains(n))?;
    let last: i64 = match ends.next() {
        Some(l) => l.trim().parse().ok().filter(|n: &i64| *n >= first && *n < 100_000)?,
        None => first,
    };
    Some(Timing {
        label,
        offset_minutes: Some((first - 1) * period),
        end_offset_minutes: if open_ended { None } else { Some(last * period) },
    })
}

/// Rollback phases and sections: "Rollback Procedures", "Roll back", "Rollback Plan".
pub(crate) fn is_rollback_title(title: &str) -> bool {
    let t = title.to_lowercase();
    t.contains("rollback") || t.contains("roll back") || t.contains("roll-back")
}

/// Headings and labels that put the lines under them in a sign-off context.
pub(crate) fn is_signoff_context(title: &str) -> bool {
    let t = title.to_lowercase();
    ["sign-off", "sign off", "signoff", "signed off", "signature", "approval", "approved by", "approvers",
        "authoris", "authoriz", "completed by", "verified by"]
        .iter()
        .any(|k| t.contains(k))
}

/// Field names that are blanks to fill in but not roles (`Date: ____`, `Deployment Date: ____`, `Version: ____`).
const NOT_ROLE_WORDS: &[&str] = &[
    "date", "time", "version", "notes", "note", "comments", "comment", "signature", "signed", "name", "id",
    "number", "no", "ticket", "url", "location", "environment", "env", "build", "release", "commit", "duration",
    "window", "start", "end", "started", "ended", "value", "reason", "result", "status", "host", "port", "path",
    "email", "phone", "tag", "hash", "checksum", "count", "total", "size", "amount", "details", "issue",
    "issues", "ref", "reference", "link", "file", "backup",
];

/// Words that make a label a role even with no sign-off heading around it (`QA Lead: ____`).
const ROLE_WORDS: &[&str] = &[
    "lead", "leader", "manager", "engineer", "owner", "reviewer", "approver", "officer", "director",
    "architect", "administrator", "admin", "analyst", "head", "sre", "dba", "qa", "devops", "operator",
    "developer", "tester", "commander", "coordinator", "representative", "sponsor", "cto", "ciso", "cio",
    "vp", "executive", "champion", "specialist", "auditor", "on-call", "oncall", "by", "approval", "sign-off",
    "signoff", "lead)", "chief", "supervisor", "steward", "custodian", "controller", "chair", "chairperson", "cab",
];

/// A sign-off line's role: `Technical Lead: ________ Date: ____` → `Technical Lead`. `in_context` is true under a
/// sign-off heading or bold label, where any blank-to-fill that is not a date/time/etc. field is a role; elsewhere
/// the label must also read as a role (`Lead`, `Manager`, `Approved By`, ...). Contact lines (`[Name] - [Phone]`)
/// have no blank and are never sign-offs.
pub(crate) fn signoff_role(line: &str, in_context: bool) -> Option<String> {
    let line = line.trim();
    // Code is never a blank to sign (`echo "Lead: ____"`).
    if line.contains('`') {
        return None;
    }
    let line = line.strip_prefix(['-', '*', '+', '•']).map(str::trim_start).unwrap_or(line);
    let blank = line.find("___")?;
    let head = &line[..blank];
    let role = head.trim_end();
    let role = role.strip_suffix(':').unwrap_or(role).trim();
    // Roles start and end with a letter or digit (`---Lead` is a rule that ran into text, not a role).
    let role = role.trim_start_matches(|c: char| !c.is_alphanumeric()).trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')');
    if role.is_empty() || role.contains([':', '_', '[', ']', '|']) || role.chars().count() > 60 {
        return None;
    }
    let words: Vec<String> = role
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
        .collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let last = words.last().map(String::as_str).unwrap_or_default();
    if NOT_ROLE_WORDS.contains(&last) {
        return None;
    }
    if !in_context && !words.iter().any(|w| ROLE_WORDS.contains(&w.as_str())) {
        return None;
    }
    let role = role.strip_suffix(" Signature").unwrap_or(role).trim();
    Some(collapse_ws(bracketed_role(role).unwrap_or(role)))
}

/// `Signature (QA)`, `Approved by (Engineering Manager)` → the role in the brackets.
fn bracketed_role(label: &str) -> Option<&str> {
    let (head, rest) = label.split_once('(')?;
    let inner = rest.strip_suffix(')')?.trim();
    let head = head.trim().to_lowercase();
    let generic = ["signature", "approved by", "signed off by", "signed by", "sign-off", "signoff", "sign off", "approval", "approver"];
    (generic.contains(&head.as_str()) && !inner.is_empty() && !inner.contains(['(', ')'])).then_some(inner)
}

/// First words of `X sign-off` / `X approval` that qualify the sign-off rather than name who gives it.
const NOT_SIGNER_WORDS: &[&str] = &[
    "final", "formal", "written", "initial", "change", "deploy", "deployment", "go-live", "production", "staging",
    "pre-deployment", "post-deployment", "rollback", "cutover", "phase", "stage", "gate", "verbal", "explicit",
];

/// Verbs that open a request for a sign-off rather than name the role (`Get QA sign-off`).
const ASKING_VERBS: &[&str] = &["get", "obtain", "request", "collect", "receive", "record", "confirm", "secure", "gather"];

/// A task item that names who signs without a blank to fill: `- [ ] Product Owner sign-off`, `- [ ] Get QA
/// approval`, `- [ ] Approved by: Release Manager`, and under a sign-off heading or label a bare role
/// (`- [ ] DBA`, `- [ ] SRE on-call`). Anything that reads as work to do stays a task.
pub(crate) fn task_signoff_role(text: &str, in_context: bool) -> Option<String> {
    let t = collapse_ws(text.trim().trim_end_matches(['.', '!']));
    if t.contains(['`', '[', ']', '|', '_']) || t.chars().count() > 60 {
        return None;
    }
    let lower = t.to_lowercase();
    if lower.len() != t.len() {
        return None; // keep byte offsets of `t` and `lower` in step (no case mapping that changes lengths)
    }
    // `Approved by: Release Manager`, `Sign-off: QA Lead`, `Signed off by the DBA`.
    // The `by` forms name the signer after a space or colon; the bare nouns only with a colon (`Approval of the
    // plan` is a task).
    for (p, seps) in [
        ("approved by", &[' ', ':'][..]),
        ("signed off by", &[' ', ':']),
        ("signed-off by", &[' ', ':']),
        ("signed by", &[' ', ':']),
        ("sign-off by", &[' ', ':']),
        ("sign-off", &[':']),
        ("sign off", &[':']),
        ("signoff", &[':']),
        ("approval", &[':']),
        ("approver", &[':']),
    ] {
        if lower.starts_with(p) && lower[p.len()..].starts_with(seps) {
            let rest = t[p.len()..].trim_start_matches([':', ' ', '-', '–', '—']).trim();
            let rest = rest.strip_prefix("the ").or_else(|| rest.strip_prefix("The ")).unwrap_or(rest);
            return role_phrase(rest, false).then(|| rest.to_string());
        }
    }
    // `Product Owner sign-off`, `QA Lead approval`, `Get security sign-off`.
    for s in [" sign-off", " sign off", " signoff", " approval", " signs off", " approves", " go/no-go"] {
        if let Some(head) = lower.strip_suffix(s) {
            let mut role = t[..head.len()].trim();
            if let Some((verb, rest)) = role.split_once(' ') {
                if ASKING_VERBS.contains(&verb.to_lowercase().as_str()) {
                    role = rest.trim();
                }
            }
            let role = role.strip_suffix("'s").unwrap_or(role);
            let first = role.split_whitespace().next().unwrap_or_default().to_lowercase();
            let names_someone = role.starts_with(|c: char| c.is_uppercase()) && !NOT_SIGNER_WORDS.contains(&first.as_str());
            return (role_phrase(role, true) || (names_someone && role_phrase(role, false))).then(|| role.to_string());
        }
    }
    (in_context && role_phrase(&t, true)).then_some(t)
}

/// One to four words that name a role. `strict`: one of them must be a role word (`Lead`, `DBA`, `on-call`),
/// and none may read as a finished action (`reviewed`, `completed`).
fn role_phrase(role: &str, strict: bool) -> bool {
    let words: Vec<String> = role
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
        .collect();
    if words.is_empty() || words.len() > 4 || words.iter().any(String::is_empty) || words.last().is_some_and(|w| NOT_ROLE_WORDS.contains(&w.as_str())) {
        return false;
    }
    if role.chars().next().is_some_and(|c| !c.is_alphanumeric()) || ASKING_VERBS.contains(&words[0].as_str()) {
        return false;
    }
    if !strict {
        return true;
    }
    let generic = ["by", "approval", "sign-off", "signoff"];
    words.iter().any(|w| ROLE_WORDS.contains(&w.as_str()) && !generic.contains(&w.as_str()))
        && !words.iter().any(|w| w.len() > 4 && w.ends_with("ed"))
}

/// Programs and tools whose name opening inline code marks it as a command line.
const KNOWN_COMMANDS: &[&str] = &[
    "ab", "ansible", "ansible-playbook", "apachectl", "apt", "apt-get", "argocd", "artisan", "aws", "az", "bash",
    "brew", "bundle", "cargo", "cat", "cd", "celery", "certbot", "chmod", "chown", "cmake", "composer", "consul",
    "cp", "createdb", "crontab", "curl", "date", "df", "dig", "dnf", "docker", "docker-compose", "dotnet",
    "dpkg", "dropdb", "du", "echo", "env", "etcdctl", "export", "find", "firebase", "flux", "fly", "flyctl",
    "free", "gcloud", "git", "go", "gradle", "grep", "gunicorn", "gzip", "head", "helm", "heroku", "host",
    "htop", "http", "iostat", "iptables", "java", "journalctl", "jq", "k6", "kill", "kind", "kubectl", "less",
    "ln", "locust", "ls", "lsof", "make", "minikube", "mkdir", "mongo", "mongosh", "mv", "mvn", "mysql",
    "mysqladmin", "mysqldump", "nc", "ncat", "netstat", "nginx", "nmap", "node", "nomad", "npm", "npx",
    "nslookup", "oc", "openssl", "pg_ctl", "pg_dump", "pg_dumpall", "pg_isready", "pg_restore", "pgbench",
    "php", "ping", "pip", "pip3", "pipenv", "pkill", "pm2", "pnpm", "podman", "poetry", "ps", "psql",
    "pytest", "python", "python3", "rabbitmqctl", "rails", "rake", "redis-benchmark", "redis-cli",
    "redis-server", "rm", "rsync", "ruby", "runsheet", "rustc", "scp", "sed", "service", "sftp", "sh", "sleep",
    "source", "sqlite3", "ss", "ssh", "stat", "sudo", "supervisorctl", "sysctl", "systemctl", "tail", "tar",
    "telnet", "terraform", "timeout", "top", "touch", "traceroute", "ufw", "unzip", "uptime", "uv", "uwsgi",
    "vault", "watch", "wc", "wget", "whois", "wrangler", "yarn", "yq", "zip", "zsh",
];

fn is_env_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        }
        None => false,
    }
}

/// Whether inline code is a command line (`curl http://…`, `./scripts/x.sh`, `redis-cli ping`) rather than a
/// name (`OPENAI_API_KEY`, `requirements.txt`, `.env.production`, `DEBUG=false`, `/docs/guide.md`).
pub(crate) fn is_command_line(code: &str) -> bool {
    let code = code.trim();
    let mut words = code.split_whitespace().peekable();
    // `FOO=1 BAR=2 cmd args`: skip leading assignments; a lone assignment is a setting, not a command.
    while words.peek().is_some_and(|w| is_env_assignment(w)) {
        words.next();
    }
    let Some(first) = words.next() else { return false };
    let rest: Vec<&str> = words.collect();
    let has_args = !rest.is_empty();
    // Explicit execution of a script or binary by path.
    if first.starts_with("./") || first.starts_with("../") || first.starts_with("~/") {
        return true;
    }
    let base = first.rsplit('/').next().unwrap_or(first);
    let known = KNOWN_COMMANDS.contains(&base) || KNOWN_COMMANDS.contains(&first);
    if first.starts_with('/') {
        // `/usr/local/bin/x --flag` runs something; `/docs/api/GUIDE.md` only names a file.
        return has_args || first.contains("/bin/") || first.contains("/sbin/");
    }
    if known {
        return has_args;
    }
    if !has_args {
        return false;
    }
    // Unknown program: it is a command line when it carries flags or shell plumbing, and the first word reads as
    // a program name (`manage.py migrate --plan`, `foo-cli --check`), not prose inside backticks.
    let program_like = first.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let flags = rest.iter().any(|w| (w.starts_with('-') && w.len() > 1) || ["|", "&&", "||", ">", ">>", ";"].contains(w));
    let script = [".sh", ".py", ".rb", ".pl", ".bash", ".js", ".ts"].iter().any(|e| first.ends_with(e));
    program_like && (flags || script)
}

/// Normalise text for ids: lower case, alphanumerics only, single spaces. Punctuation and markup changes do not
/// change an item's id; wording changes do.
pub(crate) fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// A short hex id of a key path (12 hex digits = 48 bits).
pub(crate) fn short_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(&h.finalize()[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_hints() {
        let t = |s: &str| parse_timing(s).map(|t| (t.offset_minutes, t.end_offset_minutes));
        assert_eq!(t("T-1 hour"), Some((Some(-60), None)));
        assert_eq!(t("T+15 minutes"), Some((Some(15), None)));
        assert_eq!(t("T-30m"), Some((Some(-30), None)));
        assert_eq!(t("T+2h"), Some((Some(120), None)));
        assert_eq!(t("T-0"), Some((Some(0), None)));
        assert_eq!(t("Week 2-3"), Some((Some(WEEK), Some(3 * WEEK))));
        assert_eq!(t("Week 8+"), Some((Some(7 * WEEK), None)));
        assert_eq!(t("Day 1"), Some((Some(0), Some(DAY))));
        assert_eq!(t("Within 1 Hour"), Some((Some(0), Some(60))));
        assert_eq!(t("D-1"), Some((Some(-DAY), None)));
        assert_eq!(t("T−1h"), Some((Some(-60), None)));
        assert_eq!(t("Day of week"), None);
        assert_eq!(t("Optional"), None);
        assert_eq!(t("Critical Issues"), None);
        assert_eq!(t("if applicable"), None);
        // Ranges, words, h:mm, H-hour, signed days.
        assert_eq!(t("T-2h to T-1h"), Some((Some(-120), Some(-60))));
        assert_eq!(t("T+0 – T+30m"), Some((Some(0), Some(30))));
        assert_eq!(t("T-1h to T-2h"), None, "a backwards range is not a range");
        assert_eq!(t("T minus 2 hours"), Some((Some(-120), None)));
        assert_eq!(t("T plus 15 min"), Some((Some(15), None)));
        assert_eq!(t("T-0:30"), Some((Some(-30), None)));
        assert_eq!(t("T+1:15"), Some((Some(75), None)));
        assert_eq!(t("H-2"), Some((Some(-120), None)));
        assert_eq!(t("H+30m"), Some((Some(30), None)));
        assert_eq!(t("Day -1"), Some((Some(-DAY), None)));
        assert_eq!(t("Day +2"), Some((Some(2 * DAY), None)));
        assert_eq!(t("Day 0"), Some((Some(0), None)));
        assert_eq!(t("HA"), None);
        assert_eq!(t("H2"), None);
        assert_eq!(t("Hotfix"), None);
        assert_eq!(t("T-1:75"), None);
    }

    #[test]
    fn titles() {
        let (t, timing) = heading_title("🚀 1. Pre-Deployment Verification (T-1 hour)");
        assert_eq!(t, "1. Pre-Deployment Verification");
        assert_eq!(timing.map(|t| t.label), Some("T-1 hour".into()));
        assert_eq!(heading_title("✅️ Cache Warming (Optional)").0, "Cache Warming (Optional)");
        let (t, timing) = heading_title("T-30: Backup database");
        assert_eq!((t.as_str(), timing.and_then(|t| t.offset_minutes)), ("Backup database", Some(-30)));
        let (t, timing) = heading_title("Deploy — T+0");
        assert_eq!((t.as_str(), timing.and_then(|t| t.offset_minutes)), ("Deploy", Some(0)));
        assert_eq!(heading_title("Step 1 - Prepare").1, None);
        assert_eq!(heading_title("Dashboards: Day 2 review").1, None, "only T/D forms without brackets");
    }

    #[test]
    fn commands() {
        for c in ["curl http://localhost:8001/health", "./ai_assistant/scripts/validate_config.sh", "redis-cli ping",
            "docker compose -f docker-compose.prod.yml ps ai_assistant", "sudo systemctl restart gunicorn",
            "FOO=1 python manage.py migrate", "manage.py migrate --plan", "/usr/local/bin/backup"]
        {
            assert!(is_command_line(c), "{c} is a command line");
        }
        for c in ["OPENAI_API_KEY", "requirements.txt", ".env.production", "openai>=1.0.0", "DEBUG=false",
            "/docs/api/AI_AGENT_API_GUIDE.md", "redis", "SELECT 1", "config/settings.py", "docker"]
        {
            assert!(!is_command_line(c), "{c} is a name");
        }
    }

    #[test]
    fn signoffs() {
        assert_eq!(signoff_role("Technical Lead: _________________ Date: _______", false).as_deref(), Some("Technical Lead"));
        assert_eq!(signoff_role("Deployment Successful: __________ Date: _______", true).as_deref(), Some("Deployment Successful"));
        assert_eq!(signoff_role("Deployment Successful: __________", false), None);
        assert_eq!(signoff_role("**Deployment Date**: ____", true), None);
        assert_eq!(signoff_role("Deployment Date: ____", true), None);
        assert_eq!(signoff_role("Primary: [Name] - [Phone] - [Email]", true), None);
        assert_eq!(signoff_role("Deployed By: ______", false).as_deref(), Some("Deployed By"));
        assert_eq!(signoff_role("Backup location: ______", true), None);
        // Regression (fuzz, roundtrip target): punctuation around a role is not part of it.
        assert_eq!(signoff_role("-----Technical Lead: ______", false).as_deref(), Some("Technical Lead"));
        assert_eq!(signoff_role("Signature (QA): ______", false).as_deref(), Some("QA"));
        assert_eq!(signoff_role("Approved by (Engineering Manager): ______", false).as_deref(), Some("Engineering Manager"));
    }

    #[test]
    fn task_items_that_name_a_signer() {
        let r = |s: &str, ctx: bool| task_signoff_role(s, ctx);
        assert_eq!(r("Product Owner sign-off", false).as_deref(), Some("Product Owner"));
        assert_eq!(r("Get QA approval", false).as_deref(), Some("QA"));
        assert_eq!(r("Security sign-off", false).as_deref(), Some("Security"));
        assert_eq!(r("Approved by: Release Manager", false).as_deref(), Some("Release Manager"));
        assert_eq!(r("Sign-off: CAB Chair", false).as_deref(), Some("CAB Chair"));
        assert_eq!(r("DBA", true).as_deref(), Some("DBA"));
        assert_eq!(r("SRE on-call", true).as_deref(), Some("SRE on-call"));
        // Work to do stays a task.
        assert_eq!(r("DBA", false), None);
        assert_eq!(r("All checks completed", true), None);
        assert_eq!(r("Rollback plan reviewed by lead", true), None);
        assert_eq!(r("Deploy the release", true), None);
        assert_eq!(r("Get sign-off", false), None);
        assert_eq!(r("Final approval", false), None);
        assert_eq!(r("Approvals collected", true), None);
        assert_eq!(r("Approval of the migration plan", true), None);
        assert_eq!(r("Approver: CAB", false).as_deref(), Some("CAB"));
        assert_eq!(r("Change approval", false), None);
        assert_eq!(r("deploy approval", false), None);
        assert_eq!(r("Record deployment date sign-off", false), None);
        assert_eq!(r("Run `make approve` approval", false), None);
    }
}
