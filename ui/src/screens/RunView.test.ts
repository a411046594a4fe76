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

  it('declares a rollback trigger, prompts for a decision and switches to the rollback phase', async () => {
    const b = bridge.backend;
    setBackend(b);
    const md = [
      '# Deploy web',
      '',
      '## Deploy',
      '',
      '- [ ] Ship the new image',
      '',
      '## Rollback procedures',
      '',
      '- [ ] Rollback if error rate > 5% for 5 minutes',
      '- [ ] Restore the previous image',
      '',
    ].join('\n');
    const checklist = (await b.importChecklistText('deploy-web.md', md)).checklist!;
    const run = await b.createRun({ checklist_id: checklist.id, title: 'Trigger', operator: 'Alex Morgan' });
    const rb0 = await b.rollbackState(run.id);
    // The core suggests the "Rollback if …" item under a rollback heading as the run's one trigger.
    expect(rb0.triggers.map((t) => t.text)).toEqual(['Rollback if error rate > 5% for 5 minutes']);
    const trigger = rb0.triggers[0].item;
    app = mount(RunView, { target: document.body, props: { runId: run.id } });
    const row = await until(() => document.querySelector<HTMLElement>(`[data-item-id="${trigger}"]`), 'trigger row');
    expect(document.querySelector('[data-testid="trigger-banner"]')).toBeNull();

    row.click();
    flushSync();
    (await until(() => document.querySelector<HTMLButtonElement>('[data-testid="declare-trigger"]'), 'declare button')).click();
    flushSync();
    const input = await until(() => document.querySelector<HTMLTextAreaElement>('[data-testid="declare-dialog-input"]'), 'declare dialog');
    input.value = 'error rate 7% for 6 minutes';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    document.querySelector<HTMLButtonElement>('[data-testid="declare-dialog-submit"]')!.click();
    const banner = await until(() => document.querySelector<HTMLElement>('[data-testid="trigger-banner"]'), 'trigger banner');
    expect(banner.querySelector('[data-testid="trigger-name"]')!.textContent).toBe('Rollback if error rate > 5% for 5 minutes');
    expect(banner.querySelector('[data-testid="trigger-evidence"]')!.textContent).toContain('error rate 7% for 6 minutes');
    expect((await b.rollbackState(run.id)).open.map((t) => t.item)).toEqual([trigger]);

    // Continuing needs a reason: the dialog submits nothing empty, and Rust refuses one without it.
    await expect(b.decideRollback(run.id, trigger, 'continue', '  ')).rejects.toMatchObject({ code: 'Invalid' });
    banner.querySelector<HTMLButtonElement>('[data-testid="trigger-continue"]')!.click();
    flushSync();
    const reason = await until(() => document.querySelector<HTMLTextAreaElement>('[data-testid="continue-dialog-input"]'), 'continue dialog');
    document.querySelector<HTMLButtonElement>('[data-testid="continue-dialog-submit"]')!.click();
    flushSync();
    expect((await b.rollbackState(run.id)).open).toHaveLength(1);
    expect(reason.isConnected).toBe(true);
    [...document.querySelectorAll<HTMLButtonElement>('[data-testid="continue-dialog"] button')].find((x) => x.textContent === 'Cancel')!.click();
    flushSync();
    expect(document.querySelector('[data-testid="continue-dialog"]')).toBeNull();

    // Roll back: the decision is recorded, the banner goes and the view works in the rollback phase.
    document.querySelector<HTMLButtonElement>('[data-testid="trigger-rollback"]')!.click();
    const active = await until(() => document.querySelector<HTMLElement>('[data-testid="rollback-active"]'), 'rollback phase shown');
    expect(document.querySelector('[data-testid="trigger-banner"]')).toBeNull();
    const rb = await b.rollbackState(run.id);
    expect(rb.open).toEqual([]);
    expect(rb.active_phase).not.toBeNull();
    expect(active.dataset.phaseId).toBe(rb.active_phase);
    const phase = document.querySelector<HTMLElement>(`[data-testid="phase"][data-phase-id="${rb.active_phase}"]`)!;
    expect(phase.classList.contains('active-phase')).toBe(true);
    // The first item of the rollback phase is selected.
    await until(() => phase.querySelector('[data-testid="item"][aria-selected="true"], [data-testid="item"].selected') || null, 'rollback item selected');
    const decided = (await b.timeline(run.id)).filter((e) => (e.body as { type?: string }).type === 'rollback_decided');
    expect(decided).toHaveLength(1);
    expect(decided[0].actor).toBe('Alex Morgan');
  });

  it('opens the contacts card with `c`, shows placeholders as missing and fills one in', async () => {
    const b = bridge.backend;
    setBackend(b);
    const md = ['# Deploy web', '', '## Deploy', '', '- [ ] Ship the new image', '', '## Emergency Contacts', '',
      '- Primary: [Name] - [Phone]', '- DBA on call: Jane Doe, +1 555 0100', ''].join('\n');
    const checklist = (await b.importChecklistText('contacts.md', md)).checklist!;
    const run = await b.createRun({ checklist_id: checklist.id, title: 'Contacts', operator: 'Alex Morgan' });
    app = mount(RunView, { target: document.body, props: { runId: run.id } });
    await until(() => document.querySelector('[data-testid="item"]'), 'items');
    expect(document.querySelector('[data-testid="contacts-card"]')).toBeNull();

    key('c');
    const card = await until(() => document.querySelector<HTMLElement>('[data-testid="contacts-card"] [data-testid="contact"]')?.closest<HTMLElement>('[data-testid="contacts-card"]'), 'contacts card');
    const primary = () => card.querySelector<HTMLElement>('[data-testid="contact"][data-role="Primary"]');
    await until(() => primary(), 'primary contact');
    // The placeholders of the checklist are shown as missing until the run fills them in.
    expect([...primary()!.querySelectorAll('[data-testid="contact-missing"]')].map((e) => e.textContent)).toEqual(['Name missing', 'Phone missing']);
    expect(card.querySelector('[data-role="DBA on call"] [data-testid="contact-missing"]')).toBeNull();
    expect(card.querySelector('[data-testid="contacts-missing"]')!.textContent).toBe('2 missing');

    primary()!.querySelector<HTMLButtonElement>('[data-testid="contact-edit"]')!.click();
    flushSync();
    const fill = (tid: string, v: string) => {
      const i = card.querySelector<HTMLInputElement>(`[data-testid="${tid}"]`)!;
      i.value = v;
      i.dispatchEvent(new Event('input', { bubbles: true }));
    };
    await until(() => card.querySelector('[data-testid="contact-form"]'), 'contact form');
    fill('contact-form-name', 'Sam Rivera');
    fill('contact-form-phone', '+1 555 0199');
    flushSync();
    card.querySelector<HTMLButtonElement>('[data-testid="contact-form-save"]')!.click();
    await until(() => primary()?.dataset.missing === '0' || null, 'primary filled in');
    expect(primary()!.textContent).toContain('Sam Rivera');
    expect(card.querySelector('[data-testid="contacts-missing"]')).toBeNull();
    const stored = (await b.contacts(run.id)).find((c) => c.role === 'Primary')!;
    expect(stored.details.map((d) => [d.kind, d.value])).toEqual([['name', 'Sam Rivera'], ['phone', '+1 555 0199']]);
    // A form with nothing in it is refused by Rust, not silently recorded.
    await expect(b.setContact(run.id, 'Primary', [{ kind: 'name', label: null, value: '  ' }])).rejects.toMatchObject({ code: 'Invalid' });

    key('c');
    await until(() => !document.querySelector('[data-testid="contacts-card"]') || null, 'card closed');
  });

  it('shows the clock: now against T, what is late and by how much, and what is due next', async () => {
    const b = bridge.backend;
    setBackend(b);
    const md = ['# Shop release', '', '## Preparation (T-60 minutes)', '', '- [ ] Announce the window', '',
      '## Deployment (T+0 minutes)', '', '- [ ] Deploy the canary', '', '## Verification (T+120 minutes)', '',
      '- [ ] Error rate below 1%', ''].join('\n');
    const checklist = (await b.importChecklistText('clock.md', md)).checklist!;
    const min = 60_000;
    const run = await b.createRun({
      checklist_id: checklist.id,
      title: 'Clock',
      operator: 'Alex Morgan',
      // T was 90 minutes ago; the window closes in three hours.
      window_start: new Date(Date.now() - 90 * min).toISOString(),
      window_end: new Date(Date.now() + 180 * min).toISOString(),
    });
    const rust = await b.runClock(run.id);
    expect(rust.t_minutes).toBeGreaterThanOrEqual(89);
    expect(rust.t_minutes).toBeLessThanOrEqual(91);
    const late = rust.rows.filter((r) => r.state === 'late');
    // Preparation (T-60) ended at T at the latest: it is late, by at least the 90 minutes since T.
    expect(late.map((r) => r.title)).toContain('Preparation');
    expect(Math.min(...late.map((r) => r.late_minutes))).toBeGreaterThan(0);
    expect(rust.rows.find((r) => r.title === 'Verification')?.state).toBe('upcoming');

    app = mount(RunView, { target: document.body, props: { runId: run.id } });
    const clock = await until(() => document.querySelector<HTMLElement>('[data-testid="run-clock"]'), 'clock');
    expect(clock.querySelector('[data-testid="clock-t"]')!.textContent).toMatch(/^T\+1h(29|30|31)m$/);
    const shown = [...clock.querySelectorAll<HTMLElement>('[data-testid="clock-late"]')];
    expect(shown.map((e) => e.dataset.id)).toEqual(late.map((r) => r.id));
    const prep = late.find((r) => r.title === 'Preparation')!;
    const prepText = shown.find((e) => e.dataset.id === prep.id)!.textContent!;
    expect(prepText).toContain('Preparation');
    expect(prepText).toMatch(/by \d+h \d+m|by \d+m/);
    // What is due now (Deployment, T+0 until the next phase at T+120) comes before what is upcoming.
    expect(rust.rows.find((r) => r.state === 'due')?.title).toBe('Deployment');
    const next = clock.querySelector<HTMLElement>('[data-testid="clock-next"]')!;
    expect(next.dataset.state).toBe('due');
    expect(next.textContent).toContain('Due now: Deployment');

    // Doing Preparation's item takes it off the clock.
    const row = await until(() => [...document.querySelectorAll<HTMLElement>('[data-testid="item"]')].find((r) => r.textContent?.includes('Announce the window')), 'item');
    row.click();
    flushSync();
    key('x');
    await until(() => !document.querySelector(`[data-testid="clock-late"][data-id="${prep.id}"]`) || null, 'preparation no longer late');
    expect((await b.runClock(run.id)).rows.map((r) => r.id)).not.toContain(prep.id);
  });
});
