// Keyboard handling of the run view, as pure functions: which key does what, and how the selection moves.
// The component only forwards KeyboardEvents; dialogs and text fields are excluded here, not there.

import type { Checklist, Item, ItemState } from '../backend/types';

export type KeyAction =
  | { type: 'move'; delta: 1 | -1 }
  | { type: 'toggle-done' }
  | { type: 'set'; state: ItemState }
  | { type: 'skip' }
  | { type: 'note' }
  | { type: 'run-probes' }
  | { type: 'evidence' }
  | { type: 'none' };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The element the key went to; typing in a field is never a shortcut. */
  target?: EventTarget | null;
}

export function isTypingTarget(t: EventTarget | null | undefined): boolean {
  if (!t || typeof (t as HTMLElement).tagName !== 'string') return false;
  const el = t as HTMLElement;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable === true;
}

export function keyAction(e: KeyLike): KeyAction {
  if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return { type: 'none' };
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return { type: 'move', delta: 1 };
    case 'k':
    case 'ArrowUp':
      return { type: 'move', delta: -1 };
    case ' ':
    case 'x':
      return { type: 'toggle-done' };
    case 's':
      return { type: 'skip' };
    case 'f':
      return { type: 'set', state: 'failed' };
    case 'b':
      return { type: 'set', state: 'blocked' };
    case 'n':
      return { type: 'note' };
    case 'r':
      return { type: 'run-probes' };
    case 'e':
      return { type: 'evidence' };
    default:
      return { type: 'none' };
  }
}

/** Item ids in document order, depth first (the order j/k walk). */
export function flattenItems(c: Checklist): string[] {
  const out: string[] = [];
  const walk = (xs: Item[]) => xs.forEach((x) => (out.push(x.id), walk(x.children)));
  c.phases.forEach((p) => p.sections.forEach((s) => walk(s.items)));
  return out;
}

/** Next selection; stays at the ends, starts at the first item when nothing is selected. */
export function moveSelection(ids: string[], current: string | null, delta: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return delta > 0 ? ids[0] : ids[ids.length - 1];
  return ids[Math.max(0, Math.min(ids.length - 1, i + delta))];
}

/** space/x: pending (or anything else) → done, done → pending. */
export function toggledDone(state: ItemState): ItemState {
  return state === 'done' ? 'pending' : 'done';
}
