import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../backend/fake';
import { applyProbeEvent, formatAge, inlineParts, isStale, itemsOf, liveStatus, progressOf } from './run';

describe('run helpers', () => {
  it('computes phase progress from item states', async () => {
    const b = new FakeBackend({ probeDelayMs: 0 });
    const [run] = await b.listRuns({ text: 'shop api' });
    const view = await b.getRun(run.id);
    const prep = progressOf(view, view.checklist.phases[0]);
    // The seed finished the whole preparation phase.
    expect(prep).toMatchObject({ total: 7, resolved: 7, done: 7 });
    expect(prep.pct).toBe(100);
    const verify = progressOf(view, view.checklist.phases[2]);
    expect(verify.resolved).toBe(0);
  });

  it('applies live probe events, keeping evidence only when carried', async () => {
    const b = new FakeBackend({ probeDelayMs: 0 });
    const [run] = await b.listRuns({ text: 'shop api' });
    let view = await b.getRun(run.id);
    let live = {};
    const item = view.checklist.phases[1].sections[1].items[1].id; // health check
    ({ view, live } = applyProbeEvent(view, live, { run_id: run.id, item, probe: 0, state: 'running' }));
    expect(view.items[item]?.evidence ?? []).toEqual([]);
    const ev = {
      item, probe: 0, kind: 'http', outcome: 'pass' as const, started_at: new Date().toISOString(), duration_ms: 3,
      summary: 'HTTP 200', output: '', response_hash: 'ab', fresh_for_s: 900, stale: false,
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
  it('follows item states after local changes', async () => {
    const b = new FakeBackend({ probeDelayMs: 0, empty: true });
    const [tpl] = await b.listChecklists();
    const run = await b.createRun({ checklist_id: tpl.id, title: 'r', operator: 'o' });
    let view = await b.getRun(run.id);
    expect(liveStatus(view)).toBe('not_started');
    const ids = view.checklist.phases.flatMap((p) => p.sections.flatMap((s) => s.items.map((i) => i.id)));
    view.items[ids[0]] = await b.setItemState(run.id, ids[0], { state: 'blocked' });
    expect(liveStatus(view)).toBe('blocked');
    view.items[ids[0]] = await b.setItemState(run.id, ids[0], { state: 'done' });
    expect(liveStatus(view)).toBe('in_progress');
    // Resolving everything outside the rollback phase completes the run; the backend agrees.
    for (const p of view.checklist.phases.filter((p) => !p.rollback)) {
      for (const it of itemsOf(p)) view.items[it.id] = await b.setItemState(run.id, it.id, { state: 'n/a' });
    }
    expect(liveStatus(view)).toBe('completed');
    view = await b.getRun(run.id);
    expect(view.summary.status).toBe('completed');
  });
});
