// Planned versus actual times per section, for the timeline chart: offsets in minutes from the window start,
// the drift of each section's actual start against its plan, and the chart's scale.

import type { TimelineChartData } from '../backend/types';

export type DriftLevel = 'on_time' | 'early' | 'late' | 'very_late' | 'unplanned' | 'not_started';

export interface DriftRow {
  section: string;
  phase: string;
  title: string;
  plannedStart: number | null;
  plannedEnd: number | null;
  actualStart: number | null;
  actualEnd: number | null;
  /** actual start − planned start, minutes; null when either is missing. */
  drift: number | null;
  level: DriftLevel;
}

export interface DriftChart {
  rows: DriftRow[];
  /** Scale of the x axis in minutes from the window start. */
  min: number;
  max: number;
  /** Now, in minutes from the window start (null without a window). */
  now: number | null;
}

/** Tolerances in minutes: within ±5 is on time, late beyond 5, very late beyond 15. */
export const LATE_MIN = 5;
export const VERY_LATE_MIN = 15;

export function levelOf(drift: number | null, plannedStart: number | null, actualStart: number | null): DriftLevel {
  if (plannedStart === null) return actualStart === null ? 'not_started' : 'unplanned';
  if (actualStart === null || drift === null) return 'not_started';
  if (drift > VERY_LATE_MIN) return 'very_late';
  if (drift > LATE_MIN) return 'late';
  if (drift < -LATE_MIN) return 'early';
  return 'on_time';
}

export function computeDrift(data: TimelineChartData, now: Date): DriftChart {
  const origin = data.window_start ? Date.parse(data.window_start) : null;
  const rel = (t: string | null | undefined) => (origin !== null && t ? (Date.parse(t) - origin) / 60000 : null);
  const rows = data.rows.map((r): DriftRow => {
    const plannedStart = r.planned_start_min ?? null;
    const actualStart = rel(r.actual_start);
    const drift = plannedStart !== null && actualStart !== null ? Math.round(actualStart - plannedStart) : null;
    return {
      section: r.section,
      phase: r.phase,
      title: r.title,
      plannedStart,
      plannedEnd: r.planned_end_min ?? null,
      actualStart,
      actualEnd: rel(r.actual_end),
      drift,
      level: levelOf(drift, plannedStart, actualStart),
    };
  });
  const nowMin = origin !== null ? (now.getTime() - origin) / 60000 : null;
  const xs = rows.flatMap((r) => [r.plannedStart, r.plannedEnd, r.actualStart, r.actualEnd]).filter((v): v is number => v !== null);
  if (nowMin !== null) xs.push(nowMin);
  let min = xs.length ? Math.min(...xs) : 0;
  let max = xs.length ? Math.max(...xs) : 60;
  if (max - min < 30) max = min + 30;
  // Round outward to 15-minute ticks.
  min = Math.floor(min / 15) * 15;
  max = Math.ceil(max / 15) * 15;
  return { rows, min, max, now: nowMin };
}

export function formatOffset(min: number): string {
  const sign = min < 0 ? '−' : '+';
  const a = Math.abs(Math.round(min));
  return a >= 60 ? `T${sign}${Math.floor(a / 60)}h${a % 60 ? String(a % 60).padStart(2, '0') : ''}` : `T${sign}${a}m`;
}
