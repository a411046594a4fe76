// The built UI (ui/dist) against the fake backend in Debian's headless Chromium, through the main flow:
// import a checklist by drop, create a run, mark items with the keyboard and the mouse, skip with a reason,
// run probes, accept a suggested probe, sign-off with a waiver, export, verify a dropped PDF, credentials and
// settings. Runs once in light and once in dark mode and saves screenshots to ui/test-results/.
//
// Waits are Playwright's own polling with a deadline (never sleeps). Exits non-zero on any failure and prints
// "N passed, N failed".

import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(UI, 'dist');
const OUT = join(UI, 'test-results');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const T = 10_000;

if (!existsSync(join(DIST, 'index.html'))) {
  console.error('ui/dist is missing: run `npm run build` first');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.svg': 'image/svg+xml', '.png': 'image/png' };
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  let path = normalize(join(DIST, decodeURIComponent(url.pathname)));
  if (!path.startsWith(DIST) || !existsSync(path) || statSync(path).isDirectory()) path = join(DIST, 'index.html');
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  res.end(readFileSync(path));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const GOOD = `# Payments Release

## Preparation (T-30 minutes)

### Checks (T-30 minutes)
- [ ] Port 8001 available
- [ ] Payments health endpoint \`curl http://127.0.0.1:8001/health\`
- [ ] Feature flag prepared
  - [ ] Flag off in production

## Rollout (T+0 minutes)
- [ ] Deploy version 3.1.0
- [ ] Smoke test the checkout

## Sign-off
- [ ] Technical Lead: ______ Date: ____
- [ ] Release Manager: ______ Date: ____
`;

const BROKEN = '# Broken\n\n## Steps\n- [ ] one\n```bash\necho never closed\n';

let passed = 0;
let failed = 0;
const failures = [];

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ok   ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
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
    { selector, files: files.map((f) => ({ ...f, base64: Buffer.from(f.text).toString('base64') })) },
  );
}

const tid = (id) => `[data-testid="${id}"]`;

async function flow(scheme) {
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
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  // The app must never reach the network: anything but our own server fails the run.
  const outside = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const shot = (name) => page.screenshot({ path: join(OUT, `${scheme}-${name}.png`) });
  const item = (n) => page.locator(tid('item')).nth(n);

  console.log(`${scheme} mode`);
  await step(`${scheme}: app loads on the fake backend`, async () => {
    await page.goto(base);
    await page.locator(tid('fake-backend-banner')).waitFor();
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
    await page.locator(tid('evidence-output'), { hasText: 'HTTP/1.1 200 OK' }).waitFor();
    await shot('05-run-view');
  });

  await step(`${scheme}: editing a suggested probe validates the TOML`, async () => {
    await item(0).click();
    await page.click(tid('suggestion-edit'));
    await page.locator(tid('probe-editor-valid')).waitFor();
    await page.fill(tid('probe-editor-toml'), 'kind = "port_free"\nport = "8001\n');
    await page.locator(tid('probe-editor-error'), { hasText: 'line 2' }).waitFor();
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
    await page.locator(tid('arm-command'), { hasText: './scripts/canary-status.sh --env production' }).waitFor();
    await shot('08-arm-dialog');
    await page.click(tid('arm-confirm'));
    await canary.locator(`${tid('probe-chip')}[data-probe-state="pass"]`).waitFor();
    await page.locator(tid('run-phase-checks')).nth(2).click();
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
    await page.click(tid('open-pdf'));
    await shot('14-export');
  });

  await step(`${scheme}: a missing keyring shows the fix`, async () => {
    await page.evaluate(() => (window.__runsheetFake.keyringAvailable = false));
    await page.click(tid('nav-credentials'));
    await page.locator(tid('keyring-unavailable'), { hasText: 'gnome-keyring' }).waitFor();
    await shot('16-keyring-missing');
    await page.evaluate(() => (window.__runsheetFake.keyringAvailable = true));
  });

  await step(`${scheme}: dropping a PDF verifies it`, async () => {
    await page.click(tid('nav-verify'));
    await dropFiles(page, tid('verify-dropzone'), [{ name: 'deployment-log.pdf', type: 'application/pdf', text: '%PDF-1.7 /ByteRange signed' }]);
    await page.locator(`${tid('verify-result')}[data-intact="true"]`).waitFor();
    await page.locator(tid('verify-signer')).waitFor();
    // The drop overlay goes away after a drop on an inner drop target.
    await page.locator(tid('dropzone')).waitFor({ state: 'detached' });
    await shot('15-verify');
  });

  await step(`${scheme}: no page errors and no network`, async () => {
    if (errors.length) throw new Error(errors.join('\n'));
    if (outside.length) throw new Error(`requests outside the app: ${outside.join(', ')}`);
  });

  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}

try {
  for (const scheme of ['light', 'dark']) await flow(scheme);
} finally {
  server.close();
}
console.log(`screenshots in ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
