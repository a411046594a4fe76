//! Bounded capture of a response or command output while it streams: every byte is hashed and counted, only the
//! start is kept (the excerpt), so a 1 GB body or 100 MB of output never sits in memory.
//!
//! Masking happens when the capture is finished, on a buffer slightly longer than the excerpt limit, so a secret
//! that straddles the cut is still masked whole before the excerpt is truncated.

use runsheet_core::probe::EXCERPT_LIMIT;
use runsheet_secrets::Masker;
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Capture {
    hasher: Sha256,
    kept: Vec<u8>,
    keep: usize,
    total: u64,
}

/// What a finished capture contributes to evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub sha256: String,
    pub excerpt: String,
    pub truncated: bool,
    pub bytes: u64,
}

impl Capture {
    /// `slack` extra bytes are kept beyond the excerpt limit (the longest secret value) for masking.
    pub fn new(slack: usize) -> Self {
        Capture { hasher: Sha256::new(), kept: Vec::new(), keep: EXCERPT_LIMIT + slack, total: 0 }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.total += chunk.len() as u64;
        let room = self.keep.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The bytes kept so far (for body checks on the start of a response).
    pub fn kept(&self) -> &[u8] {
        &self.kept
    }

    pub fn finish(self, masker: &Masker) -> Captured {
        let sha256 = hex::encode(self.hasher.finalize());
        let text = String::from_utf8_lossy(&self.kept);
        let masked = masker.mask(&text);
        let mut truncated = self.total > self.kept.len() as u64;
        let excerpt = if masked.len() > EXCERPT_LIMIT {
            truncated = true;
            let mut cut = EXCERPT_LIMIT;
            while !masked.is_char_boundary(cut) {
                cut -= 1;
            }
            masked[..cut].to_string()
        } else {
            masked
        };
        Captured { sha256, excerpt, truncated, bytes: self.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_secrets::Sensitive;

    #[test]
    fn keeps_the_start_hashes_everything() {
        let mut c = Capture::new(0);
        let chunk = vec![b'a'; 10_000];
        let mut h = Sha256::new();
        for _ in 0..100 {
            c.push(&chunk);
            h.update(&chunk);
        }
        let got = c.finish(&Masker::new());
        assert_eq!(got.bytes, 1_000_000);
        assert_eq!(got.excerpt.len(), EXCERPT_LIMIT);
        assert!(got.truncated);
        assert_eq!(got.sha256, hex::encode(h.finalize()));
    }

    #[test]
    fn a_secret_across_the_cut_is_masked() {
        let secret = "SECRETVALUE";
        let mut m = Masker::new();
        m.add("s", &Sensitive::new(secret.to_string()));
        let mut c = Capture::new(m.longest());
        c.push(&vec![b'x'; EXCERPT_LIMIT - 4]);
        c.push(secret.as_bytes());
        c.push(b"tail");
        let got = c.finish(&m);
        assert!(!got.excerpt.contains("SECR"), "a secret prefix must not survive truncation");
        assert!(got.excerpt.len() <= EXCERPT_LIMIT);
    }
}
