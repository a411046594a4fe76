// The built UI (ui/dist) in Debian's headless Chromium against the real Rust code: the page is served by the test
// bridge (src-tauri/examples/bridge.rs), which answers the desktop's commands from runsheet-desktop and
// runsheet-app on loopback, with its own data directory and keyring service. The main flow: import a checklist by
// drop, create a run, mark items with the keyboard and the mouse, skip with a reason, run probes (against a
// loopback HTTP server started here), accept a suggested probe, arm a shell probe, sign-off with four-eyes and a
// waiver, a strict gate, the timeline chart, credentials, settings and a signed PDF export, verify the exported PDF
// dropped back in, and the keyring-missing screen (a second bridge without a D-Bus session). Runs once in light
// and once in dark mode, each on a fresh bridge, and saves screenshots to ui/test-results/.
//
// Needs the bridge binary `cargo test` builds (target/debug/examples/bridge, or $RUNSHEET_BRIDGE) and a D-Bus
// session with an unlocked keyring (scripts/with-keyring.sh). Waits are Playwright's own polling with a deadline
// (never sleeps). Exits non-zero on any failure and prints "N passed, N failed".

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(UI, 'dist');
const OUT = join(UI, 'test-results');
const BRIDGE = process.env.RUNSHEET_BRIDGE ?? join(UI, '..', 'target', 'debug', 'examples', 'bridge');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const T = 10_000;

if (!existsSync(join(DIST, 'index.html'))) {
  console.error('ui/dist is missing: run `npm run build` first');
  process.exit(2);
}
if (!existsSync(BRIDGE)) {
  console.error(`the test bridge ${BRIDGE} is missing: run \`cargo test -p runsheet-desktop --no-run\` first`);
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

// The service the probes check: a loopback HTTP server answering 200 to everything.
const service = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('payments healthy\n');
});
await new Promise((r) => service.listen(0, '127.0.0.1', r));
const SERVICE = `127.0.0.1:${service.address().port}`;

const bridges = [];
let started = 0;

/** A bridge serving ui/dist on its own data directory; resolves with its URL once it listens. */
async function startBridge(env = {}) {
  const home = mkdtempSync(join(tmpdir(), 'runsheet-browser-'));
  const dialogs = join(home, 'dialogs');
  mkdirSync(join(dialogs, 'open'), { recursive: true });
  const vars = {
    ...process.env,
    RUNSHEET_OPERATOR: 'Alex Morgan',
    RUNSHEET_KEYRING_SERVICE: `runsheet-browser-${process.pid}-${started++}`,
    RUNSHEET_E2E_DIALOG_DIR: dialogs,
    RUNSHEET_LOG: 'warn',
    ...env,
  };
  // `undefined` removes a variable (the keyring-missing bridge runs without a D-Bus session).
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
  const child = spawn(BRIDGE, ['--home', join(home, 'data'), '--static', DIST], {
    env: vars,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bridge = { child, home, dialogs, url: '' };
  bridges.push(bridge);
  bridge.url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the bridge did not start within 30 s')), 30_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(`${m[1]}/`);
      }
    });
    child.on('exit', (code) => fail(new Error(`the bridge exited with ${code}: ${out}`)));
  });
  return bridge;
}

async function stopBridges() {
  for (const b of bridges.splice(0)) {
    if (b.child.exitCode === null) {
      const exited = new Promise((r) => b.child.once('exit', r));
      b.child.kill('SIGTERM');
      await exited;
    }
    rmSync(b.home, { recursive: true, force: true });
  }
}

/** One desktop command through the bridge (setting up data the way the app would). */
async function invoke(bridge, cmd, args = {}) {
  const res = await fetch(`${bridge.url}invoke/${cmd}`, { method: 'POST', body: JSON.stringify(args) });
  const body = await res.json();
  if (!res.ok || body.status !== 'ok') throw new Error(`${cmd}: ${JSON.stringify(body)}`);
  return body.data;
}

const GOOD = `# Payments Release

## Preparation (T-30 minutes)

### Checks (T-30 minutes)
- [ ] Port 8001 available
- [ ] Payments health endpoint \`curl http://${SERVICE}/health\`
- [ ] Feature flag prepared
  - [ ] Flag off in production

## Rollout (T+0 minutes)
- [ ] Deploy version 3.1.0
- [ ] Smoke test the checkout

## Sign-off
- [ ] Technical Lead: ______ Date: ____
- [ ] Release Manager: ______ Date: ____
`;

// The run the later steps open: a window that started three hours ago, the preparation half done, a shell probe
// to arm, a probe that sends a secret, a failing check, and a sign-off role for the deployment phase.
const SHOP = `# Shop API Release

## Preparation (T-60 minutes)

### Announcements (T-60 minutes)
- [ ] Announce the window
- [ ] Backup verified

## Deployment (T+0 minutes)

### Rollout (T+0 minutes)
- [ ] Deploy the canary
  \`\`\`probe
  kind = "shell"
  command = "echo canary-status --env production"
  \`\`\`
- [ ] Staging smoke
  \`\`\`probe
  kind = "http"
  url = "http://${SERVICE}/health"
  headers = { Authorization = "Bearer {{secret:staging_token}}" }
  \`\`\`
- [ ] QA Lead: ______ Date: ____

## Verification (T+30 minutes)

### Checks (T+30 minutes)
- [ ] Error rate below 1%
  \`\`\`probe
  kind = "file"
  path = "/nonexistent/runsheet-error-rate"
  \`\`\`
- [ ] Checkout flow tested by QA

## Sign-off
- [ ] Release Manager: ______ Date: ____
`;

// The deployment day: timing hints around a window that started 40 minutes ago, a rollback trigger, and
// emergency contacts with placeholders still to fill in.
const DAY = `# Checkout Release

## Pre-Deployment Verification (T-60 minutes)
- [ ] Backup verified

## Deployment (T+0 minutes)
- [ ] Deploy version 5.2.0
- [ ] Smoke test the checkout

## Post-Deployment (T+90 minutes)
- [ ] Error dashboards reviewed

## Rollback Procedures
- [ ] Rollback if error rate > 5% for 5 minutes
- [ ] Redeploy version 5.1.4

## Emergency Contacts
- Primary on-call: [Name] - [Phone]
- DBA on call: Jane Doe, +1 555 0100
- Engineering Lead: [Name] - [Email]
`;

const OPENED = '# AI Assistant Production\n\n## Steps\n- [ ] Model uploaded\n- [ ] Traffic shifted\n';

async function seed(bridge) {
  const out = await invoke(bridge, 'import_checklist_text', { fileName: 'shop-api.md', text: SHOP });
  if (!out.checklist) throw new Error(`the seed checklist does not import: ${JSON.stringify(out.issues)}`);
  const hour = 3600_000;
  const run = await invoke(bridge, 'create_run', {
    input: {
      checklist_id: out.checklist.id,
      title: 'Shop API 2.4.0',
      version: '2.4.0',
      environment: 'production',
      window_start: new Date(Date.now() - 3 * hour).toISOString(),
      window_end: new Date(Date.now() - hour).toISOString(),
      operator: 'Alex Morgan',
    },
  });
  const view = await invoke(bridge, 'get_run', { runId: run.id });
  const items = view.checklist.phases.flatMap((p) => p.sections.flatMap((s) => s.items));
  for (const text of ['Announce the window', 'Deploy the canary', 'Staging smoke']) {
    const item = items.find((i) => i.text === text);
    await invoke(bridge, 'set_item_state', { runId: run.id, itemId: item.id, change: { state: 'done' } });
  }
  writeFileSync(join(bridge.dialogs, 'open', 'ai-assistant-production.md'), OPENED);
}

// A probe block missing a required field: refused, with the line of the block.
const BROKEN = '# Broken\n\n## Steps\n- [ ] one\n  ```probe\n  kind = "tcp"\n  ```\n';

let passed = 0;
let failed = 0;
const failures = [];

let current = null;

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ok   ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
    // The page as it was when the step failed.
    await current?.screenshot({ path: join(OUT, `FAIL-${name.replace(/[^a-z0-9]+/gi, '-')}.png`) }).catch(() => {});
    console.log(`  FAIL ${name}\n       ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n       ')}`);
  }
}

function expectEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Drops files onto an element the way a desktop drag does (DataTransfer with File objects). */
async function dropFiles(page, selector, files) {
  await page.evaluate(
    ({ selector, files }) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const el = document.querySelector(selector);
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { selector, files: files.map((f) => ({ name: f.name, type: f.type, base64: Buffer.from(f.bytes ?? f.text).toString('base64') })) },
  );
}

const tid = (id) => `[data-testid="${id}"]`;

async function flow(scheme) {
  const bridge = await startBridge();
  await seed(bridge);
  const base = bridge.url;
  const profile = mkdtempSync(join(tmpdir(), 'runsheet-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme: scheme,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // The desktop shell sets Tauri's freezePrototype: run the UI under the same frozen Object.prototype.
  await ctx.addInitScript(() => Object.freeze(Object.prototype));
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(T);
  current = page;
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  // The app must never reach the network: anything but our own server fails the run.
  const outside = [];
  const allowed = [base];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (allowed.some((a) => u.startsWith(a)) || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const shot = (name) => page.screenshot({ path: join(OUT, `${scheme}-${name}.png`) });
  const item = (n) => page.locator(tid('item')).nth(n);

  console.log(`${scheme} mode`);
  await step(`${scheme}: app loads on the test bridge`, async () => {
    await page.goto(base);
    await page.locator(tid('bridge-backend-banner')).waitFor();
    expectEq(await page.evaluate(() => Object.isFrozen(Object.prototype)), true, 'Object.prototype frozen');
    await page.locator(tid('run-row')).first().waitFor();
    await shot('01-runs');
  });

  await step(`${scheme}: dropping a broken checklist shows the error with its line`, async () => {
    await page.click(tid('nav-library'));
    await dropFiles(page, '.shell', [{ name: 'broken.md', type: 'text/markdown', text: BROKEN }]);
    await page.locator(`${tid('import-result')}[data-ok="false"]`).waitFor();
    expectEq(await page.locator(tid('import-issue')).first().getAttribute('data-line'), '5', 'error line');
  });

  await step(`${scheme}: dropping a checklist imports it and previews it`, async () => {
    await dropFiles(page, '.shell', [{ name: 'payments.md', type: 'text/markdown', text: GOOD }]);
    await page.locator(`${tid('import-result')}[data-ok="true"]`).waitFor();
    await page.locator(tid('preview-title'), { hasText: 'Payments Release' }).waitFor();
    expectEq(await page.locator(tid('preview-item')).count(), 6, 'items in preview');
    if ((await page.locator(tid('preview-suggestion')).count()) < 2) throw new Error('expected suggested probes in the preview');
    await shot('02-library');
  });

  await step(`${scheme}: the import button uses the file dialog`, async () => {
    await page.click(tid('import-file'));
    await page.locator(tid('preview-title'), { hasText: 'AI Assistant Production' }).waitFor();
    await page.locator(tid('checklist-entry'), { hasText: 'Payments Release' }).click();
    await page.locator(tid('preview-title'), { hasText: 'Payments Release' }).waitFor();
  });

  await step(`${scheme}: create a run from the checklist`, async () => {
    await page.click(tid('new-run-from-checklist'));
    await page.fill(tid('new-run-title'), 'Payments 3.1.0 to production');
    await page.fill(tid('new-run-version'), '3.1.0');
    await page.fill(tid('new-run-environment'), 'production');
    await shot('03-new-run');
    await page.click(tid('new-run-submit'));
    await page.locator(tid('run-title'), { hasText: 'Payments 3.1.0 to production' }).waitFor();
    expectEq(await page.locator(tid('item')).count(), 6, 'items in the run');
  });

  await step(`${scheme}: keyboard x/j/f/b marks items`, async () => {
    // The first pending item is selected on open.
    await page.locator(`${tid('item')}.sel`).first().waitFor();
    await page.keyboard.press('x');
    await item(0).and(page.locator('[data-state="done"]')).waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('f');
    await item(1).and(page.locator('[data-state="failed"]')).waitFor();
    await page.keyboard.press(' ');
    await item(1).and(page.locator('[data-state="done"]')).waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('b');
    await item(2).and(page.locator('[data-state="blocked"]')).waitFor();
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expectEq(await page.locator(`${tid('item')}.sel`).getAttribute('data-item-id'), await item(2).getAttribute('data-item-id'), 'selection after k k j j');
  });

  await step(`${scheme}: s opens the reason dialog and skips with the reason`, async () => {
    await page.keyboard.press('j');
    await page.keyboard.press('s');
    await page.locator(tid('skip-dialog')).waitFor();
    // Typing "s" and "x" in the reason must not change any item.
    await page.keyboard.type('flag exists since 3.0; nothing to switch');
    await shot('04-skip-dialog');
    await page.keyboard.press('Enter');
    await page.locator(tid('skip-dialog')).waitFor({ state: 'detached' });
    await item(3).and(page.locator('[data-state="skipped"]')).waitFor();
    await page.locator(tid('item-reason'), { hasText: 'flag exists since 3.0' }).waitFor();
    expectEq(await item(0).getAttribute('data-state'), 'done', 'item 0 unchanged by typing');
  });

  await step(`${scheme}: the mouse toggles an item and shows who/when`, async () => {
    await item(4).locator(tid('item-toggle')).click();
    await item(4).and(page.locator('[data-state="done"]')).waitFor();
    const title = await item(4).getAttribute('title');
    if (!/done by Alex Morgan/.test(title ?? '')) throw new Error(`hover text: ${title}`);
    await page.locator(tid('item-who'), { hasText: 'done by Alex Morgan' }).waitFor();
    // After a click on a state button, space marks the item done and does not press the focused button again.
    await page.click(tid('set-failed'));
    await item(4).and(page.locator('[data-state="failed"]')).waitFor();
    await page.keyboard.press(' ');
    await item(4).and(page.locator('[data-state="done"]')).waitFor();
    await page.locator(tid('item-who'), { hasText: 'done by' }).waitFor();
  });

  await step(`${scheme}: n adds a note`, async () => {
    await page.keyboard.press('n');
    await page.locator(tid('note-dialog')).waitFor();
    await page.keyboard.type('deployed by pipeline #4411');
    await page.keyboard.press('Enter');
    await page.locator(tid('note'), { hasText: 'pipeline #4411' }).waitFor();
  });

  await step(`${scheme}: a suggested probe is accepted in one click and runs`, async () => {
    await item(1).click();
    await page.locator(tid('suggestion')).first().waitFor();
    await page.click(tid('suggestion-accept'));
    await page.locator(tid('run-probe')).waitFor();
    await page.click(tid('run-probe'));
    await page.locator(`${tid('probe-live')}[data-probe-state="pass"]`).waitFor();
    await page.click(tid('evidence-toggle'));
    await page.locator(tid('evidence-output'), { hasText: 'payments healthy' }).waitFor();
    await shot('05-run-view');
  });

  await step(`${scheme}: editing a suggested probe validates the TOML`, async () => {
    await item(0).click();
    await page.click(tid('suggestion-edit'));
    await page.locator(tid('probe-editor-valid')).waitFor();
    await page.fill(tid('probe-editor-toml'), 'kind = "port_free"\nport = "8001\n');
    // Rust's TOML message (validate_probe reports no line of its own).
    await page.locator(tid('probe-editor-error'), { hasText: 'invalid basic string' }).waitFor();
    if (!(await page.locator(tid('probe-editor-save')).isDisabled())) throw new Error('save enabled on invalid TOML');
    await shot('06-probe-editor');
    await page.fill(tid('probe-editor-toml'), 'kind = "port_free"\nport = 8001\n');
    await page.locator(tid('probe-editor-valid')).waitFor();
    await page.click(tid('probe-editor-save'));
    await page.locator(tid('probe-editor')).waitFor({ state: 'detached' });
    await page.locator(tid('item')).first().locator(tid('probe-chip')).waitFor();
  });

  await step(`${scheme}: the events timeline lists the changes`, async () => {
    await page.click(tid('tab-events'));
    await page.locator(tid('event'), { hasText: 'flag exists since 3.0' }).waitFor();
    await shot('07-events');
    await page.click(tid('tab-checklist'));
  });

  await step(`${scheme}: seeded run: run all checks, arm a shell probe with its exact command`, async () => {
    await page.click(tid('nav-runs'));
    await page.locator(tid('run-row'), { hasText: 'Shop API 2.4.0' }).click();
    await page.locator(tid('run-title'), { hasText: 'Shop API 2.4.0' }).waitFor();
    const canary = page.locator(tid('item'), { hasText: 'Deploy the canary' });
    await canary.click();
    await page.click(tid('arm-probe'));
    await page.locator(tid('arm-command'), { hasText: 'echo canary-status --env production' }).waitFor();
    await shot('08-arm-dialog');
    await page.click(tid('arm-confirm'));
    await canary.locator(`${tid('probe-chip')}[data-probe-state="pass"]`).waitFor();
    await page.locator(tid('phase'), { hasText: 'Error rate below 1%' }).locator(tid('run-phase-checks')).click();
    await page.locator(`${tid('probe-chip')}[data-probe-state="fail"]`).waitFor();
    await page.locator(tid('item'), { hasText: 'Error rate below 1%' }).click();
    await page.click(tid('evidence-toggle'));
    await page.locator(tid('evidence-drawer')).waitFor();
    await shot('09-run-probes');
  });

  await step(`${scheme}: credentials: set a missing secret, value never shown`, async () => {
    await page.click(tid('nav-credentials'));
    const row = page.locator(`${tid('credential-row')}[data-name="staging_token"]`);
    await row.and(page.locator('[data-set="false"]')).waitFor();
    await row.locator(tid('credential-set')).click();
    await page.fill(tid('credential-value'), 'tok-very-secret');
    await page.click(tid('credential-save'));
    await row.and(page.locator('[data-set="true"]')).waitFor();
    const html = await page.content();
    if (html.includes('tok-very-secret')) throw new Error('secret value present in the DOM');
    await shot('10-credentials');
  });

  await step(`${scheme}: sign-off: four-eyes refuses the operator, waive blockers, sign as a second person`, async () => {
    await page.click(tid('nav-runs'));
    await page.locator(tid('run-row'), { hasText: 'Shop API 2.4.0' }).click();
    await page.click(tid('tab-signoff'));
    const role = page.locator(tid('role')).first();
    await role.locator(tid('blocker')).first().waitFor();
    await shot('11-signoff');
    await role.locator(tid('sign-name')).fill('Alex Morgan');
    await role.locator(tid('sign-submit')).click();
    await role.locator(tid('sign-error'), { hasText: 'four-eyes' }).waitFor();
    // Jump goes to the item in the checklist.
    const first = await role.locator(tid('blocker')).first().getAttribute('data-item-id');
    await role.locator(tid('blocker-jump')).first().click();
    await page.locator(`${tid('item-panel')}[data-item-id="${first}"]`).waitFor();
    await page.click(tid('tab-signoff'));
    await page.locator(tid('role')).first().locator(tid('blocker-waive')).first().click();
    await page.fill(tid('waive-reason'), 'probe endpoint not reachable from this laptop');
    await page.fill(tid('waive-approver'), 'Dana Fox');
    await page.click(tid('waive-submit'));
    await page.locator(tid('waiver')).first().waitFor();
    await page.locator(tid('role')).first().locator(tid('sign-name')).fill('Sam Lee');
    await page.locator(tid('role')).first().locator(tid('sign-submit')).click();
    await page.locator(`${tid('role')}[data-signed="true"]`).waitFor();
  });

  await step(`${scheme}: strict gate mode refuses a later item with a Conflict toast`, async () => {
    await page.locator(tid('gate-mode')).selectOption('strict');
    await page.click(tid('tab-checklist'));
    const later = page.locator(tid('item'), { hasText: 'Checkout flow tested by QA' });
    await later.locator(tid('item-toggle')).click();
    await page.locator(`${tid('toast-error')}[data-code="Conflict"]`).waitFor();
    expectEq(await later.getAttribute('data-state'), 'pending', 'state after a refused change');
    await page.click(tid('tab-signoff'));
    await page.locator(tid('gate-mode')).selectOption('advisory');
  });

  await step(`${scheme}: timeline chart shows planned vs actual with drift`, async () => {
    await page.click(tid('tab-timeline'));
    await page.locator(tid('timeline-row')).first().waitFor();
    const levels = await page.locator(tid('timeline-row')).evaluateAll((els) => els.map((e) => e.getAttribute('data-level')));
    if (!levels.includes('very_late') && !levels.includes('late')) throw new Error(`no drift highlighted: ${levels}`);
    await shot('12-timeline');
  });

  await step(`${scheme}: settings: create an identity; export a signed PDF and open it`, async () => {
    await page.click(tid('nav-settings'));
    await page.click(tid('identity-create'));
    await page.click(tid('identity-create-submit'));
    await page.locator(tid('identity-fingerprint')).waitFor();
    await shot('13-settings');
    await page.click(tid('nav-runs'));
    await page.locator(tid('run-row'), { hasText: 'Shop API 2.4.0' }).click();
    await page.click(tid('tab-export'));
    await page.click(tid('export-pdf'));
    await page.locator(tid('export-result'), { hasText: 'signed' }).waitFor();
    // Not clicked: opening hands the file to the desktop's PDF viewer (xdg-open).
    await page.locator(tid('open-pdf')).waitFor();
    await shot('14-export');
  });

  await step(`${scheme}: dropping a PDF verifies it`, async () => {
    await page.click(tid('nav-verify'));
    const pdf = readdirSync(bridge.dialogs).find((f) => f.endsWith('.pdf'));
    if (!pdf) throw new Error(`no exported PDF in ${bridge.dialogs}`);
    const bytes = readFileSync(join(bridge.dialogs, pdf));
    await dropFiles(page, tid('verify-dropzone'), [{ name: pdf, type: 'application/pdf', bytes }]);
    await page.locator(`${tid('verify-result')}[data-intact="true"]`).waitFor();
    await page.locator(tid('verify-signer')).waitFor();
    // The drop overlay goes away after a drop on an inner drop target.
    await page.locator(tid('dropzone')).waitFor({ state: 'detached' });
    await shot('15-verify');
  });

  await step(`${scheme}: deployment day: clock, rollback trigger prompt, contacts card`, async () => {
    const out = await invoke(bridge, 'import_checklist_text', { fileName: 'checkout.md', text: DAY });
    const min = 60_000;
    const run = await invoke(bridge, 'create_run', {
      input: {
        checklist_id: out.checklist.id,
        title: 'Checkout 5.2.0',
        version: '5.2.0',
        environment: 'production',
        window_start: new Date(Date.now() - 40 * min).toISOString(),
        window_end: new Date(Date.now() + 140 * min).toISOString(),
        operator: 'Alex Morgan',
      },
    });
    const rb = await invoke(bridge, 'rollback_state', { runId: run.id });
    await invoke(bridge, 'declare_trigger', { runId: run.id, itemId: rb.triggers[0].item, summary: 'error rate 7.4% for 6 minutes (dashboard)' });
    await page.click(tid('nav-runs'));
    await page.locator(tid('run-row'), { hasText: 'Checkout 5.2.0' }).click();
    await page.locator(tid('trigger-banner'), { hasText: 'Rollback if error rate' }).waitFor();
    await page.locator(tid('clock-late'), { hasText: 'Pre-Deployment Verification' }).waitFor();
    await page.locator(tid('clock-t'), { hasText: /^T\+0h?4[01]m|^T\+4[01]m/ }).waitFor();
    await page.keyboard.press('c');
    await page.locator(`${tid('contact')}[data-role="Primary on-call"] ${tid('contact-missing')}`).first().waitFor();
    await shot('11b-day-trigger-contacts');
    await page.click(tid('contacts-close'));
    await page.click(tid('trigger-rollback'));
    await page.locator(tid('rollback-active'), { hasText: 'Rollback Procedures' }).waitFor();
    if (await page.locator(tid('trigger-banner')).count()) throw new Error('the banner stays after the decision');
    await shot('11c-day-rolling-back');
  });

  await step(`${scheme}: a missing keyring shows the fix`, async () => {
    const without = await startBridge({ DBUS_SESSION_BUS_ADDRESS: undefined });
    allowed.push(without.url);
    await page.goto(without.url);
    await page.click(tid('nav-credentials'));
    await page.locator(tid('keyring-unavailable'), { hasText: 'gnome-keyring' }).waitFor();
    await shot('16-keyring-missing');
  });

  await step(`${scheme}: no page errors and no network`, async () => {
    if (errors.length) throw new Error(errors.join('\n'));
    if (outside.length) throw new Error(`requests outside the app: ${outside.join(', ')}`);
  });

  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
  await stopBridges();
}

try {
  for (const scheme of ['light', 'dark']) await flow(scheme);
} finally {
  await stopBridges();
  service.close();
}
console.log(`screenshots in ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
