//! Where a probe sends what it carries, and the one rule deciding whether a secret may go there: a secret's
//! [`SecretBinding`] names the hosts it may be sent to and whether shell probes may receive it; a run's grants
//! (`EventBody::SecretGranted`) add hosts for that run only.
//!
//! Pure: the binding is read from the keyring and the grants folded from the run by the caller. Left out: DNS
//! resolution (a host is compared as written, so `localhost` is not `127.0.0.1`) and what a secret's value
//! contains (values are substituted after this check, by the runner).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{secret_refs, ProbeCheck, ProbeSpec};

/// Where a probe's strings (and so its secrets) go when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Nothing leaves the machine (disk, file, env, port_free).
    Local,
    /// Sent over the network to these hosts (lower case, no port, IPv6 without brackets); several for a
    /// PostgreSQL URL naming more than one host.
    Hosts(BTreeSet<String>),
    /// Handed to a shell command, which may send it anywhere: allowed only by [`SecretBinding::allow_shell`].
    Shell,
    /// The destination cannot be known before the secrets are substituted (the host is itself a secret, a unix
    /// socket, the system's DNS resolver): no secret may go there.
    Unknown(String),
}

/// The word a shell destination is shown as (in refusals and in the desktop's grant question).
pub const SHELL_DESTINATION: &str = "shell";

/// The destination of a probe: http the URL's host; tcp, tls and redis the address's host; postgres every host of
/// the URL (including `host=`/`hostaddr=` parameters); dns the system resolver (no spec names a server, so it is
/// unknown); disk, file, env and port_free nothing; shell the shell.
pub fn destination(check: &ProbeCheck) -> Destination {
    match check {
        ProbeCheck::Http { url, .. } => url_hosts(url),
        ProbeCheck::Tcp { address } | ProbeCheck::Tls { address, .. } | ProbeCheck::Redis { address, .. } => {
            one_host(address_host(address))
        }
        ProbeCheck::Postgres { url, .. } => url_hosts(url),
        ProbeCheck::Dns { .. } => {
            Destination::Unknown("a dns probe sends its name to the system's resolver, which no binding can name".into())
        }
        ProbeCheck::Disk { .. } | ProbeCheck::File { .. } | ProbeCheck::Env { .. } | ProbeCheck::PortFree { .. } => {
            Destination::Local
        }
        ProbeCheck::Shell { .. } => Destination::Shell,
    }
}

/// A host as compared: trimmed, lower case, IPv6 brackets removed. No port, no trailing-dot folding (a binding
/// is exact: `api.example.com.` is another spelling the operator did not allow).
pub fn normalize_host(host: &str) -> String {
    let h = host.trim();
    let h = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(h);
    h.to_ascii_lowercase()
}

fn one_host(host: Option<String>) -> Destination {
    match host {
        Some(h) => Destination::Hosts(BTreeSet::from([h])),
        None => Destination::Unknown("the probe's host cannot be read before its secrets are substituted".into()),
    }
}

/// The host of `host:port` (`[::1]:80` gives `::1`), None when empty or written with a secret reference.
fn address_host(address: &str) -> Option<String> {
    let host = match address.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => address,
    };
    checked_host(host)
}

fn checked_host(host: &str) -> Option<String> {
    let h = normalize_host(host);
    let ok = !h.is_empty() && !h.contains("{{") && !h.contains(['/', '@', '?', '#', ' ', '%', '\\']);
    ok.then_some(h)
}

/// The hosts of a `scheme://[userinfo@]host[:port][,host2…][/path][?query]` URL: the authority's hosts plus, for
/// PostgreSQL, the `host` and `hostaddr` query parameters (which libpq and tokio-postgres let override it).
pub fn url_hosts(url: &str) -> Destination {
    let unknown = || Destination::Unknown(format!("cannot tell which host `{url}` connects to"));
    let Some((_, rest)) = url.split_once("://") else { return unknown() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Browsers and reqwest (WHATWG) end an http authority at `\` too, libpq does not: `http://a\@b/` is host a for
    // one reader and b for the other. A URL that readers disagree on names no host.
    if authority.contains('\\') {
        return unknown();
    }
    // Userinfo may itself hold `{{secret:…}}` (with its colon); the host starts after the last `@`.
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut hosts = BTreeSet::new();
    for part in hostport.split(',') {
        if part.is_empty() {
            continue;
        }
        let host = if part.starts_with('[') {
            part.find(']').map(|i| &part[..=i])
        } else {
            Some(part.rsplit_once(':').map_or(part, |(h, _)| h))
        };
        match host.and_then(checked_host) {
            Some(h) => {
                hosts.insert(h);
            }
            None => return unknown(),
        }
    }
    let query = rest[end..].split_once('?').map(|(_, q)| q.split('#').next().unwrap_or(""));
    for pair in query.unwrap_or("").split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k.eq_ignore_ascii_case("host") || k.eq_ignore_ascii_case("hostaddr") {
            for h in v.split(',') {
                // A path is a unix socket directory: local in fact, but nothing a binding can name.
                match checked_host(h) {
                    Some(h) => {
                        hosts.insert(h);
                    }
                    None => return unknown(),
                }
            }
        }
    }
    if hosts.is_empty() {
        // libpq's default is a local unix socket; an http URL always has a host.
        return unknown();
    }
    Destination::Hosts(hosts)
}

/// Where a secret may be sent: stored next to it in the keyring (it is not secret, but lives with it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretBinding {
    /// Hosts (normalised by [`normalize_host`]) the secret may be sent to.
    #[serde(default)]
    pub hosts: BTreeSet<String>,
    /// Whether shell probes may receive it.
    #[serde(default)]
    pub allow_shell: bool,
}

impl SecretBinding {
    /// A binding to these hosts (normalised), with or without shell.
    pub fn new<'a>(hosts: impl IntoIterator<Item = &'a str>, allow_shell: bool) -> Self {
        SecretBinding { hosts: hosts.into_iter().map(normalize_host).collect(), allow_shell }
    }

    /// An existing secret stored before bindings: it may go nowhere until bound.
    pub fn is_unbound(&self) -> bool {
        self.hosts.is_empty() && !self.allow_shell
    }
}

/// Why a secret may not go where a probe would send it. `host` is [`SHELL_DESTINATION`] for shell probes and
/// empty when the destination is unknown (then nothing can allow it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRefusal {
    pub secret: String,
    pub host: String,
    /// Whether the operator can grant it for the run (hosts only: shell needs `secret allow --shell`).
    pub grantable: bool,
    /// The whole refusal in words, with how to allow it.
    pub message: String,
}

/// The first secret of `spec` that may not go to the probe's destination, given each secret's binding (a secret
/// missing from `bindings` counts as unbound) and the run's grants. None when every secret may go.
pub fn secret_refusal(
    spec: &ProbeSpec,
    bindings: &BTreeMap<String, SecretBinding>,
    grants: &BTreeMap<String, BTreeSet<String>>,
) -> Option<SecretRefusal> {
    let names = secret_refs(spec);
    if names.is_empty() {
        return None;
    }
    let dest = destination(&spec.check);
    let unbound = SecretBinding::default();
    for secret in names {
        let binding = bindings.get(&secret).unwrap_or(&unbound);
        let refusal = |host: &str, grantable: bool, message: String| {
            Some(SecretRefusal { secret: secret.clone(), host: host.to_string(), grantable, message })
        };
        let found = match &dest {
            Destination::Local => None,
            Destination::Shell if binding.allow_shell => None,
            Destination::Shell => refusal(
                SHELL_DESTINATION,
                false,
                format!(
                    "secret `{secret}` may not be given to shell probes: run `runsheet secret allow {secret} --shell` \
                     to allow it (a shell command can send it anywhere)"
                ),
            ),
            Destination::Unknown(why) => refusal(
                "",
                false,
                format!("secret `{secret}` refused: {why}, so it cannot be checked against the hosts the secret is bound to"),
            ),
            Destination::Hosts(hosts) => {
                let granted = grants.get(&secret);
                let allowed = |h: &str| {
                    binding.hosts.contains(h) || granted.is_some_and(|g| g.iter().any(|x| normalize_host(x) == h))
                };
                hosts.iter().find(|h| !allowed(h.as_str())).and_then(|host| {
                    let bound = if binding.hosts.is_empty() {
                        "it is not bound to any host yet".to_string()
                    } else {
                        format!("it is bound to {}", binding.hosts.iter().cloned().collect::<Vec<_>>().join(", "))
                    };
                    refusal(
                        host,
                        true,
                        format!(
                            "secret `{secret}` may not be sent to {host} ({bound}): run `runsheet secret allow {secret} \
                             --host {host}`, or grant it for this run in the desktop"
                        ),
                    )
                })
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
// A failed `expect` in a test is the test failing, with its reason.
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::probe::parse;

    fn dest(toml: &str) -> Destination {
        destination(&parse(toml).expect("a valid probe").check)
    }

    fn hosts(hs: &[&str]) -> Destination {
        Destination::Hosts(hs.iter().map(|h| h.to_string()).collect())
    }

    #[test]
    fn each_kind_names_where_it_sends() {
        assert_eq!(dest("kind = \"http\"\nurl = \"https://API.Example.com:8443/x?y=1\""), hosts(&["api.example.com"]));
        assert_eq!(
            dest("kind = \"http\"\nurl = \"http://u:{{secret:pw}}@127.0.0.1:80/\""),
            hosts(&["127.0.0.1"]),
            "the userinfo is not the host"
        );
        assert_eq!(dest("kind = \"http\"\nurl = \"http://[::1]:80/\""), hosts(&["::1"]));
        assert_eq!(dest("kind = \"tcp\"\naddress = \"db.internal:5432\""), hosts(&["db.internal"]));
        assert_eq!(dest("kind = \"tls\"\naddress = \"[::1]:443\""), hosts(&["::1"]));
        assert_eq!(dest("kind = \"redis\"\naddress = \"127.0.0.2:6379\"\npassword = \"{{secret:r}}\""), hosts(&["127.0.0.2"]));
        assert_eq!(
            dest("kind = \"postgres\"\nurl = \"postgres://u@a.example,b.example:5433/db?host=c.example&sslmode=require\""),
            hosts(&["a.example", "b.example", "c.example"]),
            "every host libpq may connect to counts"
        );
        assert_eq!(dest("kind = \"disk\"\npath = \"/\""), Destination::Local);
        assert_eq!(dest("kind = \"port_free\"\nport = 8001"), Destination::Local);
        assert_eq!(dest("kind = \"shell\"\ncommand = \"true\""), Destination::Shell);
        assert!(matches!(dest("kind = \"dns\"\nname = \"example.com\""), Destination::Unknown(_)));
        assert!(
            matches!(dest("kind = \"http\"\nurl = \"https://{{secret:host}}/\""), Destination::Unknown(_)),
            "a host that is itself a secret cannot be checked"
        );
        assert!(matches!(dest("kind = \"postgres\"\nurl = \"postgres:///db?host=/run/postgresql\""), Destination::Unknown(_)));
        assert!(
            matches!(url_hosts("http://127.0.0.1\\@127.0.0.2/"), Destination::Unknown(_)),
            "reqwest reads host 127.0.0.1 where a plain split reads 127.0.0.2: neither may be offered or granted"
        );
    }

    fn refusal(toml: &str, binding: Option<SecretBinding>, grants: &[(&str, &str)]) -> Option<SecretRefusal> {
        let spec = parse(toml).expect("a valid probe");
        let bindings: BTreeMap<String, SecretBinding> = binding.into_iter().map(|b| ("tok".to_string(), b)).collect();
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (s, h) in grants {
            g.entry(s.to_string()).or_default().insert(h.to_string());
        }
        secret_refusal(&spec, &bindings, &g)
    }

    const HTTP_2: &str = "kind = \"http\"\nurl = \"http://127.0.0.2:9/\"\nheaders = { Authorization = \"{{secret:tok}}\" }";
    const SHELL: &str = "kind = \"shell\"\ncommand = \"echo\"\nenv = { T = \"{{secret:tok}}\" }";

    #[test]
    fn a_secret_goes_only_to_its_hosts_or_this_runs_grants() {
        let bound = || Some(SecretBinding::new(["127.0.0.1"], false));
        let r = refusal(HTTP_2, bound(), &[]).expect("127.0.0.2 is not 127.0.0.1");
        assert_eq!((r.secret.as_str(), r.host.as_str(), r.grantable), ("tok", "127.0.0.2", true));
        assert!(r.message.contains("runsheet secret allow tok --host 127.0.0.2"), "says how to allow it: {}", r.message);
        assert_eq!(refusal(HTTP_2, Some(SecretBinding::new(["127.0.0.2"], false)), &[]), None);
        assert_eq!(refusal(HTTP_2, bound(), &[("tok", "127.0.0.2")]), None, "a grant of the run allows it");
        assert!(refusal(HTTP_2, bound(), &[("other", "127.0.0.2")]).is_some(), "a grant is per secret");
        assert!(refusal(HTTP_2, Some(SecretBinding::new(["localhost"], false)), &[]).is_some(), "no name resolution");
        let unbound = refusal(HTTP_2, None, &[]).expect("an unbound secret goes nowhere");
        assert!(unbound.message.contains("not bound to any host"), "{}", unbound.message);
        assert_eq!(refusal("kind = \"http\"\nurl = \"http://127.0.0.2/\"", None, &[]), None, "no secret, no rule");
    }

    #[test]
    fn hosts_compare_case_insensitively_without_port() {
        let toml = "kind = \"http\"\nurl = \"https://API.example.com:444/\"\nheaders = { X = \"{{secret:tok}}\" }";
        assert_eq!(refusal(toml, Some(SecretBinding::new(["api.EXAMPLE.com"], false)), &[]), None);
        assert_eq!(refusal(toml, None, &[("tok", "Api.Example.Com")]), None);
    }

    #[test]
    fn shell_needs_allow_shell_and_grants_do_not_apply() {
        let r = refusal(SHELL, Some(SecretBinding::new(["127.0.0.1"], false)), &[("tok", "shell")]).expect("refused");
        assert_eq!((r.host.as_str(), r.grantable), (SHELL_DESTINATION, false));
        assert!(r.message.contains("--shell"), "{}", r.message);
        assert_eq!(refusal(SHELL, Some(SecretBinding::new(Vec::new(), true)), &[]), None);
    }

    #[test]
    fn local_probes_need_no_binding() {
        assert_eq!(refusal("kind = \"file\"\npath = \"/tmp/{{secret:tok}}\"", None, &[]), None);
    }
}
