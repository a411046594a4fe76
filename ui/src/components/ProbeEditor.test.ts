// The probe editor mounted in jsdom over the test bridge: the field list comes from the backend's probe kinds
// (Rust's descriptions), for the kind being typed, or every kind before one is.
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../lib/backend';
import { startBridge, type Bridge } from '../test/bridge';
import ProbeEditor from './ProbeEditor.svelte';

async function until<T>(f: () => T | null | undefined, what: string, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const texts = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)].map((e) => e.textContent ?? '');

describe('ProbeEditor', () => {
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

  const open = (initial: string) => {
    setBackend(bridge.backend);
    app = mount(ProbeEditor, { target: document.body, props: { initial, itemText: 'x', onsave: async () => {}, onclose: () => {} } });
    flushSync();
  };

  it('shows the typed kind’s fields with required, default and help', async () => {
    open('kind = "http"\nurl = "http://x"\n');
    const fields = await until(() => (texts('probe-editor-field').length ? texts('probe-editor-field') : null), 'fields');
    const row = (name: string) => fields.find((t) => t.trim().startsWith(name + ' ')) ?? '';
    expect(row('url')).toContain('required');
    expect(row('method')).toContain('"GET"');
    expect(row('expect_status')).toContain('200');
    expect(row('timeout')).toContain('"5s"');
    expect(fields.some((t) => t.trim().startsWith('port '))).toBe(false);
    expect(texts('probe-editor-kind')).toEqual([]);
  });

  it('lists every kind before one is typed', async () => {
    const kinds = (await bridge.backend.probeKinds()).kinds.map((k) => k.kind);
    open('');
    const rows = await until(() => (texts('probe-editor-kind').length ? texts('probe-editor-kind') : null), 'kinds');
    expect(rows.map((t) => t.trim().split(':')[0])).toEqual(kinds);
    expect(rows.find((t) => t.startsWith('port_free'))).toContain('port*');
  });
});
