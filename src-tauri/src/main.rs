//! Entry point of the `runsheet-desktop` binary; everything is wired in the library crate.
//! `runsheet-desktop --write-bindings PATH` writes the generated TypeScript bindings and exits (the same text the
//! `bindings_are_current` test compares with the committed file).

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
    runsheet_desktop::run(tauri::generate_context!());
}
