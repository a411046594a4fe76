import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, RunSummary } from '../backend';
import { startBridge, type Bridge } from '../../test/bridge';
import { applyProbeEvent, formatAge, inlineParts, isStale, itemsOf, liveStatus, progressOf } from './run';

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

describe('liveStatus', () => {
  it('follows item states after local changes, as the backend does', async () => {
    const run = await newRun('r');
    let view = await b.getRun(run.id);
    const agrees = async (expected: string) => {
      expect(liveStatus(view)).toBe(expected);
      expect((await b.getRun(run.id)).summary.status, 'the backend agrees').toBe(expected);
    };
    await agrees('not_started');
    const phases = view.checklist.phases;
    const ids = phases.flatMap((p) => itemsOf(p).map((i) => i.id));
    view.items[ids[0]] = await b.setItemState(run.id, ids[0], { state: 'blocked' });
    await agrees('blocked');
    view.items[ids[0]] = await b.setItemState(run.id, ids[0], { state: 'failed' });
    await agrees('in_progress');
    view.items[ids[0]] = await b.setItemState(run.id, ids[0], { state: 'done' });
    await agrees('in_progress');
    // Everything outside the rollback phase resolved: the rollback items still count.
    for (const p of phases.filter((p) => !p.rollback)) {
      for (const it of itemsOf(p)) view.items[it.id] = await b.setItemState(run.id, it.id, { state: 'n/a' });
    }
    const rollback = phases.filter((p) => p.rollback).flatMap((p) => itemsOf(p));
    expect(rollback.length, 'the template has a rollback phase').toBeGreaterThan(0);
    await agrees('in_progress');
    for (const it of rollback) view.items[it.id] = await b.setItemState(run.id, it.id, { state: 'failed' });
    await agrees('blocked');
    // A waiver settles a failed item.
    for (const it of rollback) await b.waive(run.id, it.id, 'not needed: the rollout went fine', 'Dana Fox');
    view = await b.getRun(run.id);
    await agrees('completed');
  });
});
