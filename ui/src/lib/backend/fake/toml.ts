// A small TOML reader for probe blocks, used by the fake backend only (the real validation is Rust's).
//
// Handles what probe blocks use: `key = value` lines with strings, integers, floats, booleans and one-line inline
// tables; comments and blank lines. Not here: arrays of tables, multi-line strings, dotted keys.

import type { ProbeSpec, ProbeValidation } from '../types';

export class TomlError extends Error {
  constructor(
    public line: number,
    message: string,
  ) {
    super(message);
  }
}

function parseValue(raw: string, line: number): unknown {
  const v = raw.trim();
  if (v.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"$/.exec(v);
    if (!m) throw new TomlError(line, `unterminated string`);
    return m[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  if (v.startsWith("'")) {
    const m = /^'([^']*)'$/.exec(v);
    if (!m) throw new TomlError(line, `unterminated string`);
    return m[1];
  }
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^[+-]?\d+$/.test(v)) return parseInt(v, 10);
  if (/^[+-]?\d+\.\d+$/.test(v)) return parseFloat(v);
  if (v.startsWith('{')) {
    if (!v.endsWith('}')) throw new TomlError(line, `unterminated inline table`);
    const inner = v.slice(1, -1).trim();
    const table: Record<string, unknown> = {};
    if (!inner) return table;
    for (const part of splitTopLevel(inner)) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new TomlError(line, `expected \`key = value\` in inline table`);
      table[unquoteKey(part.slice(0, eq).trim())] = parseValue(part.slice(eq + 1), line);
    }
    return table;
  }
  if (v.startsWith('[')) {
    if (!v.endsWith(']')) throw new TomlError(line, `unterminated array`);
    const inner = v.slice(1, -1).trim();
    return inner ? splitTopLevel(inner).map((p) => parseValue(p, line)) : [];
  }
  throw new TomlError(line, `invalid value \`${v}\` (strings need quotes)`);
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

function unquoteKey(k: string): string {
  return k.replace(/^"(.*)"$/, '$1');
}

export function parseToml(src: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  src.split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    const t = text.trim();
    if (!t || t.startsWith('#')) return;
    const eq = t.indexOf('=');
    if (eq < 0) throw new TomlError(line, `expected \`key = value\``);
    const key = unquoteKey(t.slice(0, eq).trim());
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new TomlError(line, `invalid key \`${key}\``);
    if (key in out) throw new TomlError(line, `duplicate key \`${key}\``);
    out[key] = parseValue(t.slice(eq + 1), line);
  });
  return out;
}

/** Required fields per kind (DESIGN.md). */
export const REQUIRED: Record<string, string[]> = {
  http: ['url'],
  tcp: ['address'],
  port_free: ['port'],
  dns: ['name'],
  tls: ['address'],
  redis: ['address'],
  postgres: ['url'],
  disk: ['path', 'min_free'],
  env: ['name'],
  file: ['path'],
  shell: ['command'],
};

export function validateProbeToml(src: string): ProbeValidation {
  let fields: Record<string, unknown>;
  try {
    fields = parseToml(src);
  } catch (e) {
    if (e instanceof TomlError) return { ok: false, line: e.line, message: e.message };
    throw e;
  }
  const lineOf = (key: string) => {
    const i = src.split(/\r?\n/).findIndex((l) => l.trim().startsWith(key));
    return i >= 0 ? i + 1 : null;
  };
  const kind = fields.kind;
  if (typeof kind !== 'string') return { ok: false, field: 'kind', line: lineOf('kind'), message: 'missing or not a string' };
  const required = REQUIRED[kind];
  if (!required) {
    return { ok: false, field: 'kind', line: lineOf('kind'), message: `unknown kind \`${kind}\` (one of ${Object.keys(REQUIRED).join(', ')})` };
  }
  for (const f of required) {
    if (fields[f] === undefined) return { ok: false, field: f, line: null, message: `required for kind \`${kind}\`` };
  }
  if (fields.timeout !== undefined && !/^\d+(ms|s|m)$/.test(String(fields.timeout))) {
    return { ok: false, field: 'timeout', line: lineOf('timeout'), message: 'expected a duration like "5s"' };
  }
  const spec: ProbeSpec = { ...fields, kind };
  return { ok: true, spec };
}

/** "15m" → 900 seconds. */
export function durationSeconds(v: unknown, fallback: number): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(String(v ?? ''));
  if (!m) return fallback;
  const n = parseInt(m[1], 10);
  return m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
}
