//! Runsheet desktop shell: wires managed state, commands, events, plugins and window events together.
//! Nothing else lives here: commands are in `commands/<domain>.rs`, the wire error in `wire.rs`, managed state in
//! `state.rs`; every workflow is runsheet-app's.

#[doc(hidden)]
pub use tauri_specta as __tauri_specta;

pub mod bindings;
pub mod commands;
pub mod events;
pub mod state;
pub mod wire;

use std::sync::{Arc, Mutex};

use tauri::{Manager, Runtime};
use tauri_specta::Event;

use crate::state::{Exported, Paths, Perf, Settings};

/// Builds the managed state once; an error here (a damaged or too new database, an unreadable settings file)
/// stops the app at startup with a message.
pub fn manage_state<R: Runtime>(app: &tauri::AppHandle<R>, paths: Paths) -> anyhow::Result<()> {
    let settings = Settings::load(&paths)?;
    let core = runsheet_app::App::new(&paths.home);
    core.open_store().map_err(|e| anyhow::anyhow!("opening {}: {e}", core.db_path().display()))?;
    let core = Arc::new(core);
    // An identity an older version kept beside the probe secrets moves to its own keyring service. Off the start
    // path (a keyring call must not delay the first paint), and a keyring that does not answer now is not fatal:
    // the move is retried at the next start.
    let mover = Arc::clone(&core);
    std::thread::spawn(move || match mover.move_legacy_identity() {
        Ok(true) => tracing::info!("moved the signing identity to its own keyring service"),
        Ok(false) => {}
        Err(e) => tracing::warn!("moving the old signing identity: {e}"),
    });
    app.manage(core);
    app.manage(paths);
    app.manage(Mutex::new(settings));
    app.manage(Perf::default());
    app.manage(Exported::default());
    Ok(())
}

/// Forwards files dropped onto a window to the UI as a `FilesDropped` event.
fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
        let paths = paths.iter().map(|p| p.display().to_string()).collect();
        if let Err(e) = (events::FilesDropped { paths }).emit(window.app_handle()) {
            tracing::warn!("forwarding dropped files: {e}");
        }
    }
}

pub fn run(context: tauri::Context<tauri::Wry>) {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("RUNSHEET_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let specta = bindings::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(specta.invoke_handler())
        .on_window_event(on_window_event)
        .setup(move |app| {
            specta.mount_events(app);
            let paths = Paths::resolve(app.path().app_data_dir().ok())?;
            tracing::info!("data directory {}", paths.home.display());
            manage_state(app.handle(), paths)?;
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("runsheet-desktop: {e:#}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    /// The committed bindings equal a fresh export; `UPDATE_BINDINGS=1` rewrites them.
    #[test]
    fn bindings_are_current() {
        let fresh = crate::bindings::export_string().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::bindings::BINDINGS_PATH);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p runsheet-desktop bindings` and commit it",
            path.display()
        );
    }
}
