// Pure helpers over a RunView: per-phase progress, applying live probe events, staleness of evidence.

import type { Evidence, Item, ItemStatus, Phase, ProbeStatusEvent, RunView, Section } from '../backend/types';

export interface PhaseProgress {
  total: number;
  /** done + skipped + n/a */
  resolved: number;
  done: number;
  failed: number;
  blocked: number;
  pct: number;
}

export function itemsOf(x: Phase | Section | Item): Item[] {
  const out: Item[] = [];
  const walk = (xs: Item[]) => xs.forEach((i) => (out.push(i), walk(i.children)));
  if ('sections' in x) x.sections.forEach((s) => walk(s.items));
  else if ('items' in x) walk(x.items);
  else walk(x.children);
  return out;
}

export function stateOf(view: RunView, id: string): ItemStatus['state'] {
  return view.items[id]?.state ?? 'pending';
}

export function progressOf(view: RunView, x: Phase | Section): PhaseProgress {
  const items = itemsOf(x);
  const p: PhaseProgress = { total: items.length, resolved: 0, done: 0, failed: 0, blocked: 0, pct: 0 };
  for (const it of items) {
    const s = stateOf(view, it.id);
    if (s === 'done' || s === 'skipped' || s === 'n/a') p.resolved++;
    if (s === 'done') p.done++;
    if (s === 'failed') p.failed++;
    if (s === 'blocked') p.blocked++;
  }
  p.pct = p.total ? Math.round((p.resolved / p.total) * 100) : 0;
  return p;
}

export type LiveProbes = Record<string, ProbeStatusEvent>;

export const probeKey = (item: string, probe: number) => `${item}#${probe}`;

/** Folds a pushed probe event into the live map and, when it carries evidence, into the view. */
export function applyProbeEvent(view: RunView, live: LiveProbes, e: ProbeStatusEvent): { view: RunView; live: LiveProbes } {
  if (e.run_id !== view.summary.id) return { view, live };
  const nextLive = { ...live, [probeKey(e.item, e.probe)]: e };
  if (!e.evidence) return { view, live: nextLive };
  const cur: ItemStatus = view.items[e.item] ?? {
    state: 'pending',
    notes: [],
    armed: false,
    evidence: [],
    run_status: view.summary.status,
  };
  const evidence = [...cur.evidence.filter((x) => x.probe !== e.probe), e.evidence].sort((a, b) => a.probe - b.probe);
  return { view: { ...view, items: { ...view.items, [e.item]: { ...cur, evidence } } }, live: nextLive };
}

/** The latest evidence of probe `probe` of an item (evidence lists are matched on `probe`, not position). */
export function latestEvidence(st: ItemStatus | undefined, probe: number): Evidence | undefined {
  return st?.evidence.find((e) => e && e.probe === probe);
}

export function ageSeconds(ev: Evidence, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(ev.started_at)) / 1000));
}

export function isStale(ev: Evidence, now: Date): boolean {
  // A missing window is the probe default, 15 minutes.
  return ageSeconds(ev, now) > (ev.fresh_for_s ?? 900);
}

/** "42 s", "5 min", "3 h", "2 d". */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

/** Splits item text on backticks so inline code renders as <code>. */
export function inlineParts(text: string): { code: boolean; text: string }[] {
  return text
    .split(/(`[^`]+`)/)
    .filter(Boolean)
    .map((t) => (t.startsWith('`') && t.endsWith('`') && t.length > 1 ? { code: true, text: t.slice(1, -1) } : { code: false, text: t }));
}
