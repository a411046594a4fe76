import { describe, expect, it } from 'vitest';
import { computeDrift, formatOffset, levelOf } from './drift';

const W = '2026-11-23T10:00:00Z';
const at = (min: number) => new Date(Date.parse(W) + min * 60000).toISOString();

describe('computeDrift', () => {
  it('measures actual start against the planned offset', () => {
    const c = computeDrift(
      {
        window_start: W,
        window_end: null,
        rows: [
          { phase: 'p', section: 'a', title: 'A', planned_start_min: -60, planned_end_min: -45, actual_start: at(-58), actual_end: at(-50) },
          { phase: 'p', section: 'b', title: 'B', planned_start_min: 0, planned_end_min: 15, actual_start: at(9), actual_end: at(20) },
          { phase: 'p', section: 'c', title: 'C', planned_start_min: 15, planned_end_min: 30, actual_start: at(40), actual_end: null },
          { phase: 'p', section: 'd', title: 'D', planned_start_min: 30, planned_end_min: 45, actual_start: null, actual_end: null },
          { phase: 'p', section: 'e', title: 'E', planned_start_min: null, planned_end_min: null, actual_start: at(5), actual_end: at(6) },
        ],
      },
      new Date(at(50)),
    );
    expect(c.rows.map((r) => r.drift)).toEqual([2, 9, 25, null, null]);
    expect(c.rows.map((r) => r.level)).toEqual(['on_time', 'late', 'very_late', 'not_started', 'unplanned']);
    // The scale covers every bar and now, rounded out to 15 minutes.
    expect(c.min).toBe(-60);
    expect(c.max).toBe(60);
    expect(c.now).toBe(50);
  });

  it('works without a change window (no actual times can be placed)', () => {
    const c = computeDrift({ window_start: null, window_end: null, rows: [{ phase: 'p', section: 'a', title: 'A', planned_start_min: 0, planned_end_min: 15, actual_start: at(3), actual_end: null }] }, new Date());
    expect(c.rows[0].actualStart).toBeNull();
    expect(c.rows[0].level).toBe('not_started');
    expect(c.now).toBeNull();
  });

  it('classifies early starts', () => {
    expect(levelOf(-10, 0, -10)).toBe('early');
    expect(levelOf(5, 0, 5)).toBe('on_time');
  });

  it('formats offsets', () => {
    expect(formatOffset(-60)).toBe('T−1h');
    expect(formatOffset(15)).toBe('T+15m');
    expect(formatOffset(90)).toBe('T+1h30');
  });
});
