// Entry point: bundled fonts and styles, the backend, then the app (no network needed at any point).

import '@fontsource-variable/inter/wght.css';
import '@fontsource/jetbrains-mono/400.css';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { initBackend, type Backend } from './lib/backend';
import { openRun } from './lib/state/nav.svelte';

// `index.html?run=<id>` (the shell sets it from RUNSHEET_OPEN_RUN) opens that run at launch. Once its view is in the
// DOM, the frame after the next one reports a second paint for bench/desktop (the backend reports the first).
function openLaunchRun(b: Backend): void {
  const runId = new URLSearchParams(location.search).get('run');
  if (!runId) return;
  openRun(runId);
  const painted = () => void b.markPainted?.().catch(() => {});
  const poll = (left: number) => {
    if (document.querySelector('[data-testid="run-view"]')) requestAnimationFrame(painted);
    else if (left > 0) requestAnimationFrame(() => poll(left - 1));
  };
  requestAnimationFrame(() => poll(1800));
}

initBackend().then((b) => {
  openLaunchRun(b);
  mount(App, { target: document.getElementById('app')! });
});
