//! Entry point of the `runsheet-desktop` binary; everything is wired in the library crate.
//! `runsheet-desktop --write-bindings PATH` writes the generated TypeScript bindings and exits (the same text the
//! `bindings_are_current` test compares with the committed file).
//! `RUNSHEET_OPEN_RUN=<run id>` opens that run at launch (the page loads as `index.html?run=<id>`; bench/desktop
//! measures Runsheet with a run open this way). An id with characters other than ASCII letters, digits, `-` and
//! `_` is ignored with a warning.

// Without this a release build on Windows opens a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice() {
        if flag == "--write-bindings" {
            match runsheet_desktop::bindings::export_string().and_then(|ts| std::fs::write(path, ts).map_err(|e| e.to_string())) {
                Ok(()) => return,
                Err(e) => {
                    eprintln!("runsheet-desktop: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    let mut context = tauri::generate_context!();
    if let Some(run) = std::env::var("RUNSHEET_OPEN_RUN").ok().filter(|r| !r.is_empty()) {
        if run.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            for w in context.config_mut().app.windows.iter_mut().filter(|w| w.label == "main") {
                w.url = tauri::WebviewUrl::App(format!("index.html?run={run}").into());
            }
        } else {
            eprintln!("runsheet-desktop: ignoring RUNSHEET_OPEN_RUN={run:?}: not a run id");
        }
    }
    runsheet_desktop::run(context);
}
