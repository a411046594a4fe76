import { describe, expect, it } from 'vitest';
import { flattenItems, keyAction, moveSelection, toggledDone } from './keyboard';
import { parseChecklist } from '../backend/fake/markdown';

describe('keyAction', () => {
  it('maps the documented keys', () => {
    expect(keyAction({ key: 'j' })).toEqual({ type: 'move', delta: 1 });
    expect(keyAction({ key: 'k' })).toEqual({ type: 'move', delta: -1 });
    expect(keyAction({ key: ' ' })).toEqual({ type: 'toggle-done' });
    expect(keyAction({ key: 'x' })).toEqual({ type: 'toggle-done' });
    expect(keyAction({ key: 's' })).toEqual({ type: 'skip' });
    expect(keyAction({ key: 'f' })).toEqual({ type: 'set', state: 'failed' });
    expect(keyAction({ key: 'b' })).toEqual({ type: 'set', state: 'blocked' });
    expect(keyAction({ key: 'n' })).toEqual({ type: 'note' });
  });

  it('ignores keys typed into fields and chords with modifiers', () => {
    // A skip reason containing "s" or "x" must not change item states.
    const input = document.createElement('input');
    const area = document.createElement('textarea');
    expect(keyAction({ key: 's', target: input })).toEqual({ type: 'none' });
    expect(keyAction({ key: 'x', target: area })).toEqual({ type: 'none' });
    expect(keyAction({ key: 'j', ctrlKey: true })).toEqual({ type: 'none' });
    expect(keyAction({ key: 'q' })).toEqual({ type: 'none' });
  });
});

describe('selection', () => {
  const { checklist } = parseChecklist('# T\n## P\n- [ ] a\n  - [ ] a1\n- [ ] b\n### S\n- [ ] c\n');
  const ids = flattenItems(checklist!);

  it('walks items depth first across sections', () => {
    expect(ids.length).toBe(4);
    expect(ids[1]).toContain('a1');
  });

  it('moves within bounds and starts at the ends', () => {
    expect(moveSelection(ids, null, 1)).toBe(ids[0]);
    expect(moveSelection(ids, null, -1)).toBe(ids[3]);
    expect(moveSelection(ids, ids[0], -1)).toBe(ids[0]);
    expect(moveSelection(ids, ids[3], 1)).toBe(ids[3]);
    expect(moveSelection(ids, ids[1], 1)).toBe(ids[2]);
    expect(moveSelection([], null, 1)).toBeNull();
  });

  it('toggles done', () => {
    expect(toggledDone('pending')).toBe('done');
    expect(toggledDone('failed')).toBe('done');
    expect(toggledDone('done')).toBe('pending');
  });
});
