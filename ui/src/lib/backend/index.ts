// Chooses the backend once: the Tauri implementation inside the app, else the same implementation over the
// test-only HTTP bridge (`http.ts`: the browser preview and the headless-Chromium suite, served by
// src-tauri/examples/bridge.rs from the real Rust code). Components call `backend()`; nothing outside this folder
// imports @tauri-apps/*.

import { isTauri } from '@tauri-apps/api/core';
import type { Backend } from './types';

export * from './types';

let current: Backend | null = null;

/** Called once by main.ts before mounting. */
export async function initBackend(): Promise<Backend> {
  if (current) return current;
  if (isTauri()) {
    const { TauriBackend } = await import('./tauri');
    current = new TauriBackend();
  } else {
    // The page is served by the bridge (or by `vite`, which forwards /invoke and /events to it).
    const { HttpBackend } = await import('./http');
    current = new HttpBackend('');
  }
  return current;
}

/** The backend chosen by initBackend (tests may install their own with setBackend). */
export function backend(): Backend {
  if (!current) throw new Error('backend used before initBackend()');
  return current;
}

export function setBackend(b: Backend): void {
  current = b;
}
