// Issue 6 in the real window: a whole deployment. A loopback HTTP server stands in for the service; the
// checklist's http probes need a bearer token stored through the app in gnome-keyring (ci.sh runs the suite in a
// private D-Bus session with an unlocked keyring). A passing and a failing probe, the failing one blocking the
// sign-off until waived, a second person signing, and the signed PDF export checked with `pdfsig`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { find, findAll, openApp, shot, startDriver, until } from '../lib/app.mjs';

const TOKEN = 'e2e-secret-token-4711';
let server;
let port;
let driver;
const seen = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    if (req.url === '/health' && req.headers.authorization === `Bearer ${TOKEN}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/health') {
      res.writeHead(401).end('unauthorised');
    } else {
      res.writeHead(503).end('{"error_rate":0.4}');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  port = server.address().port;
  driver = await startDriver({ RUNSHEET_KEYRING_SERVICE: `runsheet-e2e-${process.pid}` });
});
after(async () => {
  await driver?.stop();
  server?.closeAllConnections();
  server?.close();
});

const tid = (id) => `[data-testid="${id}"]`;
const checklist = () => `# E2E deployment with probes

## Deploy

- [ ] Service health check passes
  \`\`\`probe
  kind = "http"
  url = "http://127.0.0.1:${port}/health"
  headers = { Authorization = "Bearer {{secret:e2e_token}}" }
  expect_status = 200
  timeout = "5s"
  \`\`\`
- [ ] Error rate is low
  \`\`\`probe
  kind = "http"
  url = "http://127.0.0.1:${port}/metrics"
  expect_status = 200
  timeout = "5s"
  \`\`\`

## Sign-off

- [ ] Release Manager: ______ Date: ____
`;

async function click(b, id) {
  const el = await find(b, tid(id));
  await until(`${id} to show`, () => el.isClickable());
  await el.click();
  return el;
}

test('probes, credential, waiver, second signer, signed PDF', async () => {
  const b = await openApp();
  try {
    // Import and create the run.
    driver.offerFile('e2e-deployment.md', checklist());
    await click(b, 'nav-library');
    await click(b, 'import-file');
    await until('the import', async () => (await (await find(b, tid('import-result'))).getAttribute('data-ok')) === 'true');
    await click(b, 'nav-runs');
    await click(b, 'new-run');
    const select = await find(b, tid('new-run-checklist'));
    for (const o of await select.$$('option')) {
      if ((await o.getText()).includes('E2E deployment')) await select.selectByAttribute('value', await o.getAttribute('value'));
    }
    await (await find(b, tid('new-run-title'))).setValue('Probe run');
    await click(b, 'new-run-submit');
    await until('the run view', async () => (await findAll(b, tid('item'))).length === 2);
    const runId = await (await find(b, tid('run-view'))).getAttribute('data-run-id');

    // Store the credential through the app.
    await click(b, 'nav-credentials');
    const row = await find(b, `${tid('credential-row')}[data-name="e2e_token"]`);
    await until('the referenced secret listed', () => row.isExisting());
    assert.equal(await row.getAttribute('data-set'), 'false');
    await (await row.$(tid('credential-set'))).click();
    await (await find(b, tid('credential-value'))).setValue(TOKEN);
    await click(b, 'credential-save');
    await until('the secret set', async () => (await row.getAttribute('data-set')) === 'true');
    await shot(b, '10-credentials');
    const page = await (await find(b, 'body')).getHTML();
    assert.ok(!page.includes(TOKEN), 'the value is never shown back');

    // The secret is bound to no host yet: its first use is refused before any connection, and the operator
    // grants it for this run ("Send e2e_token to 127.0.0.1?"), which re-runs the probe.
    await click(b, 'nav-runs');
    await (await find(b, `${tid('run-row')}[data-run-id="${runId}"] ${tid('run-open')}`)).click();
    const items = await findAll(b, tid('item'));
    await (await findAll(b, tid('item')))[0].click();
    await click(b, 'run-probe');
    const liveState = async () => (await find(b, tid('probe-live'))).getAttribute('data-probe-state');
    await until('the unbound secret refused', async () => (await liveState()) === 'error', 20_000);
    assert.ok(!seen.some((s) => s.includes(TOKEN)), 'a refused probe sent nothing');
    const offer = await find(b, tid('grant-secret'));
    await until('the grant offer', () => offer.isClickable());
    assert.equal(await offer.getAttribute('data-secret'), 'e2e_token');
    assert.equal(await offer.getAttribute('data-host'), '127.0.0.1');
    await shot(b, '10b-grant-offer');
    await offer.click();
    await until('the granted probe passes', async () => (await liveState()) === 'pass', 20_000);
    // Run both probes again: the health check passes, the error-rate probe fails.
    for (const [i, want] of [[0, 'pass'], [1, 'fail']]) {
      await (await findAll(b, tid('item')))[i].click();
      await click(b, 'run-probe');
      // Found afresh on every poll: the live panel is re-rendered while the probe runs.
      const state = async () => (await find(b, tid('probe-live'))).getAttribute('data-probe-state');
      await until(`probe ${i} ${want}`, async () => (await state()) === want, 20_000);
    }
    assert.ok(seen.some((s) => s.includes(`Bearer ${TOKEN}`)), 'the probe sent the stored secret');
    await click(b, 'evidence-toggle');
    const out = await find(b, tid('evidence-output'));
    await until('the evidence drawer', () => out.isDisplayed());
    await shot(b, '11-probe-evidence');
    // Both items done by the operator.
    for (const i of [0, 1]) {
      await items[i].click();
      await b.keys(['x']);
    }
    await until('both done', async () =>
      (await b.execute(() => [...document.querySelectorAll('[data-testid="item"]')].map((e) => e.dataset.state))).every((s) => s === 'done'),
    );

    // Sign-off: the failed probe blocks the role.
    await click(b, 'tab-signoff');
    const role = await find(b, `${tid('role')}[data-role="Release Manager"]`);
    await until('the role', () => role.isExisting());
    const blocker = await find(b, `${tid('blocker')}[data-kind="failed_probe"]`);
    await until('the failed-probe blocker', () => blocker.isExisting());
    await shot(b, '12-signoff-blocked');
    // The operator may not sign (four-eyes): the app refuses with a Conflict.
    await (await role.$(tid('sign-name'))).setValue('Ada Operator');
    await (await role.$(tid('sign-submit'))).click();
    await until('the four-eyes refusal', async () => (await find(b, tid('sign-error'))).isExisting());
    // Waive the failed probe, then sign as a second person.
    await (await blocker.$(tid('blocker-waive'))).click();
    await (await find(b, tid('waive-reason'))).setValue('metrics endpoint is down for maintenance; error rate checked in Grafana');
    await (await find(b, tid('waive-approver'))).setValue('Grace Approver');
    await click(b, 'waive-submit');
    await until('the waiver listed', async () => (await find(b, tid('waiver'))).isExisting());
    await until('no blocker left', async () => (await findAll(b, tid('blocker'))).length === 0);
    const name = await role.$(tid('sign-name'));
    await name.clearValue();
    await name.setValue('Grace Approver');
    await (await role.$(tid('sign-submit'))).click();
    await until('the role signed', async () => (await role.getAttribute('data-signed')) === 'true');
    await shot(b, '13-signed-off');

    // Signing identity, then the signed PDF.
    await click(b, 'nav-settings');
    await click(b, 'identity-create');
    await (await find(b, tid('identity-cn'))).setValue('Ada Operator');
    await click(b, 'identity-create-submit');
    await until('the identity', async () => (await find(b, tid('identity-fingerprint'))).isExisting());
    await click(b, 'nav-runs');
    await (await find(b, `${tid('run-row')}[data-run-id="${runId}"] ${tid('run-open')}`)).click();
    await click(b, 'tab-export');
    await click(b, 'export-pdf');
    const result = await find(b, tid('export-result'));
    await until('the export result', () => result.isExisting(), 30_000);
    await shot(b, '14-exported');
    const pdfs = execFileSync('find', [driver.dialogs, '-maxdepth', '1', '-name', '*.pdf']).toString().trim().split('\n');
    assert.equal(pdfs.length, 1, `one PDF exported: ${pdfs}`);
    assert.ok(existsSync(pdfs[0]));
    const sig = execFileSync('pdfsig', [pdfs[0]]).toString();
    assert.match(sig, /Signature Validation: Signature is Valid\./, sig);
    assert.match(sig, /Total document signed/, sig);
    assert.doesNotMatch(sig, /Not total document signed/, sig);
    // The exported PDF never contains the secret.
    const text = execFileSync('pdftotext', [pdfs[0], '-']).toString();
    assert.ok(!text.includes(TOKEN), 'no secret in the PDF');
    console.log(`exported ${path.basename(pdfs[0])}`);

    // Verify a PDF someone sends: drop it on the Verify screen; then a copy with one byte flipped.
    const dropPdf = (name, bytes) =>
      b.execute(
        (n, b64) => {
          const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bin], n, { type: 'application/pdf' }));
          const zone = document.querySelector('[data-testid="verify-dropzone"]');
          for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        name,
        bytes.toString('base64'),
      );
    const intact = () => b.execute(() => document.querySelector('[data-testid="verify-result"]')?.getAttribute('data-intact') ?? null);
    const signed = readFileSync(pdfs[0]);
    await click(b, 'nav-verify');
    await dropPdf('signed.pdf', signed);
    await until('the verdict on the dropped PDF', async () => (await intact()) === 'true', 20_000);
    assert.equal(await (await find(b, tid('verify-signer'))).getText(), 'Ada Operator');
    assert.doesNotMatch(await (await find(b, tid('verify-result'))).getText(), /Invalid Date/, 'the signing time is readable');
    await shot(b, '15-verified');
    const tampered = Buffer.from(signed);
    tampered[Math.floor(tampered.length / 3)] ^= 0x01;
    await dropPdf('tampered.pdf', tampered);
    await until('the tampered copy rejected', async () => (await intact()) === 'false', 20_000);
    await shot(b, '16-verify-tampered');
  } finally {
    await b.deleteSession();
  }
});
