//! Commands, one file per domain. Each parses its input, calls `runsheet_app::App` on the blocking pool and maps
//! the result: a screenful at most. They never import each other: shared wire types are in `crate::wire`,
//! managed state in `crate::state`, everything else in runsheet-app.

pub mod clock;
pub mod contacts;
pub mod dialogs;
pub mod export;
pub mod library;
pub mod names;
pub mod probes;
pub mod rollback;
pub mod runs;
pub mod secrets;
pub mod settings;
pub mod signoff;
