import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, RunSummary } from '../backend';
import { startBridge, type Bridge } from '../../test/bridge';
import { applyProbeEvent, formatAge, inlineParts, isStale, itemsOf, progressOf } from './run';

// Runs made by the real commands over the test bridge.
let bridge: Bridge;
let b: Backend;
beforeAll(async () => {
  bridge = await startBridge();
  b = bridge.backend;
});
afterAll(async () => {
  await bridge?.stop();
});

async function newRun(title: string): Promise<RunSummary> {
  const [tpl] = await b.listChecklists();
  return b.createRun({ checklist_id: tpl.id, title, operator: 'Alex Morgan' });
}

describe('run helpers', () => {
  it('computes phase progress from item states', async () => {
    const run = await newRun('progress');
    let view = await b.getRun(run.id);
    const first = itemsOf(view.checklist.phases[0]);
    for (const it of first) await b.setItemState(run.id, it.id, { state: 'done' });
    view = await b.getRun(run.id);
    const prep = progressOf(view, view.checklist.phases[0]);
    expect(prep).toMatchObject({ total: first.length, resolved: first.length, done: first.length });
    expect(prep.pct).toBe(100);
    const later = progressOf(view, view.checklist.phases[2]);
    expect(later.resolved).toBe(0);
  });

  it('applies live probe events, keeping evidence only when carried', async () => {
    const run = await newRun('live');
    let view = await b.getRun(run.id);
    let live = {};
    const item = itemsOf(view.checklist.phases[0])[0].id;
    ({ view, live } = applyProbeEvent(view, live, { run_id: run.id, item, probe: 0, state: 'running' }));
    expect(view.items[item]?.evidence ?? []).toEqual([]);
    const ev = {
      item, probe: 0, kind: 'http', outcome: 'pass' as const, started_at: new Date().toISOString(), duration_ms: 3,
      summary: 'HTTP 200', output: '', response_hash: 'ab', fresh_for_s: 900, stale: false, grant: null,
    };
    ({ view, live } = applyProbeEvent(view, live, { run_id: run.id, item, probe: 0, state: 'pass', evidence: ev }));
    expect(view.items[item].evidence[0].summary).toBe('HTTP 200');
    expect(Object.keys(live)).toEqual([`${item}#0`]);
    // Events of another run are ignored.
    const other = applyProbeEvent(view, live, { run_id: 'other', item, probe: 0, state: 'fail' });
    expect(other.live).toBe(live);
  });

  it('judges staleness and formats ages', () => {
    const ev = { started_at: '2026-01-01T00:00:00Z', fresh_for_s: 900 } as never;
    expect(isStale(ev, new Date('2026-01-01T00:14:00Z'))).toBe(false);
    expect(isStale(ev, new Date('2026-01-01T00:16:00Z'))).toBe(true);
    expect(formatAge(42)).toBe('42 s');
    expect(formatAge(3 * 3600 + 5)).toBe('3 h');
  });

  it('splits inline code', () => {
    expect(inlineParts('Run `redis-cli ping` now')).toEqual([
      { code: false, text: 'Run ' },
      { code: true, text: 'redis-cli ping' },
      { code: false, text: ' now' },
    ]);
  });
});

// The run's status is Rust's (runsheet-core `RunState::status`): a change's result carries it, and the UI keeps no
// copy of the rule. These checks assert what Rust says after each change, and that the change's result and the
// refreshed view agree.
describe('run status from the backend', () => {
  it('comes with every item change, as the refreshed view has it', async () => {
    const run = await newRun('r');
    const view = await b.getRun(run.id);
    let last = view.summary.status;
    const agrees = async (expected: string) => {
      expect(last, 'the change carries the status').toBe(expected);
      expect((await b.getRun(run.id)).summary.status, 'the refreshed view agrees').toBe(expected);
    };
    await agrees('not_started');
    const set = async (id: string, state: 'done' | 'n/a' | 'failed' | 'blocked' | 'pending') => {
      last = (await b.setItemState(run.id, id, { state })).run_status;
    };
    const phases = view.checklist.phases;
    const ids = phases.flatMap((p) => itemsOf(p).map((i) => i.id));
    await set(ids[0], 'blocked');
    await agrees('blocked');
    await set(ids[0], 'failed');
    await agrees('in_progress');
    await set(ids[0], 'done');
    await agrees('in_progress');
    // Everything outside the rollback phase resolved: the rollback items still count.
    for (const p of phases.filter((p) => !p.rollback)) for (const it of itemsOf(p)) await set(it.id, 'n/a');
    const rollback = phases.filter((p) => p.rollback).flatMap((p) => itemsOf(p));
    expect(rollback.length, 'the template has a rollback phase').toBeGreaterThan(0);
    await agrees('in_progress');
    for (const it of rollback) await set(it.id, 'failed');
    await agrees('blocked');
    // A waiver settles a failed item.
    for (const it of rollback) await b.waive(run.id, it.id, 'not needed: the rollout went fine', 'Dana Fox');
    last = (await b.getRun(run.id)).summary.status;
    await agrees('completed');
  });

  it('is monitoring while follow-ups are open, and the runs list says what comes due next', async () => {
    const md = '# Release\n\n## Deploy (T+0)\n- [ ] Ship it\n\n## Post-Deployment\n### First Day\n- [ ] Watch error rates\n';
    const out = await b.importChecklistText('followups.md', md);
    const start = new Date(Date.now() - 2 * 3600_000);
    const run = await b.createRun({
      checklist_id: out.checklist!.id, title: 'follow-ups', operator: 'Alex Morgan',
      window_start: start.toISOString(), window_end: new Date(start.getTime() + 3600_000).toISOString(),
    });
    const view = await b.getRun(run.id);
    const [ship, watch] = view.checklist.phases.flatMap((p) => itemsOf(p).map((i) => i.id));
    // The deploy phase (T+0, one window-hour long) ended an hour ago: it is what comes due next, late.
    let listed = (await b.listRuns({})).find((r) => r.id === run.id)!;
    expect(listed.next_due).toMatchObject({ title: 'Deploy', state: 'late', follow_up: false });
    const s = await b.setItemState(run.id, ship, { state: 'done' });
    expect(s.run_status, 'deployment done, the follow-up open').toBe('monitoring');
    expect((await b.getRun(run.id)).summary.status).toBe('monitoring');
    listed = (await b.listRuns({ status: 'monitoring' })).find((r) => r.id === run.id)!;
    expect(listed.next_due, 'the first day after the window is due now').toMatchObject({ title: 'First Day', state: 'due', follow_up: true });
    expect((await b.setItemState(run.id, watch, { state: 'done' })).run_status).toBe('completed');
    listed = (await b.listRuns({})).find((r) => r.id === run.id)!;
    expect(listed.next_due, 'nothing planned is left open').toBeNull();
  });
});
