// Chooses the backend once: the Tauri implementation inside the app, else the in-memory fake (browser preview,
// unit tests, the headless-Chromium suite). Components call `backend()`; nothing outside this folder imports
// @tauri-apps/*.

import { isTauri } from '@tauri-apps/api/core';
import type { Backend } from './types';
import { FakeBackend } from './fake';

export * from './types';

let current: Backend | null = null;

/** Called once by main.ts before mounting. */
export async function initBackend(): Promise<Backend> {
  if (current) return current;
  if (isTauri()) {
    const { TauriBackend } = await import('./tauri');
    current = new TauriBackend();
  } else {
    current = new FakeBackend();
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
