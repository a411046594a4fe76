// Entry point: bundled fonts and styles, the backend, then the app (no network needed at any point).

import '@fontsource-variable/inter/wght.css';
import '@fontsource/jetbrains-mono/400.css';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { initBackend } from './lib/backend';

initBackend().then((b) => {
  // The headless-browser suite scripts the fake (dialog answers, clock) through this handle.
  if (b.kind === 'fake') (window as unknown as { __runsheetFake: unknown }).__runsheetFake = b;
  mount(App, { target: document.getElementById('app')! });
  requestAnimationFrame(() => void b.markPainted?.().catch(() => {}));
});
