//! Probe suggestions: typed probes proposed from an item's text and commands (`curl -f URL` → http,
//! `redis-cli ping` → redis, "Port 8001 available" → port_free, ...), each with the reason it was proposed.
//!
//! Pure and conservative: a suggestion is only made when the command or sentence maps to a check with the same
//! meaning. Commands that change things (`docker compose up`, `migrate`) get nothing; nothing is ever suggested
//! as a `shell` probe, because running a command is the operator's decision, not a guess.

use serde::Serialize;

use crate::checklist::{Command, Item, Phase, Section};
use crate::probe::{parse, ProbeSpec};

/// A proposed probe for an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub spec: ProbeSpec,
    /// The TOML to put in a ```probe block under the item.
    pub toml: String,
    /// Why it was proposed (the command or phrase it came from).
    pub reason: String,
}

/// Suggestions for one item, from its commands (inline and fenced) and its text; duplicates removed.
pub fn suggest(item: &Item) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for c in &item.commands {
        out.extend(suggest_command_text(&c.text));
    }
    // Inline code in the text is also considered, in case it was not classified as a command.
    for code in inline_code(&item.text) {
        if !item.commands.iter().any(|c| c.text.trim() == code.trim()) {
            out.extend(suggest_command_text(code));
        }
    }
    out.extend(suggest_from_text(&item.text));
    dedup(out)
}

/// Suggestions for commands standing in a section (fenced blocks after a label).
pub fn suggest_commands(commands: &[Command]) -> Vec<Suggestion> {
    dedup(commands.iter().flat_map(|c| suggest_command_text(&c.text)).collect())
}

fn dedup(v: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for s in v {
        if !out.iter().any(|o| o.spec == s.spec) {
            out.push(s);
        }
    }
    out
}

fn inline_code(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).filter(|s| !s.trim().is_empty()).collect()
}

fn make(toml: String, reason: String) -> Option<Suggestion> {
    // Every suggestion goes through the real parser, so what we propose is always a valid probe block.
    let spec = parse(&toml).ok()?;
    Some(Suggestion { toml: spec.to_toml(), spec, reason })
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Suggestions from a command text (one line or a fenced block: each line is looked at, comments skipped).
pub fn suggest_command_text(text: &str) -> Vec<Suggestion> {
    let mut out = Vec::new();
    // Join backslash-continued lines first.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines() {
        let line = line.trim().trim_start_matches("$ ");
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Each command of `a && b`, `a; b`, `a || b`, and the first command of a pipeline.
        for first in commands_of(line) {
            let words = split_words(&first);
            if let Some(s) = suggest_words(&words, first.trim()) {
                out.push(s);
            }
        }
    }
    out
}

/// The commands of a line: split at `;`, `&&`, `||` and `|` outside quotes, dropping the later stages of a pipeline.
fn commands_of(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_pipe_tail = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                if !in_pipe_tail {
                    cur.push(c);
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                if !in_pipe_tail {
                    cur.push(c);
                }
            }
            None if c == ';' || (c == '&' && chars.get(i + 1) == Some(&'&')) || (c == '|' && chars.get(i + 1) == Some(&'|')) => {
                if !in_pipe_tail {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
                in_pipe_tail = false;
                if c != ';' {
                    i += 1;
                }
            }
            None if c == '|' => {
                if !in_pipe_tail {
                    out.push(std::mem::take(&mut cur));
                }
                in_pipe_tail = true;
            }
            None => {
                if !in_pipe_tail {
                    cur.push(c);
                }
            }
        }
        i += 1;
    }
    if !in_pipe_tail {
        out.push(cur);
    }
    out.retain(|c| !c.trim().is_empty());
    out
}

/// Split a command line into words, honouring single and double quotes (no expansion).
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn suggest_words(words: &[String], line: &str) -> Option<Suggestion> {
    // Skip leading `sudo` and VAR=value assignments.
    let start = words.iter().position(|w| w != "sudo" && !(w.contains('=') && !w.starts_with('-')))?;
    let words = &words[start..];
    let prog = words.first()?.rsplit('/').next()?.to_string();
    let args = &words[1..];
    let reason = format!("from `{line}`");
    match prog.as_str() {
        "curl" => curl(args, reason),
        "wget" => {
            let url = args.iter().find(|a| a.starts_with("http://") || a.starts_with("https://"))?;
            make(format!("kind = \"http\"\nurl = {}\n", q(url)), reason)
        }
        "redis-cli" => redis_cli(args, reason),
        "psql" => psql(args, reason),
        "pg_isready" => {
            let host = opt_value(args, &["-h", "--host"]).unwrap_or_else(|| "localhost".into());
            let port = opt_value(args, &["-p", "--port"]).unwrap_or_else(|| "5432".into());
            make(format!("kind = \"tcp\"\naddress = {}\n", q(&format!("{host}:{port}"))), reason)
        }
        "nc" | "ncat" | "netcat" => {
            if !args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('z')) {
                return None;
            }
            let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let (host, port) = (pos.first()?, pos.get(1)?);
            port.parse::<u16>().ok()?;
            make(format!("kind = \"tcp\"\naddress = {}\n", q(&format!("{host}:{port}"))), reason)
        }
        "telnet" => {
            let (host, port) = (args.first()?, args.get(1)?);
            port.parse::<u16>().ok()?;
            make(format!("kind = \"tcp\"\naddress = {}\n", q(&format!("{host}:{port}"))), reason)
        }
        "dig" | "nslookup" | "host" => {
            let name = args.iter().find(|a| !a.starts_with('-') && !a.starts_with('+') && !a.starts_with('@'))?;
            // `dig -t A name` style: skip record types.
            let skip = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "ANY", "SOA"];
            let name = if skip.contains(&name.as_str()) {
                args.iter().filter(|a| !a.starts_with('-') && !a.starts_with('+') && !a.starts_with('@')).nth(1)?
            } else {
                name
            };
            if !name.contains('.') && name != "localhost" {
                return None;
            }
            make(format!("kind = \"dns\"\nname = {}\n", q(name)), reason)
        }
        "openssl" if args.first().is_some_and(|a| a == "s_client") => {
            let connect = opt_value(args, &["-connect"])?;
            let address = if connect.contains(':') { connect } else { format!("{connect}:443") };
            let mut toml = format!("kind = \"tls\"\naddress = {}\n", q(&address));
            if let Some(sn) = opt_value(args, &["-servername"]) {
                toml.push_str(&format!("server_name = {}\n", q(&sn)));
            }
            make(toml, reason)
        }
        "test" | "[" => {
            let flag = args.first()?;
            if !["-f", "-e", "-d", "-r", "-s"].contains(&flag.as_str()) {
                return None;
            }
            make(format!("kind = \"file\"\npath = {}\n", q(args.get(1)?)), reason)
        }
        _ => None,
    }
}

/// Value of an option given as `-x value`, `-xvalue` (single-letter), `--long value` or `--long=value`.
fn opt_value(args: &[String], names: &[&str]) -> Option<String> {
    for (i, a) in args.iter().enumerate() {
        for n in names {
            if a == n {
                return args.get(i + 1).cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                return Some(v.to_string());
            }
            if n.len() == 2 && !n.starts_with("--") && a.starts_with(n) && a.len() > 2 && !a.starts_with("--") {
                return Some(a[2..].to_string());
            }
        }
    }
    None
}

/// A shell variable reference (`$TOKEN`, `${API_KEY}`) → a secret reference with a lower-case name.
fn secretize(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(e) => (&inner[..e], e + 2),
                None => ("", 0),
            }
        } else {
            let e = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            (&after[..e], e)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
        } else {
            out.push_str(&format!("{{{{secret:{}}}}}", name.to_ascii_lowercase()));
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// `<test-api-key>` placeholders → `{{secret:test_api_key}}`, so the value comes from the keyring, not the file.
fn placeholders_to_secrets(value: &str) -> String {
    let t = value.trim();
    if t.starts_with('<') && t.ends_with('>') && t.len() > 2 {
        let name: String = t[1..t.len() - 1]
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        return format!("{{{{secret:{name}}}}}");
    }
    value.to_string()
}

fn curl(args: &[String], reason: String) -> Option<Suggestion> {
    let mut method: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut insecure = false;
    let mut url: Option<String> = None;
    let mut has_data = false;
    let mut i = 0;
    // Options that take a value (so their value is not mistaken for the URL).
    let takes_value = [
        "-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "-o", "--output", "-u",
        "--user", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-A", "--user-agent", "-e",
        "--referer", "--retry", "-T", "--upload-file", "-b", "--cookie", "-F", "--form", "--cacert", "--resolve",
    ];
    while i < args.len() {
        let a = args[i].as_str();
        let next = args.get(i + 1).cloned();
        match a {
            "-X" | "--request" => method = next.clone(),
            "-H" | "--header" => {
                if let Some((k, v)) = next.as_deref().and_then(|h| h.split_once(':')) {
                    headers.push((k.trim().to_string(), secretize(&placeholders_to_secrets(v.trim()))));
                }
            }
            "-I" | "--head" => method = Some("HEAD".into()),
            "-k" | "--insecure" => insecure = true,
            "-d" | "--data" | "--data-raw" | "--data-binary" | "-F" | "--form" | "-T" | "--upload-file" => has_data = true,
            // Credentials on the command line cannot become a probe without a secret: not suggested.
            "-u" | "--user" => return None,
            _ if a.starts_with("http://") || a.starts_with("https://") => url = Some(a.to_string()),
            _ if a.starts_with("-") && !a.starts_with("--") && a.len() > 2 && !takes_value.contains(&a) => {
                // Combined short flags such as -fsSL or -kI.
                if a.contains('k') {
                    insecure = true;
                }
                if a.contains('I') {
                    method = Some("HEAD".into());
                }
            }
            _ => {}
        }
        i += if takes_value.contains(&a) { 2 } else { 1 };
    }
    let url = url?;
    if url.contains("...") || url.contains('<') {
        return None; // a placeholder, not an address
    }
    // Sending data is an action (or needs a body we cannot guess), not a check.
    if has_data {
        return None;
    }
    let mut toml = format!("kind = \"http\"\nurl = {}\n", q(&url));
    if let Some(m) = method {
        if m != "GET" {
            toml.push_str(&format!("method = {}\n", q(&m.to_ascii_uppercase())));
        }
    }
    if !headers.is_empty() {
        let parts: Vec<String> = headers.iter().map(|(k, v)| format!("{} = {}", q(k), q(v))).collect();
        toml.push_str(&format!("headers = {{ {} }}\n", parts.join(", ")));
    }
    if insecure {
        toml.push_str("insecure = true\n");
    }
    make(toml, reason)
}

fn redis_cli(args: &[String], reason: String) -> Option<Suggestion> {
    if !args.iter().any(|a| a.eq_ignore_ascii_case("ping")) {
        return None;
    }
    let (mut host, mut port) = ("127.0.0.1".to_string(), "6379".to_string());
    if let Some(u) = opt_value(args, &["-u"]) {
        // redis://[user:pass@]host:port/db
        let rest = u.trim_start_matches("redis://").trim_start_matches("rediss://");
        let hostport = rest.rsplit('@').next().unwrap_or(rest).split('/').next().unwrap_or("");
        match hostport.rsplit_once(':') {
            Some((h, p)) => {
                host = h.to_string();
                port = p.to_string();
            }
            None if !hostport.is_empty() => host = hostport.to_string(),
            None => {}
        }
    }
    if let Some(h) = opt_value(args, &["-h"]) {
        host = h;
    }
    if let Some(p) = opt_value(args, &["-p"]) {
        port = p;
    }
    let mut toml = format!("kind = \"redis\"\naddress = {}\n", q(&format!("{host}:{port}")));
    if let Some(pw) = opt_value(args, &["-a", "--pass"]) {
        let name = if pw.starts_with('$') { secretize(&pw) } else { "{{secret:redis_password}}".to_string() };
        toml.push_str(&format!("password = {}\n", q(&name)));
    }
    make(toml, reason)
}

fn psql(args: &[String], reason: String) -> Option<Suggestion> {
    let query = opt_value(args, &["-c", "--command"])?;
    let url_arg = args.iter().find(|a| a.starts_with("postgres://") || a.starts_with("postgresql://"));
    let url = match url_arg {
        Some(u) => u.clone(),
        None => {
            let host = opt_value(args, &["-h", "--host"]).unwrap_or_else(|| "localhost".into());
            let port = opt_value(args, &["-p", "--port"]).unwrap_or_else(|| "5432".into());
            let user = opt_value(args, &["-U", "--username"]).unwrap_or_else(|| "postgres".into());
            let db = opt_value(args, &["-d", "--dbname"])
                .or_else(|| {
                    // psql [options] dbname: the first positional word that is not an option value.
                    let mut skip = false;
                    let vals = ["-h", "--host", "-p", "--port", "-U", "--username", "-c", "--command", "-d", "--dbname", "-f"];
                    args.iter()
                        .find(|a| {
                            if skip {
                                skip = false;
                                return false;
                            }
                            if vals.contains(&a.as_str()) {
                                skip = true;
                                return false;
                            }
                            !a.starts_with('-')
                        })
                        .cloned()
                })
                .unwrap_or_else(|| user.clone());
            format!("postgres://{user}@{host}:{port}/{db}")
        }
    };
    let query = query.trim().trim_end_matches(';').to_string();
    // Only read-only checks: SELECT / SHOW.
    let upper = query.to_ascii_uppercase();
    if !(upper.starts_with("SELECT") || upper.starts_with("SHOW")) {
        return None;
    }
    let mut toml = format!("kind = \"postgres\"\nurl = {}\n", q(&url));
    if upper != "SELECT 1" {
        toml.push_str(&format!("query = {}\n", q(&query)));
    }
    make(toml, reason)
}

/// Suggestions from the item's words ("Port 8001 available", "Minimum 10GB disk space available", "X is set").
pub fn suggest_from_text(text: &str) -> Vec<Suggestion> {
    let plain = text.replace(['*', '`'], "");
    let lower = plain.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let raw_words: Vec<&str> = plain.split_whitespace().collect();
    let mut out = Vec::new();

    // "Port 8001 available|free|open for use|not in use"
    for (i, w) in words.iter().enumerate() {
        if *w == "port" {
            if let Some(p) = words.get(i + 1).map(|p| p.trim_matches(|c: char| !c.is_ascii_digit())) {
                if let Ok(port) = p.parse::<u16>() {
                    let rest = words[i + 2..].join(" ");
                    if ["available", "free", "not in use", "unused", "is free", "is available"].iter().any(|k| rest.starts_with(k) || rest.contains(&format!(" {k}")))
                    {
                        if let Some(s) = make(
                            format!("kind = \"port_free\"\nport = {port}\n"),
                            format!("from \"{}\"", plain.trim()),
                        ) {
                            out.push(s);
                        }
                    }
                }
            }
        }
    }

    // "Minimum 10GB disk space available", "At least 20 GB free disk space"
    if lower.contains("disk") && (lower.contains("minimum") || lower.contains("at least") || lower.contains("free")) {
        for (i, w) in words.iter().enumerate() {
            let (candidate, next) = (w.to_string(), words.get(i + 1).copied().unwrap_or(""));
            let size = if candidate.chars().next().is_some_and(|c| c.is_ascii_digit())
                && candidate.chars().any(|c| c.is_ascii_alphabetic())
            {
                Some(candidate)
            } else if candidate.chars().all(|c| c.is_ascii_digit() || c == '.') && !candidate.is_empty() {
                Some(format!("{candidate}{next}"))
            } else {
                None
            };
            if let Some(size) = size {
                let size = size.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).to_ascii_uppercase();
                if let Ok(b) = size.parse::<crate::probe::ByteSize>() {
                    if b.0 >= 1_000_000 {
                        if let Some(s) = make(
                            format!("kind = \"disk\"\npath = \"/\"\nmin_free = {}\n", q(&size)),
                            format!("from \"{}\" (check the path the service writes to)", plain.trim()),
                        ) {
                            out.push(s);
                        }
                        break;
                    }
                }
            }
        }
    }

    // "`.env.production` file created from template", "`/etc/app/config.yml` exists"
    let says_exists = ["created", "exists", "present", "in place"].iter().any(|k| lower.contains(k));
    if says_exists && (lower.contains("file") || lower.contains("exists")) {
        for code in inline_code(text) {
            let c = code.trim();
            let pathish = !c.contains(char::is_whitespace)
                && (c.starts_with('.') || c.starts_with('/') || c.starts_with("~/") || c.contains('/'));
            if pathish {
                if let Some(s) = make(format!("kind = \"file\"\npath = {}\n", q(c)), format!("from \"{}\"", plain.trim())) {
                    out.push(s);
                }
                break;
            }
        }
    }

    // "OPENAI_API_KEY is set", "Environment variable DATABASE_URL set"
    for (i, w) in raw_words.iter().enumerate() {
        let name = w.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        let is_var = name.len() >= 3
            && name.contains('_')
            && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if !is_var {
            continue;
        }
        let after = words[i + 1..].join(" ");
        if after.starts_with("is set") || after.starts_with("set") || after.starts_with("is defined") || after.starts_with("defined") || after.starts_with("configured") || after.starts_with("is configured") {
            if let Some(s) = make(format!("kind = \"env\"\nname = {}\n", q(name)), format!("from \"{}\"", plain.trim())) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        suggest_command_text(text).into_iter().map(|s| s.spec.check.kind().to_string()).collect()
    }

    fn one(text: &str) -> String {
        let s = suggest_command_text(text);
        assert_eq!(s.len(), 1, "{text}: {s:?}");
        s[0].toml.clone()
    }

    #[test]
    fn commands_map_to_typed_probes() {
        assert_eq!(one("curl http://localhost:8001/health"), "kind = \"http\"\nurl = \"http://localhost:8001/health\"\n");
        assert!(one("curl -f -s http://x:1/h").contains("url = \"http://x:1/h\""));
        assert!(one("curl -I https://api.example.com/v1/health").contains("method = \"HEAD\""));
        assert!(one("curl -X GET http://localhost:8000/v1/bot \\\n  -H \"Authorization: Bearer $TOKEN\"")
            .contains("Authorization = \"Bearer {{secret:token}}\""));
        assert!(one("curl -fsSLk https://h/").contains("insecure = true"));
        assert_eq!(one("redis-cli ping"), "kind = \"redis\"\naddress = \"127.0.0.1:6379\"\n");
        assert_eq!(one("redis-cli -h cache.internal -p 6380 ping"), "kind = \"redis\"\naddress = \"cache.internal:6380\"\n");
        assert!(one("psql -h db -U app -d shop -c \"SELECT 1\"").contains("url = \"postgres://app@db:5432/shop\""));
        assert!(one("psql postgres://u@h/db -c 'select count(*) from t'").contains("query = \"select count(*) from t\""));
        assert_eq!(one("nc -z db.internal 5432"), "kind = \"tcp\"\naddress = \"db.internal:5432\"\n");
        assert_eq!(one("nc -zv 10.0.0.5 443"), "kind = \"tcp\"\naddress = \"10.0.0.5:443\"\n");
        assert_eq!(one("dig +short api.example.com"), "kind = \"dns\"\nname = \"api.example.com\"\n");
        assert_eq!(one("nslookup api.example.com"), "kind = \"dns\"\nname = \"api.example.com\"\n");
        assert_eq!(one("openssl s_client -connect api.example.com:443 -servername api.example.com"), "kind = \"tls\"\naddress = \"api.example.com:443\"\nserver_name = \"api.example.com\"\n");
    }

    #[test]
    fn actions_and_placeholders_get_nothing() {
        for c in [
            "docker compose -f docker-compose.prod.yml up -d ai_assistant",
            "python manage.py migrate bot",
            "curl -X POST http://x/api -d '{}'",
            "curl https://...",
            "redis-cli info",
            "psql -c \"DROP TABLE x\"",
            "nc db 5432",
            "# curl http://commented.out/",
            "redis-server",
        ] {
            assert!(kinds(c).is_empty(), "{c}: {:?}", kinds(c));
        }
    }

    #[test]
    fn block_commands_are_read_line_by_line() {
        let block = "# Test Redis connection\nredis-cli ping\n# Expected: PONG\n\n# Check health\ncurl https://api.example.com/v1/health | jq .";
        assert_eq!(kinds(block), vec!["redis", "http"]);
        assert!(one("psql -h db -U u -d d -c \"SELECT count(*) FROM pg_stat_activity;\"").contains("query = \"SELECT count(*) FROM pg_stat_activity\""));
        assert!(one("curl -H \"X-API-KEY: <test-api-key>\" http://h/x").contains("X-API-KEY = \"{{secret:test_api_key}}\""));
        assert_eq!(kinds("cd /srv && curl -f http://h/health | jq .status; redis-cli -p 6380 ping"), vec!["http", "redis"]);
    }

    #[test]
    fn text_maps_to_typed_probes() {
        let k = |t: &str| suggest_from_text(t).into_iter().map(|s| s.toml).collect::<Vec<_>>();
        assert_eq!(k("Port 8001 available"), vec!["kind = \"port_free\"\nport = 8001\n"]);
        assert_eq!(k("Minimum 10GB disk space available"), vec!["kind = \"disk\"\npath = \"/\"\nmin_free = \"10GB\"\n"]);
        assert_eq!(k("At least 20 GB free disk space"), vec!["kind = \"disk\"\npath = \"/\"\nmin_free = \"20GB\"\n"]);
        assert_eq!(k("`OPENAI_API_KEY` is set"), vec!["kind = \"env\"\nname = \"OPENAI_API_KEY\"\n"]);
        assert!(k("Minimum 2GB RAM allocated to container").is_empty());
        assert!(k("All required environment variables set").is_empty());
        assert!(k("Port forwarding configured").is_empty());
        assert_eq!(k("`.env.production` file created from template"), vec!["kind = \"file\"\npath = \".env.production\"\n"]);
        assert!(k("All Python dependencies installed (`requirements.txt`)").is_empty());
    }
}

/// Whether an item is suggested as a rollback trigger, and why: a task item under a rollback heading (phase or
/// section) that reads as a condition to roll back on ("Rollback if error rate > 5% for 5 minutes", "Roll back
/// when …", "Revert if …"), or any item of a section whose title names triggers ("Rollback triggers").
/// The checklist's JSON does not record the suggestion: a run reads it from its frozen checklist through
/// `RunState::is_trigger`, so checklists frozen before triggers existed keep their hashes.
pub fn suggest_trigger(phase: &Phase, section: &Section, item: &Item) -> Option<String> {
    if !(phase.rollback || section.rollback) {
        return None;
    }
    let text = item.text.trim().to_lowercase();
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    const CONDITIONS: [&str; 9] = [
        "rollback if ",
        "rollback when ",
        "roll back if ",
        "roll back when ",
        "roll-back if ",
        "roll-back when ",
        "revert if ",
        "revert when ",
        "rollback trigger",
    ];
    if let Some(c) = CONDITIONS.iter().find(|c| text.starts_with(**c)) {
        return Some(format!("\"{}…\" under a rollback heading", c.trim()));
    }
    if section.title.to_lowercase().contains("trigger") {
        return Some(format!("item of section \"{}\"", section.title));
    }
    None
}
