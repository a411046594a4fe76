//! Probe execution: a tokio runner that executes typed probes (`runsheet_core::probe::ProbeSpec`) with a
//! concurrency limit, cancellation, per-attempt timeouts and retries with backoff, and turns every execution into
//! `Evidence` with secrets masked by value.
//!
//! Left out: storing evidence (the caller appends `EventBody::Evidence` through the store) and reading secrets
//! from the keyring inside async code (callers resolve them first with [`ResolvedSecrets::resolve`], a blocking
//! call, so the runner itself never touches D-Bus).

mod capture;
mod kinds;
mod runner;
mod secrets;

pub use capture::{Capture, Captured};
pub use runner::{ProbeJob, ProbeResult, Runner, DEFAULT_CONCURRENCY};
pub use secrets::ResolvedSecrets;

/// Errors of the probe crate itself; a probe that fails is evidence, not an error.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Secrets(#[from] runsheet_secrets::SecretError),
    #[error("starting the probe runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

pub type Result<T> = std::result::Result<T, ProbeError>;

/// Run jobs to completion on a private tokio runtime (for the CLI). Ctrl-C cancels the batch: running probes
/// stop, shell process groups are killed, and every job still returns evidence (outcome `error`, "cancelled").
pub fn run_blocking(jobs: Vec<ProbeJob>, secrets: ResolvedSecrets, concurrency: usize) -> Result<Vec<ProbeResult>> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ProbeError::Runtime)?;
    let runner = Runner::new(concurrency);
    let cancel = runner.cancel_token();
    Ok(rt.block_on(async move {
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        });
        let results = runner.run(jobs, std::sync::Arc::new(secrets)).await;
        watcher.abort();
        results
    }))
}
