// Issue 5 in the real window: import a checklist file, create a run, mark items with the keyboard and the mouse,
// skip one with a reason, restart the app on the same data directory and see every state kept.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { find, findAll, openApp, press, shot, startDriver, until } from '../lib/app.mjs';

const CHECKLIST = `# E2E release checklist

## Preparation

### Safety
- [ ] Back up the database
- [ ] Announce the maintenance window
- [ ] Freeze merges to main

## Deployment

- [ ] Roll out version 2.5.0
- [ ] Run the smoke tests

## Sign-off

- [ ] Release Manager: ______ Date: ____
`;

let driver;
before(async () => {
  driver = await startDriver();
});
after(async () => {
  await driver?.stop();
});

const tid = (id) => `[data-testid="${id}"]`;

/** State of every item row, in document order. */
async function itemStates(b) {
  return b.execute(() => [...document.querySelectorAll('[data-testid="item"]')].map((e) => e.getAttribute('data-state')));
}

test('import, run, keyboard and mouse, skip with reason, restart keeps state', async () => {
  let b = await openApp();
  try {
    // Library: import a checklist file through the Import button (the native dialog answers with the file).
    driver.offerFile('e2e-release.md', CHECKLIST);
    await (await find(b, tid('nav-library'))).click();
    await (await find(b, tid('import-file'))).click();
    const result = await find(b, tid('import-result'));
    await until('the import result', () => result.isDisplayed());
    assert.equal(await result.getAttribute('data-ok'), 'true', await result.getText());
    await shot(b, '01-library-imported');

    // Runs: create a run from the imported checklist.
    await (await find(b, tid('nav-runs'))).click();
    await (await find(b, tid('new-run'))).click();
    const select = await find(b, tid('new-run-checklist'));
    await until('the checklist option', async () =>
      (await select.$$('option')).some(async (o) => (await o.getText()).includes('E2E release checklist')),
    );
    const options = await select.$$('option');
    for (const o of options) {
      if ((await o.getText()).includes('E2E release checklist')) {
        await select.selectByAttribute('value', await o.getAttribute('value'));
        break;
      }
    }
    await (await find(b, tid('new-run-title'))).setValue('Shop API 2.5.0 to production');
    await (await find(b, tid('new-run-version'))).setValue('2.5.0');
    await (await find(b, tid('new-run-environment'))).setValue('production');
    await shot(b, '02-new-run');
    await (await find(b, tid('new-run-submit'))).click();
    await until('the run view with 5 items', async () => (await itemStates(b)).length === 5);

    // Keyboard: the run opens with the first item selected; x marks it done, j then space marks the second.
    await press(b, 'x');
    await until('item 1 done', async () => (await itemStates(b))[0] === 'done');
    await press(b, 'j');
    await press(b, ' ');
    await until('item 2 done', async () => (await itemStates(b))[1] === 'done');
    // Mouse: the toggle of the fourth item.
    const toggles = await findAll(b, tid('item-toggle'));
    await toggles[3].click();
    await until('item 4 done', async () => (await itemStates(b))[3] === 'done');
    // Skip the third with a reason: select it with the mouse, press s, type the reason.
    const rows = await findAll(b, tid('item'));
    await rows[2].click();
    await press(b, 's');
    const reason = await find(b, tid('skip-dialog-input'));
    await until('the skip reason dialog', () => reason.isDisplayed());
    await reason.setValue('merge freeze not needed for a config-only release');
    await (await find(b, tid('skip-dialog-submit'))).click();
    await until('item 3 skipped', async () => (await itemStates(b))[2] === 'skipped');
    assert.deepEqual(await itemStates(b), ['done', 'done', 'skipped', 'done', 'pending']);
    await shot(b, '03-run-marked');
  } finally {
    await b.deleteSession();
  }

  // Restart: a new app process on the same RUNSHEET_HOME.
  b = await openApp();
  try {
    await (await find(b, tid('nav-runs'))).click();
    const row = await find(b, tid('run-row'));
    await until('the run in the list', () => row.isDisplayed());
    assert.match(await row.getText(), /Shop API 2\.5\.0 to production/);
    await (await row.$(tid('run-open'))).click();
    await until('the run view', async () => (await itemStates(b)).length === 5);
    assert.deepEqual(await itemStates(b), ['done', 'done', 'skipped', 'done', 'pending'], 'every state survived the restart');
    const rows = await findAll(b, tid('item'));
    await rows[2].click();
    const why = await find(b, tid('item-reason'));
    await until('the skip reason', () => why.isDisplayed());
    assert.match(await why.getText(), /merge freeze not needed/);
    await shot(b, '04-after-restart');
  } finally {
    await b.deleteSession();
  }
});
