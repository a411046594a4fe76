//! The runner: schedules probe jobs on tokio under a semaphore, applies each probe's timeout and retries with
//! exponential backoff, honours cancellation, and turns each execution into masked `Evidence`.
//!
//! It records nothing itself: results go back to the caller in job order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use runsheet_core::probe::{Evidence, Outcome, ProbeCheck, ProbeSpec, SecretRefusal};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::kinds::{self, Attempt};
use crate::secrets::ResolvedSecrets;

/// Probes run at once by default: enough that 50 hanging targets do not delay the rest.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// One probe to execute.
#[derive(Debug, Clone)]
pub struct ProbeJob {
    pub item: String,
    /// Index of the probe among the item's probes.
    pub index: u32,
    pub spec: ProbeSpec,
    /// Shell probes run only when the operator armed them for the run.
    pub armed: bool,
    /// Set by the caller when a secret of the probe may not go where it sends it: the job then records this as
    /// its evidence (outcome `error`) without any connection, and its secrets need not be resolved.
    pub refusal: Option<SecretRefusal>,
}

#[derive(Debug, Clone)]
pub struct ProbeResult {
    pub item: String,
    pub evidence: Evidence,
}

#[derive(Debug, Clone)]
pub struct Runner {
    limit: Arc<Semaphore>,
    cancel: CancellationToken,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new(DEFAULT_CONCURRENCY)
    }
}

impl Runner {
    pub fn new(concurrency: usize) -> Self {
        Runner { limit: Arc::new(Semaphore::new(concurrency.max(1))), cancel: CancellationToken::new() }
    }

    /// Cancel this token to stop every running and queued probe (they record an `error` outcome "cancelled").
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Run every job; results come back in job order.
    pub async fn run(&self, jobs: Vec<ProbeJob>, secrets: Arc<ResolvedSecrets>) -> Vec<ProbeResult> {
        let mut handles = Vec::with_capacity(jobs.len());
        for job in jobs {
            let runner = self.clone();
            let secrets = secrets.clone();
            handles.push(tokio::spawn(async move {
                let evidence = runner.run_one(&job, &secrets).await;
                ProbeResult { item: job.item, evidence }
            }));
        }
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            match h.await {
                Ok(r) => out.push(r),
                // A panicking probe is a bug; keep the others' results rather than losing the batch.
                Err(e) => tracing_fallback(&e.to_string()),
            }
        }
        out
    }

    /// Run one job under the concurrency limit, with retries, and return its evidence.
    pub async fn run_one(&self, job: &ProbeJob, secrets: &ResolvedSecrets) -> Evidence {
        let started_at = Utc::now();
        let clock = Instant::now();
        let spec = &job.spec;
        let finish = |a: Attempt, attempts: u32| -> Evidence {
            let masker = secrets.masker();
            let captured = a.capture.map(|c| c.finish(masker));
            let ended_at = Utc::now();
            Evidence {
                kind: spec.check.kind().to_string(),
                target: masker.mask(&spec.check.target()),
                probe: job.index,
                started_at,
                ended_at,
                duration_ms: clock.elapsed().as_millis() as u64,
                outcome: a.outcome,
                attempts,
                status_code: a.status_code,
                exit_code: a.exit_code,
                sha256: captured.as_ref().map(|c| c.sha256.clone()),
                bytes: captured.as_ref().map(|c| c.bytes).unwrap_or(0),
                excerpt: captured.as_ref().map(|c| c.excerpt.clone()).unwrap_or_default(),
                excerpt_truncated: captured.as_ref().is_some_and(|c| c.truncated),
                detail: masker.mask(&a.detail),
                fresh_for_secs: spec.fresh_for.0.as_secs(),
                refusal: job.refusal.clone(),
            }
        };

        // Checked before anything else, so a refused secret is never substituted and no connection is made.
        if let Some(r) = &job.refusal {
            return finish(Attempt::error(r.message.clone()), 0);
        }
        if matches!(spec.check, ProbeCheck::Shell { .. }) && !job.armed {
            return finish(
                Attempt::error(format!("shell probe not armed: run `runsheet probe arm RUN {}` first", job.item)),
                0,
            );
        }
        if let Some(why) = secrets.missing_for(spec) {
            return finish(Attempt::error(why), 0);
        }

        let _permit = tokio::select! {
            p = self.limit.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return finish(Attempt::error("runner closed".into()), 0),
            },
            () = self.cancel.cancelled() => return finish(Attempt::error("cancelled".into()), 0),
        };

        let mut attempts = 0;
        let mut backoff = Duration::from_millis(200);
        loop {
            attempts += 1;
            let deadline = tokio::time::Instant::now() + spec.timeout.0;
            let attempt = tokio::select! {
                a = kinds::attempt(&spec.check, deadline, secrets) => a,
                () = self.cancel.cancelled() => return finish(Attempt::error("cancelled".into()), attempts),
            };
            if attempt.outcome == Outcome::Pass || attempts > spec.retries {
                return finish(attempt, attempts);
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = self.cancel.cancelled() => return finish(attempt, attempts),
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }
}

fn tracing_fallback(message: &str) {
    eprintln!("runsheet-probes: a probe task panicked: {message}");
}
