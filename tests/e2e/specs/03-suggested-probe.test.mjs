// Issue 6 in the real window: a probe suggested by the importer (from a `curl -f` command in the item) is opened in
// the TOML editor, validated live (a typo in a field is named), fixed, added to the run, run, and passes against a
// loopback HTTP server. The accepted suggestion is not offered again.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { find, findAll, openApp, shot, startDriver, until } from '../lib/app.mjs';

let server;
let port;
let driver;
let hits = 0;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ready') {
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
    } else {
      res.writeHead(404).end('no');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  port = server.address().port;
  driver = await startDriver();
});
after(async () => {
  await driver?.stop();
  server?.closeAllConnections();
  server?.close();
});

const tid = (id) => `[data-testid="${id}"]`;

/** Replace the editor's text the way typing does (WebDriver's setValue drops newlines in WebKitGTK textareas). */
async function typeToml(b, text) {
  await b.execute((t) => {
    const el = document.querySelector('[data-testid="probe-editor-toml"]');
    el.value = t;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

async function click(b, id) {
  const el = await find(b, tid(id));
  await until(`${id} to show`, () => el.isClickable());
  await el.click();
  return el;
}

test('a suggested probe is edited, validated, added and run', async () => {
  const b = await openApp();
  try {
    driver.offerFile('e2e-suggest.md', `# E2E suggested probe\n\n## Verify\n\n- [ ] Service is ready: \`curl -f http://127.0.0.1:${port}/ready\`\n- [ ] Tell the team\n`);
    await click(b, 'nav-library');
    await click(b, 'import-file');
    await until('the import', async () => (await (await find(b, tid('import-result'))).getAttribute('data-ok')) === 'true');
    await click(b, 'nav-runs');
    await click(b, 'new-run');
    const select = await find(b, tid('new-run-checklist'));
    for (const o of await select.$$('option')) {
      if ((await o.getText()).includes('E2E suggested probe')) await select.selectByAttribute('value', await o.getAttribute('value'));
    }
    await (await find(b, tid('new-run-title'))).setValue('Suggestion run');
    await click(b, 'new-run-submit');
    await until('the run view', async () => (await findAll(b, tid('item'))).length === 2);

    const items = await findAll(b, tid('item'));
    await items[0].click();
    const suggestion = await find(b, tid('suggestion'));
    await until('the suggestion on the item', () => suggestion.isDisplayed());
    assert.match(await suggestion.getText(), /http/);
    await (await suggestion.$(tid('suggestion-edit'))).click();

    const editor = await find(b, tid('probe-editor-toml'));
    await until('the TOML editor', () => editor.isDisplayed());
    const prefilled = await editor.getValue();
    assert.ok(prefilled.includes(`http://127.0.0.1:${port}/ready`), `prefilled with the suggestion: ${prefilled}`);
    // A typo is named by the live validation, and the probe cannot be added.
    await typeToml(b, `${prefilled.trimEnd()}\nbody_contain = "ready"\n`);
    const error = await find(b, tid('probe-editor-error'));
    await until('the validation error', () => error.isDisplayed());
    assert.match(await error.getText(), /body_contain/);
    assert.equal(await (await find(b, tid('probe-editor-save'))).isEnabled(), false);
    await typeToml(b, `${prefilled.trimEnd()}\nbody_contains = "ready"\n`);
    await until('valid again', async () => (await find(b, tid('probe-editor-valid'))).isDisplayed());
    await shot(b, '20-probe-editor');
    await click(b, 'probe-editor-save');

    // The item now has the probe; the suggestion is gone; running it passes against the loopback server.
    await until('the suggestion accepted', async () => (await findAll(b, tid('suggestion'))).length === 0);
    await click(b, 'run-probe');
    // The live pill is re-rendered on every status event: read it afresh each time.
    const state = () => b.execute(() => document.querySelector('[data-testid="probe-live"]')?.getAttribute('data-probe-state') ?? null);
    await until('the added probe passes', async () => (await state()) === 'pass', 20_000);
    assert.ok(hits >= 1, 'the probe reached the server');
    await shot(b, '21-added-probe-passed');
  } finally {
    await b.deleteSession();
  }
});
