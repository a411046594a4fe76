//! Events pushed from Rust to the UI (typed in the generated bindings): probe status while probes run, and files
//! dropped onto the window.
//!
//! Left out: events for changes the UI itself asked for (a command's return value already carries them).

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Where a probe execution is (ui/src/lib/backend/types.ts re-exports it from the bindings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ProbeState {
    Queued,
    Running,
    Pass,
    Fail,
    Timeout,
    Error,
}

/// One step of one probe of one item: queued, running, then a final state with its evidence.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ProbeStatusEvent {
    pub run_id: String,
    pub item: String,
    /// Index into the item's probes.
    pub probe: u32,
    pub state: ProbeState,
    pub duration_ms: Option<f64>,
    /// The stored evidence (masked output), once finished.
    pub evidence: Option<serde_json::Value>,
    pub message: Option<String>,
}

/// Files dropped onto the window, as absolute paths (Tauri's drag-drop window event).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct FilesDropped {
    pub paths: Vec<String>,
}
