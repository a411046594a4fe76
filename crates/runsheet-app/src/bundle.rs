//! Bundles: a shared run's signed events as one JSON file, for air-gapped sites where laptops cannot reach the
//! team's PostgreSQL. A bundle carries the same events sync would; importing one goes through
//! [`App::merge_remote`], so it is checked (hash, author signature against the member certificate of each
//! event's device, membership) and merged the same way, idempotently.
//!
//! Format `runsheet-bundle/1`: `{ "format", "run_id", "created_at", "device", "events": [...] }`, events in fold
//! order as `runsheet_core::event::Event` serialises them (with `device_seq` and `author`). Readers refuse any
//! other `format`. Left out: transport (copy the file however the site allows) and encryption (a bundle holds the
//! run's events in the clear, as the team database does).

use std::path::Path;

use chrono::{DateTime, Utc};
use runsheet_core::event::Event;
use serde::{Deserialize, Serialize};

use crate::export::write_atomically;
use crate::{App, Error, Result};

/// The format tag this build writes and reads.
pub const BUNDLE_FORMAT: &str = "runsheet-bundle/1";

/// The file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub format: String,
    pub run_id: String,
    pub created_at: DateTime<Utc>,
    /// The device that wrote the bundle.
    pub device: String,
    pub events: Vec<Event>,
}

/// What `bundle` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleWritten {
    pub run_id: String,
    pub events: usize,
    /// Whether writing the bundle first recorded this device's membership of the run.
    pub joined: bool,
}

/// What `import_bundle` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleImported {
    pub run_id: String,
    /// Events new to this installation, now stored.
    pub stored: usize,
    /// Events it held already (a replayed bundle stores nothing).
    pub known: usize,
}

impl App {
    /// Write the run's events to `path` as a bundle. The run becomes shared if it was not: this device joins it
    /// first (an identity is needed), so every event it writes from now on is signed and checkable elsewhere.
    pub fn bundle(&self, run: &str, path: &Path) -> Result<BundleWritten> {
        let run_id = self.resolve_run(run)?;
        let joined = self.ensure_member(&run_id)?.is_some();
        let state = self.run(&run_id)?;
        let bundle = Bundle {
            format: BUNDLE_FORMAT.to_string(),
            run_id: run_id.clone(),
            created_at: self.now(),
            device: self.device_id()?,
            events: state.timeline,
        };
        let bytes = serde_json::to_vec_pretty(&bundle)
            .map_err(|e| Error::internal(format!("serialising the bundle of run {run_id}: {e}")))?;
        write_atomically(path, &bytes)?;
        Ok(BundleWritten { run_id, events: bundle.events.len(), joined })
    }

    /// Merge a bundle file. With `into`, the bundle must be for that run (id or unique prefix of a run this
    /// installation has). Every event must belong to the bundle's run; each is checked as events pulled from the
    /// team server are; any refusal stores nothing.
    pub fn import_bundle(&self, path: &Path, into: Option<&str>) -> Result<BundleImported> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading bundle {name}"), &e))?;
        let bundle = read_bundle(&name, &bytes)?;
        if let Some(into) = into {
            let target = self.resolve_run(into)?;
            if target != bundle.run_id {
                return Err(Error::refused(format!(
                    "bundle {name} is for run {}, not run {target}: nothing imported",
                    bundle.run_id
                )));
            }
        }
        if let Some(stray) = bundle.events.iter().find(|e| e.run_id != bundle.run_id) {
            return Err(Error::refused(format!(
                "bundle {name} is for run {} but event {} belongs to run {}: nothing imported",
                bundle.run_id, stray.id, stray.run_id
            )));
        }
        let out = self
            .merge_remote(bundle.events)
            .map_err(|e| e.context(format!("importing bundle {name} (nothing imported)")))?;
        Ok(BundleImported { run_id: bundle.run_id, stored: out.stored, known: out.known })
    }
}

/// Parse a bundle, refusing other formats with what to do.
pub fn read_bundle(name: &str, bytes: &[u8]) -> Result<Bundle> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
    }
    let head: Head =
        serde_json::from_slice(bytes).map_err(|e| Error::invalid(format!("{name} is not a runsheet bundle: {e}")))?;
    match head.format.as_deref() {
        Some(BUNDLE_FORMAT) => {}
        Some(f) if f.starts_with("runsheet-bundle/") => {
            return Err(Error::invalid(format!(
                "{name} is a {f} bundle; this runsheet reads {BUNDLE_FORMAT}: upgrade runsheet to import it"
            )))
        }
        _ => return Err(Error::invalid(format!("{name} is not a runsheet bundle (no format {BUNDLE_FORMAT})"))),
    }
    let bundle: Bundle =
        serde_json::from_slice(bytes).map_err(|e| Error::invalid(format!("reading bundle {name}: {e}")))?;
    if bundle.events.is_empty() {
        return Err(Error::invalid(format!("bundle {name} holds no events")));
    }
    Ok(bundle)
}
