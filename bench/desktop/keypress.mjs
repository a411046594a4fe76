// Part of bench/desktop/run.sh: opens runsheet-desktop through tauri-driver on the data directory run.sh made with
// the CLI (RUNSHEET_HOME, with RUNSHEET_OPEN_RUN naming its 150-item run, so the app opens on that run), reads the
// PSS of the app's process tree with the run open, then presses x (done) and j (next) through the items and prints
// one JSON object with three latency series (ms):
//   - server: set_item_state from IPC entry to the committed SQLite write (recorded by the app, `perf_samples`);
//   - client: the UI's invoke → resolved round trip (window.__runsheetPerf, kept by the Tauri backend);
//   - e2e: the keydown event's timestamp → the item's data-state showing the persisted state in the DOM (the UI
//     is not optimistic: it shows the state set_item_state returned after the commit), and → the next frame.
// Keys go through WebDriver; when WebKitWebDriver delivers none (no window manager under Xvfb, see
// tests/e2e/lib/app.mjs `press`), the same KeyboardEvent is dispatched to the page; `via` says which was used.

import { readFileSync, readdirSync } from 'node:fs';
import { openApp, press, startDriver, until } from '../../tests/e2e/lib/app.mjs';

const N = Number(process.env.KEYPRESSES ?? 150);

function children() {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return kids;
}

function pssTree(pid) {
  const kids = children();
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      total += m ? Number(m[1]) : 0;
    } catch {
      /* the process exited meanwhile */
    }
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

const pct = (xs, q) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};
const stats = (xs) => ({ n: xs.length, p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: pct(xs, 1) });

const driver = await startDriver({ RUNSHEET_HOME: process.env.RUNSHEET_HOME, RUNSHEET_OPEN_RUN: process.env.RUNSHEET_OPEN_RUN });
let b;
try {
  b = await openApp();
  const count = () => b.execute(() => document.querySelectorAll('[data-testid="item"]').length);
  await until('the 150-item run view', async () => (await count()) === 150, 30_000);

  // Memory with the run open, once it settled (two readings 250 ms apart within 1%).
  // The app is our descendant (node → tauri-driver → WebKitWebDriver → app): never another session's instance.
  const mine = [];
  for (let todo = [process.pid], kids = children(); todo.length; ) {
    const p = todo.pop();
    mine.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  const comm = (p) => { try { return readFileSync(`/proc/${p}/comm`, 'utf8').trim(); } catch { return ''; } };
  const pid = mine.find((p) => comm(p) === 'runsheet-deskto');
  if (!pid) throw new Error('runsheet-desktop is not among this process tree');
  let prev = 0;
  let pss = 0;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 250));
    pss = pssTree(pid);
    if (prev && Math.abs(pss - prev) / prev < 0.01) break;
    prev = pss;
  }

  // In-page probes: keydown timestamps of `x`, and the moment an item's data-state changes (+ the next frame).
  await b.execute(() => {
    const w = window;
    w.__bench = { keys: [], dom: [], frame: [] };
    window.addEventListener('keydown', (e) => e.key === 'x' && w.__bench.keys.push(e.timeStamp), true);
    new MutationObserver((records) => {
      const now = performance.now();
      if (!records.some((r) => r.target.getAttribute('data-state') === 'done')) return;
      w.__bench.dom.push(now);
      requestAnimationFrame(() => w.__bench.frame.push(performance.now()));
    }).observe(document.querySelector('[data-testid="run-view"]'), { attributes: true, attributeFilter: ['data-state'], subtree: true });
  });
  const stateOf = (i) => b.execute((k) => document.querySelectorAll('[data-testid="item"]')[k]?.getAttribute('data-state'), i);
  const vias = new Set();
  for (let i = 0; i < N; i++) {
    vias.add(await press(b, 'x'));
    await until(`item ${i} done`, async () => (await stateOf(i % 150)) === 'done', 5_000);
    vias.add(await press(b, 'j'));
  }
  await until('the last frame', async () => (await b.execute(() => window.__bench.frame.length)) >= N, 5_000);
  const probe = await b.execute(() => window.__bench);
  if (probe.keys.length !== N || probe.dom.length !== N) {
    throw new Error(`paired ${probe.keys.length} keydowns with ${probe.dom.length} state changes (expected ${N} each)`);
  }
  const server = await b.executeAsync((done) => window.__TAURI_INTERNALS__.invoke('perf_samples').then(done));
  const client = await b.execute(() => window.__runsheetPerf?.setItemState ?? []);
  console.log(
    JSON.stringify({
      via: [...vias].join('+'),
      server: stats(server),
      client: stats(client),
      e2e_dom: stats(probe.dom.map((t, i) => t - probe.keys[i])),
      e2e_frame: stats(probe.frame.map((t, i) => t - probe.keys[i])),
      pss_run_open_kib: pss,
    }),
  );
} finally {
  await b?.deleteSession();
  await driver.stop();
}
