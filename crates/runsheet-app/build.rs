//! Build script: embeds the bundled templates (`checklists/*.md` at the repository root) as
//! `$OUT_DIR/templates.rs`, `(file name, contents)` pairs, so every front end ships them with no resource lookup.

use std::path::Path;

fn main() {
    // Read at run time, not `env!` (compile time): a build script binary reused from another checkout (a copied
    // target dir) would otherwise embed that checkout's templates, or none once it is gone.
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else { panic!("cargo sets CARGO_MANIFEST_DIR") };
    let dir = Path::new(&manifest).join("../../checklists");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "md"));
    files.sort();
    let mut out = String::from("&[\n");
    for p in files {
        let Ok(abs) = p.canonicalize() else { continue };
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", abs.display().to_string()));
    }
    out.push_str("]\n");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else { panic!("cargo sets OUT_DIR for build scripts") };
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("templates.rs"), out) {
        panic!("writing templates.rs: {e}");
    }
}
