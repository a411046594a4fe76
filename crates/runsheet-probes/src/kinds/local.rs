//! `disk`, `env` and `file` probes: facts about the machine running Runsheet.
//!
//! `env` never records the variable's value (it may be a credential), only that it is set and its length.

use super::Attempt;

pub(crate) async fn disk(path: &str, min_free: u64) -> Attempt {
    let p = path.to_string();
    match tokio::task::spawn_blocking(move || free_bytes(&p)).await {
        Ok(Ok(free)) => Attempt::check(
            free >= min_free,
            format!("{} free on {path} (minimum {})", human(free), human(min_free)),
        ),
        Ok(Err(e)) => Attempt::error(format!("cannot read free space of {path}: {e}")),
        Err(e) => Attempt::error(format!("disk probe task failed: {e}")),
    }
}

#[cfg(unix)]
fn free_bytes(path: &str) -> Result<u64, String> {
    let s = nix::sys::statvfs::statvfs(path).map_err(|e| e.desc().to_string())?;
    // Space available to unprivileged users (f_bavail), in fragment-size units.
    Ok((s.blocks_available() as u64).saturating_mul(s.fragment_size() as u64))
}

#[cfg(not(unix))]
fn free_bytes(_path: &str) -> Result<u64, String> {
    Err("disk probes are not supported on this platform yet".into())
}

fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

pub(crate) fn env(name: &str) -> Attempt {
    match std::env::var_os(name) {
        None => Attempt::fail(format!("{name} is not set")),
        Some(v) if v.is_empty() => Attempt::fail(format!("{name} is set but empty")),
        Some(v) => Attempt::pass(format!("{name} is set ({} characters; value not recorded)", v.len())),
    }
}

pub(crate) async fn file(path: &str) -> Attempt {
    match tokio::fs::metadata(path).await {
        Ok(m) if m.is_dir() => Attempt::pass(format!("{path} exists (directory)")),
        Ok(m) => Attempt::pass(format!("{path} exists ({} bytes)", m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Attempt::fail(format!("{path} does not exist")),
        Err(e) => Attempt::error(format!("cannot check {path}: {e}")),
    }
}
