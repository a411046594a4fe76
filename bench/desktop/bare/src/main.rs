//! A bare Tauri window with a static page: the floor Runsheet is measured against (bench/desktop/run.sh).
//! Its only command writes the first-paint marker exactly as runsheet-desktop's `mark_painted` does.

#[tauri::command]
fn mark_painted() -> Result<(), String> {
    let Some(path) = std::env::var_os("RUNSHEET_PAINT_MARKER") else { return Ok(()) };
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_micros();
    // One line per paint, appended, as runsheet-desktop writes it (measure.py counts lines).
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(format!("{micros}\n").as_bytes()))
        .map_err(|e| e.to_string())
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![mark_painted])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| eprintln!("bare app: {e}"));
}
