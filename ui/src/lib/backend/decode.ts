// Checked reading of the few results the generated bindings type as a plain JSON `Value`: runsheet-core's
// checklist (in RunView and ChecklistPreview), event bodies (TimelineEvent), the evidence carried by a probe status
// event, and a validated probe spec. Each function checks the shape the UI reads and returns it typed, or throws
// an `Internal` BackendError naming what did not match: no result reaches a component through an unchecked cast.
//
// Left out: the fields the UI never reads (they pass through untouched).

import type { Value } from '../bindings';
import { ITEM_STATES, type BackendError, type Checklist, type Command, type EventBody, type Evidence, type Item, type ItemState, type Phase, type ProbeDecl, type ProbeSpec, type Section, type SignoffLine } from './types';

type Obj = { [key: string]: Value };

function fail(what: string, v: unknown): never {
  const shown = JSON.stringify(v) ?? String(v);
  const err: BackendError = { code: 'Internal', message: `unexpected ${what} from Rust: ${shown.slice(0, 200)}` };
  throw err;
}

function obj(v: Value | undefined, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, v);
  return v;
}

function arr(v: Value | undefined, what: string): Value[] {
  if (!Array.isArray(v)) fail(what, v);
  return v;
}

function str(v: Value | undefined, what: string): string {
  if (typeof v !== 'string') fail(what, v);
  return v;
}

function num(v: Value | undefined, what: string): number {
  if (typeof v !== 'number') fail(what, v);
  return v;
}

function bool(v: Value | undefined, what: string): boolean {
  if (typeof v !== 'boolean') fail(what, v);
  return v;
}

function optStr(v: Value | undefined, what: string): string | null {
  return v === undefined || v === null ? null : str(v, what);
}

function optNum(v: Value | undefined, what: string): number | null {
  return v === undefined || v === null ? null : num(v, what);
}

export function probeSpec(v: Value): ProbeSpec {
  const o = obj(v, 'probe spec');
  return { ...o, kind: str(o.kind, 'probe kind') };
}

function timing(v: Value | undefined) {
  if (v === undefined || v === null) return null;
  const o = obj(v, 'timing');
  return {
    label: str(o.label, 'timing label'),
    offset_minutes: optNum(o.offset_minutes, 'timing offset'),
    end_offset_minutes: optNum(o.end_offset_minutes, 'timing end offset'),
  };
}

function command(v: Value): Command {
  const o = obj(v, 'command');
  const kind = str(o.kind, 'command kind');
  if (kind !== 'inline' && kind !== 'block') fail('command kind', kind);
  return { text: str(o.text, 'command text'), kind, lang: optStr(o.lang, 'command lang'), label: optStr(o.label, 'command label'), line: num(o.line, 'command line') };
}

function probeDecl(v: Value): ProbeDecl {
  const o = obj(v, 'probe');
  return { line: num(o.line, 'probe line'), source: str(o.source, 'probe source'), spec: probeSpec(o.spec) };
}

function item(v: Value): Item {
  const o = obj(v, 'item');
  return {
    id: str(o.id, 'item id'),
    line: num(o.line, 'item line'),
    text: str(o.text, 'item text'),
    checked: bool(o.checked, 'item checked'),
    children: arr(o.children, 'item children').map(item),
    commands: arr(o.commands, 'item commands').map(command),
    probes: arr(o.probes, 'item probes').map(probeDecl),
  };
}

function section(v: Value): Section {
  const o = obj(v, 'section');
  return {
    id: str(o.id, 'section id'),
    title: str(o.title, 'section title'),
    line: num(o.line, 'section line'),
    level: num(o.level, 'section level'),
    timing: timing(o.timing),
    rollback: bool(o.rollback, 'section rollback'),
    items: arr(o.items, 'section items').map(item),
    commands: arr(o.commands, 'section commands').map(command),
  };
}

function phase(v: Value): Phase {
  const o = obj(v, 'phase');
  return {
    id: str(o.id, 'phase id'),
    title: str(o.title, 'phase title'),
    line: num(o.line, 'phase line'),
    timing: timing(o.timing),
    rollback: bool(o.rollback, 'phase rollback'),
    sections: arr(o.sections, 'phase sections').map(section),
  };
}

function signoffLine(v: Value): SignoffLine {
  const o = obj(v, 'sign-off line');
  return { role: str(o.role, 'role'), line: num(o.line, 'sign-off line'), checkbox: bool(o.checkbox, 'sign-off checkbox'), phase: optStr(o.phase, 'sign-off phase') };
}

export function checklist(v: Value): Checklist {
  const o = obj(v, 'checklist');
  return {
    title: str(o.title, 'checklist title'),
    metadata: o.metadata === undefined || o.metadata === null ? {} : obj(o.metadata, 'checklist metadata'),
    phases: arr(o.phases, 'checklist phases').map(phase),
    signoffs: arr(o.signoffs, 'checklist sign-offs').map(signoffLine),
  };
}

const EVENT_TYPES = new Set<EventBody['type']>([
  'run_created',
  'item_set',
  'note_added',
  'probe_armed',
  'probe_added',
  'evidence',
  'signed_off',
  'role_added',
  'waived',
  'settings_changed',
  'secret_granted',
  'member_joined',
  'contact_set',
  'trigger_fired',
  'rollback_decided',
]);

function isItemState(s: string): s is ItemState {
  return (ITEM_STATES as readonly string[]).includes(s);
}

function isEventType(t: string): t is EventBody['type'] {
  return (EVENT_TYPES as Set<string>).has(t);
}

/** An event body: its `type` is one the UI describes, and the fields each type shows are checked. */
export function eventBody(v: Value): EventBody {
  const o = obj(v, 'event body');
  const type = str(o.type, 'event type');
  // A kind this build does not know is not an error: a newer build on a teammate's laptop may have written it.
  if (!isEventType(type) || type === 'other') return { type: 'other', kind: type };
  const s = (k: string) => str(o[k], `${type} ${k}`);
  const os = (k: string) => optStr(o[k], `${type} ${k}`);
  switch (type) {
    case 'run_created':
      return { type, title: s('title'), version: os('version'), environment: os('environment'), window_start: os('window_start'), window_end: os('window_end'), operator: s('operator'), checklist_id: s('checklist_id') };
    case 'item_set': {
      const state = s('state');
      if (!isItemState(state)) fail('item state', state);
      return { type, item: s('item'), state, reason: os('reason'), note: os('note') };
    }
    case 'note_added':
      return { type, item: s('item'), note: s('note') };
    case 'probe_armed':
      return { type, item: s('item') };
    case 'probe_added':
      return { type, item: s('item'), source: s('source') };
    case 'evidence':
      return { type, item: s('item'), evidence: o.evidence ?? null };
    case 'signed_off':
      return { type, role: s('role'), name: s('name'), comment: os('comment') };
    case 'role_added':
      return { type, role: s('role') };
    case 'waived':
      return { type, item: s('item'), reason: s('reason'), approver: s('approver') };
    case 'settings_changed': {
      const gate = os('gate_mode');
      if (gate !== null && gate !== 'strict' && gate !== 'advisory') fail('gate mode', gate);
      const four = o.four_eyes;
      return { type, four_eyes: four === undefined || four === null ? null : bool(four, 'four_eyes'), gate_mode: gate };
    }
    case 'secret_granted':
      return { type, secret: s('secret'), host: s('host') };
    case 'member_joined':
      return { type, name: s('name'), device: s('device'), certificate: s('certificate') };
    case 'trigger_fired':
      return { type, trigger: s('trigger'), summary: os('summary') };
    case 'rollback_decided': {
      const decision = s('decision');
      if (decision !== 'rollback' && decision !== 'continue') fail('rollback decision', decision);
      return { type, trigger: s('trigger'), decision, reason: os('reason') };
    }
    case 'contact_set':
      return {
        type,
        role: s('role'),
        fields: arr(o.fields, 'contact fields').map((f) => {
          const c = obj(f, 'contact field');
          return { kind: str(c.kind, 'contact kind'), label: str(c.label, 'contact label'), value: optStr(c.value, 'contact value') };
        }),
      };
  }
}

/** The evidence a probe status event carries (runsheet-app's `view::Evidence`, serialised). */
export function evidence(v: Value): Evidence {
  const o = obj(v, 'evidence');
  const outcome = str(o.outcome, 'evidence outcome');
  if (outcome !== 'pass' && outcome !== 'fail' && outcome !== 'timeout' && outcome !== 'error') fail('evidence outcome', outcome);
  const grant = o.grant === undefined || o.grant === null ? null : obj(o.grant, 'grant');
  return {
    item: str(o.item, 'evidence item'),
    probe: num(o.probe, 'evidence probe'),
    kind: str(o.kind, 'evidence kind'),
    outcome,
    started_at: str(o.started_at, 'evidence start'),
    duration_ms: optNum(o.duration_ms, 'evidence duration'),
    summary: str(o.summary, 'evidence summary'),
    output: str(o.output, 'evidence output'),
    response_hash: optStr(o.response_hash, 'evidence hash'),
    fresh_for_s: optNum(o.fresh_for_s, 'evidence freshness'),
    stale: bool(o.stale, 'evidence stale'),
    grant: grant && { secret: str(grant.secret, 'grant secret'), host: str(grant.host, 'grant host') },
  };
}
