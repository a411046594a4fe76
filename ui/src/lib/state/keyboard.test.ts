import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flattenItems, keyAction, moveSelection, toggledDone } from './keyboard';
import type { Checklist } from '../backend';
import { startBridge, type Bridge } from '../../test/bridge';

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
  // The checklist as Rust's importer reads it (through the test bridge).
  let bridge: Bridge;
  let checklist: Checklist;
  let ids: string[] = [];
  beforeAll(async () => {
    bridge = await startBridge();
    const out = await bridge.backend.importChecklistText('t.md', '# T\n## P\n- [ ] a\n  - [ ] a1\n- [ ] b\n### S\n- [ ] c\n');
    checklist = (await bridge.backend.previewChecklist(out.checklist!.id)).checklist;
    ids = flattenItems(checklist);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('walks items depth first across sections', () => {
    expect(ids.length).toBe(4);
    const a = checklist.phases[0].sections[0].items[0];
    expect(ids.slice(0, 2)).toEqual([a.id, a.children[0].id]);
    expect(a.children[0].text).toBe('a1');
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
