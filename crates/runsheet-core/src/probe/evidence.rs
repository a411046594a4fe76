//! The evidence record one probe execution leaves in a run, and its freshness. Pure: `now` is an argument.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How one probe execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check held.
    Pass,
    /// The target answered and the check did not hold (wrong status, port in use, certificate expiring, ...).
    Fail,
    /// The probe could not be carried out (connection refused, unknown host, missing secret, not armed, ...).
    Error,
    /// No answer within the timeout.
    Timeout,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Timeout => "timeout",
        }
    }
}

/// What one probe execution returned, as stored in an `Evidence` event. Secrets are already masked by value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: String,
    /// What was probed, secrets masked (`GET https://…/health`, `127.0.0.1:6379`).
    pub target: String,
    /// Index of the probe among the item's probes (0 for the first ```probe block).
    #[serde(default)]
    pub probe: u32,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub outcome: Outcome,
    /// Attempts made (1 + retries used).
    #[serde(default = "one")]
    pub attempts: u32,
    /// HTTP status of the last attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Exit code of a shell probe (None when killed by a signal or timed out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Hex SHA-256 of the full response/output as received (before masking), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Bytes of response/output received in total.
    #[serde(default)]
    pub bytes: u64,
    /// Start of the response/output, at most [`EXCERPT_LIMIT`](super::EXCERPT_LIMIT) bytes, secrets masked.
    #[serde(default)]
    pub excerpt: String,
    #[serde(default)]
    pub excerpt_truncated: bool,
    /// One line on why the outcome is what it is, secrets masked.
    pub detail: String,
    /// The probe's freshness window in seconds.
    pub fresh_for_secs: u64,
    /// Set when the probe was refused before any connection because a secret may not go where it sends it
    /// (the detail says the same in words); the desktop offers to grant it from this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<super::SecretRefusal>,
}

fn one() -> u32 {
    1
}

impl Evidence {
    /// When this evidence stops counting as current.
    pub fn fresh_until(&self) -> DateTime<Utc> {
        let secs = i64::try_from(self.fresh_for_secs).unwrap_or(i64::MAX / 2);
        self.ended_at + chrono::TimeDelta::try_seconds(secs).unwrap_or(chrono::TimeDelta::MAX)
    }

    /// Evidence is stale once its freshness window, counted from the end of the execution, has passed.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now > self.fresh_until()
    }

    /// The JSON stored in `EventBody::Evidence { evidence }`.
    pub fn to_value(&self) -> serde_json::Value {
        // Serialising plain data with string keys cannot fail; fall back to Null defensively.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Read evidence back from an event body.
    pub fn from_value(value: &serde_json::Value) -> Result<Evidence, serde_json::Error> {
        Evidence::deserialize(value)
    }
}

/// Free-function form of [`Evidence::is_stale`] for callers holding event JSON.
pub fn is_stale(evidence: &Evidence, now: DateTime<Utc>) -> bool {
    evidence.is_stale(now)
}
