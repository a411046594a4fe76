//! Build script: Tauri's codegen inputs plus the app manifest that gates our own commands, so that each command
//! must be allowed by a capability (nothing is reachable from the webview by default).

use std::path::Path;

// The command list (`COMMANDS`), shared with the crate's tests.
include!("src/commands/names.rs");

fn main() {
    // The UI is embedded from ../ui/dist at compile time. When it has not been built yet (a plain
    // `cargo test --workspace`), write a placeholder page so every cargo command still works.
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        println!("cargo:warning=ui/dist is missing: embedding a placeholder page (run `npm run build` in ui/)");
        let page = "<!doctype html><meta charset=utf-8><title>Runsheet</title>\
                    <p>The UI has not been built: run <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>.";
        if let Err(e) = std::fs::create_dir_all(dist).and_then(|()| std::fs::write(dist.join("index.html"), page)) {
            println!("cargo:warning=cannot write the placeholder page: {e}");
        }
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=capabilities");

    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script cannot return an error; this message is what the developer sees.
        panic!("tauri build step failed: {e:#}");
    }
}
