// The run view mounted in jsdom over the test bridge (the real commands): keys reach the backend and the DOM
// follows.
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../lib/backend';
import { startBridge, type Bridge } from '../test/bridge';
import RunView from './RunView.svelte';

async function until<T>(f: () => T | null | undefined | Promise<T | null | undefined>, what: string, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const key = (k: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));

describe('RunView', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge();
  });
  afterAll(async () => {
    await bridge?.stop();
  });
  let app: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (app) unmount(app);
    app = null;
    document.body.innerHTML = '';
  });

  it('marks, moves and skips with the keyboard; every change reaches the backend', async () => {
    const b = bridge.backend;
    setBackend(b);
    const [tpl] = await b.listChecklists();
    const run = await b.createRun({ checklist_id: tpl.id, title: 'Keys', operator: 'Alex Morgan' });
    app = mount(RunView, { target: document.body, props: { runId: run.id } });
    const rows = await until(() => {
      const r = document.querySelectorAll<HTMLElement>('[data-testid="item"]');
      return r.length ? r : null;
    }, 'items');
    const id = (i: number) => rows[i].dataset.itemId!;
    const stateIn = async (i: number) => (await b.getRun(run.id)).items[id(i)]?.state ?? 'pending';

    key('x');
    await until(async () => (await stateIn(0)) === 'done' || null, 'first item done');
    key('j');
    key('f');
    await until(() => rows[1].dataset.state === 'failed' || null, 'second item failed in the DOM');
    expect(await stateIn(1)).toBe('failed');

    key('s');
    await tick();
    flushSync();
    const input = await until(() => document.querySelector<HTMLTextAreaElement>('[data-testid="skip-dialog-input"]'), 'skip dialog');
    // A key typed into the dialog is text, not a shortcut.
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'x', bubbles: true }));
    input.value = 'covered by the canary';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    document.querySelector<HTMLButtonElement>('[data-testid="skip-dialog-submit"]')!.click();
    await until(() => rows[1].dataset.state === 'skipped' || null, 'skipped');
    const st = (await b.getRun(run.id)).items[id(1)];
    expect(st).toMatchObject({ state: 'skipped', reason: 'covered by the canary', by: 'Alex Morgan' });
    expect(await stateIn(0)).toBe('done');
  });
});
