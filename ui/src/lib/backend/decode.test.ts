// The checks on results the bindings type as JSON values: a shape the UI cannot read is an Internal error naming
// the field, never a value typed as something it is not. Real Rust output passes them in every bridge test.
import { describe, expect, it } from 'vitest';
import * as decode from './decode';

const item = { id: 'a1', line: 3, text: 'a', checked: false, children: [], commands: [], probes: [] };
const checklist = {
  title: 'T',
  metadata: {},
  phases: [{ id: 'p', title: 'P', line: 2, timing: null, rollback: false, sections: [{ id: 's', title: '', line: 2, level: 0, timing: null, rollback: false, items: [item], commands: [] }] }],
  signoffs: [],
};

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('decode', () => {
  it('reads a checklist and refuses one missing a field the UI reads', () => {
    expect(decode.checklist(checklist).phases[0].sections[0].items[0].text).toBe('a');
    const broken = { ...checklist, phases: [{ ...checklist.phases[0], sections: [{ ...checklist.phases[0].sections[0], items: [{ ...item, text: 7 }] }] }] };
    expect(thrown(() => decode.checklist(broken))).toMatchObject({ code: 'Internal', message: expect.stringContaining('item text') });
  });

  it('reads event bodies by type, refuses bad states, and keeps kinds it does not describe by name', () => {
    expect(decode.eventBody({ type: 'item_set', item: 'a1', state: 'done' })).toEqual({ type: 'item_set', item: 'a1', state: 'done', reason: null, note: null });
    expect(thrown(() => decode.eventBody({ type: 'item_set', item: 'a1', state: 'finished' }))).toMatchObject({ code: 'Internal' });
    expect(thrown(() => decode.eventBody({ type: 7 }))).toMatchObject({ code: 'Internal', message: expect.stringContaining('event type') });
    // A teammate's newer build may write kinds this one does not know: the timeline must still open.
    expect(decode.eventBody({ type: 'teleported', to: 'mars' })).toEqual({ type: 'other', kind: 'teleported' });
    expect(decode.eventBody({ type: 'contact_set', role: 'Primary', fields: [{ kind: 'phone', label: 'phone', value: '+1 555' }] })).toEqual({
      type: 'contact_set',
      role: 'Primary',
      fields: [{ kind: 'phone', label: 'phone', value: '+1 555' }],
    });
  });

  it('reads probe specs by kind', () => {
    expect(decode.probeSpec({ kind: 'http', url: 'http://x' })).toEqual({ kind: 'http', url: 'http://x' });
    expect(thrown(() => decode.probeSpec({ url: 'http://x' }))).toMatchObject({ code: 'Internal' });
  });
});
