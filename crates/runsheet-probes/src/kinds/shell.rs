//! `shell` probes: `sh -c COMMAND` in its own process group, stdout and stderr merged into one pipe that is read
//! while the command runs (hashed in full, the first 64 KiB kept), the whole group killed at the deadline.
//!
//! Secrets never appear in the command line (visible in `ps`): every referenced secret is passed as the
//! environment variable `RUNSHEET_SECRET_<NAME>` (upper case, non-alphanumerics as `_`), and a `{{secret:NAME}}`
//! in `command` becomes `${RUNSHEET_SECRET_<NAME>}`. Values in the `env` table are substituted directly (they are
//! environment variables already). When the command exits, anything it left running in its group is killed:
//! a probe must not leave processes behind. Unix only.

use std::collections::BTreeMap;

use runsheet_core::probe::{parse_secret_refs, Outcome};
use tokio::time::Instant;

use super::Attempt;
use crate::secrets::ResolvedSecrets;

/// The environment variable a secret is passed in.
pub fn secret_env_name(name: &str) -> String {
    let mut s = String::from("RUNSHEET_SECRET_");
    s.extend(name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }));
    s
}

/// `command` with each `{{secret:NAME}}` replaced by a reference to its environment variable.
fn command_with_env_refs(command: &str) -> String {
    let mut out = String::new();
    let mut rest = command;
    while let Some(i) = rest.find("{{secret:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "{{secret:".len()..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&format!("${{{}}}", secret_env_name(after[..end].trim())));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(not(unix))]
pub(crate) async fn run(
    _command: &str,
    _cwd: Option<&str>,
    _env: &BTreeMap<String, String>,
    _expect_exit: i32,
    _secrets: &ResolvedSecrets,
    _deadline: Instant,
) -> Attempt {
    Attempt::error("shell probes need a Unix shell; not supported on this platform yet".into())
}

/// Kills the whole process group when dropped (timeout, cancellation, or the command finished).
#[cfg(unix)]
struct GroupGuard(Option<i32>);

#[cfg(unix)]
impl GroupGuard {
    fn kill(&mut self) {
        if let Some(pgid) = self.0.take() {
            // ESRCH (group already gone) is the normal case after a clean exit.
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

#[cfg(unix)]
impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
pub(crate) async fn run(
    command: &str,
    cwd: Option<&str>,
    env: &BTreeMap<String, String>,
    expect_exit: i32,
    secrets: &ResolvedSecrets,
    deadline: Instant,
) -> Attempt {
    use std::os::fd::OwnedFd;
    use std::process::Stdio;
    use tokio::io::AsyncReadExt;

    use crate::capture::Capture;

    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(command_with_env_refs(command));
    cmd.process_group(0).stdin(Stdio::null()).kill_on_drop(true);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut names: Vec<String> = parse_secret_refs(command).unwrap_or_default();
    for (k, v) in env {
        names.extend(parse_secret_refs(v).unwrap_or_default());
        match secrets.substitute(v) {
            Ok(val) => {
                cmd.env(k, val);
            }
            Err(m) => return Attempt::error(m),
        }
    }
    for n in names {
        match secrets.get(&n) {
            Some(v) => {
                cmd.env(secret_env_name(&n), v.expose());
            }
            None => return Attempt::error(format!("secret `{n}` is not available")),
        }
    }
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return Attempt::error(format!("creating the output pipe: {e}")),
    };
    let writer2 = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return Attempt::error(format!("creating the output pipe: {e}")),
    };
    cmd.stdout(Stdio::from(writer)).stderr(Stdio::from(writer2));
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Attempt::error(format!("starting sh: {e}")),
    };
    // Our copies of the pipe's write end must go, or the read side never sees end-of-file.
    drop(cmd);
    let mut guard = GroupGuard(child.id().and_then(|id| i32::try_from(id).ok()));
    let mut rx = match tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader)) {
        Ok(r) => r,
        Err(e) => return Attempt::error(format!("reading the output pipe: {e}")),
    };
    let mut capture = Capture::new(secrets.masker().longest());
    let mut buf = vec![0u8; 64 * 1024];
    let mut status = None;
    let mut timed_out = false;
    let sleep = tokio::time::sleep_until(deadline);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            r = rx.read(&mut buf) => match r {
                Ok(0) | Err(_) => break,
                Ok(n) => capture.push(&buf[..n]),
            },
            s = child.wait(), if status.is_none() => {
                status = Some(s);
                // The command is done: stop whatever it left running so the pipe reaches end-of-file.
                guard.kill();
            }
            () = &mut sleep => {
                timed_out = true;
                break;
            }
        }
    }
    guard.kill();
    if status.is_none() {
        // Killed above (or the pipe closed early): reap the child; SIGKILL makes this immediate.
        status = Some(child.wait().await);
    }
    let exit_code = status.as_ref().and_then(|s| s.as_ref().ok()).and_then(|s| s.code());
    let mut a = if timed_out {
        let how = if exit_code.is_some() { "output still open" } else { "still running" };
        Attempt::timeout(format!("{how} at the timeout; process group killed"))
    } else {
        match &status {
            Some(Ok(s)) => match s.code() {
                Some(c) => Attempt::check(c == expect_exit, format!("exit {c}, expected {expect_exit}")),
                None => Attempt::new(Outcome::Fail, format!("killed by a signal ({s})")),
            },
            Some(Err(e)) => Attempt::error(format!("waiting for the command: {e}")),
            None => Attempt::error("the command vanished".into()),
        }
    };
    a.exit_code = if timed_out { None } else { exit_code };
    a.capture = Some(capture);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_commands_become_env_references() {
        assert_eq!(secret_env_name("db.pass-1"), "RUNSHEET_SECRET_DB_PASS_1");
        assert_eq!(
            command_with_env_refs("curl -H \"X: {{secret:tok}}\" x"),
            "curl -H \"X: ${RUNSHEET_SECRET_TOK}\" x"
        );
    }
}
