// Part of bench/desktop/run.sh: opens runsheet-desktop through tauri-driver on a fresh data directory, imports the
// 150-item checklist, creates a run and opens it, reads the app's PSS with the run open, then presses x/j through
// the items and reports the set_item_state durations the app recorded and the UI's invoke round trips (JSON).

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dropFile, openApp, startDriver, until } from '../../tests/e2e/lib/app.mjs';

const N = Number(process.env.KEYPRESSES ?? 150);
const tid = (id) => `[data-testid="${id}"]`;

function pssTree(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      total += m ? Number(m[1]) : 0;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) stack.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* the process exited meanwhile */
    }
  }
  return total;
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};

const driver = await startDriver();
const b = await openApp();
try {
  await (await b.$(tid('nav-library'))).click();
  await dropFile(b, 'bench-150.md', readFileSync(process.env.RUNSHEET_BENCH_CHECKLIST, 'utf8'));
  await until('the import', async () => (await (await b.$(tid('import-result'))).getAttribute('data-ok')) === 'true');
  await (await b.$(tid('nav-runs'))).click();
  await (await b.$(tid('new-run'))).click();
  const select = await b.$(tid('new-run-checklist'));
  for (const o of await select.$$('option')) {
    if ((await o.getText()).includes('Bench checklist')) await select.selectByAttribute('value', await o.getAttribute('value'));
  }
  await (await b.$(tid('new-run-title'))).setValue('Bench run');
  await (await b.$(tid('new-run-submit'))).click();
  const count = () => b.execute(() => document.querySelectorAll('[data-testid="item"]').length);
  await until('the 150-item run view', async () => (await count()) === 150, 30_000);

  // Memory with the run open, once it settled (two readings 250 ms apart within 1%).
  const pid = Number(execFileSync('pgrep', ['-n', '-f', process.env.RUNSHEET_DESKTOP_BIN]).toString().trim());
  let prev = 0;
  let pss = 0;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    pss = pssTree(pid);
    if (prev && Math.abs(pss - prev) / prev < 0.01) break;
    prev = pss;
  }

  // Press x (done) then j (next) through the items; wait for each item's state to show before the next key.
  const stateOf = (i) => b.execute((k) => document.querySelectorAll('[data-testid="item"]')[k]?.getAttribute('data-state'), i);
  await b.keys(['j']);
  for (let i = 0; i < N; i++) {
    await b.keys(['x']);
    await until(`item ${i} done`, async () => (await stateOf(i % 150)) === 'done', 5_000);
    await b.keys(['j']);
  }
  const server = await b.executeAsync((done) => window.__TAURI_INTERNALS__.invoke('perf_samples').then(done));
  const client = await b.execute(() => window.__runsheetPerf?.setItemState ?? []);
  console.log(
    JSON.stringify({
      n: server.length,
      server_p50: pct(server, 0.5),
      server_p95: pct(server, 0.95),
      n_client: client.length,
      client_p50: pct(client, 0.5),
      client_p95: pct(client, 0.95),
      pss_run_open_kib: pss,
    }),
  );
} finally {
  await b.deleteSession();
  await driver.stop();
}
