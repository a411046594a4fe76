//! Fuzz target: any bytes through `parse_bytes`; it must return a checklist or an error, never panic, and a
//! parsed checklist must render without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(checklist) = runsheet_core::import::parse_bytes("fuzz.md", data) {
        let md = runsheet_core::render::checklist_to_markdown(&checklist);
        let _ = runsheet_core::import::parse("fuzz.md", &md);
    }
});
