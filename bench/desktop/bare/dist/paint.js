// Reports the first frame the same way runsheet-desktop's UI does: after two animation frames.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('mark_painted')));
