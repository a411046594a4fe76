// A small Markdown checklist reader for the fake backend (browser preview and tests), so that imported files
// show a plausible tree. The real importer is Rust's (crates/runsheet-core/src/import); this one handles ATX
// headings, GFM task items nested by indent, fenced blocks (```probe under an item), sign-off lines and timing
// hints, and reports unclosed fences, bad probe TOML and files without tasks as errors with their line.

import type { Checklist, Command, ImportIssue, Item, Phase, Section, SignoffLine, SuggestedProbe, Timing } from '../types';
import { validateProbeToml } from './toml';

export interface ParseResult {
  checklist: Checklist | null;
  issues: ImportIssue[];
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/`/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'x'
  );
}

export function parseTiming(heading: string): { title: string; timing: Timing | null } {
  const m = /\(([^)]*\b(T\s*[-+]\s*\d+[^)]*|Week[^)]*))\)\s*$/i.exec(heading);
  if (!m) return { title: heading, timing: null };
  const label = m[1].trim();
  const title = heading.slice(0, m.index).trim();
  const t = /T\s*([-+])\s*(\d+)\s*(m|min|mins|minutes?|h|hours?)\b/i.exec(label);
  let offset: number | null = null;
  if (t) {
    const n = parseInt(t[2], 10) * (t[3].toLowerCase().startsWith('h') ? 60 : 1);
    offset = t[1] === '-' ? -n : n;
  }
  return { title, timing: { label, offset_minutes: offset, end_offset_minutes: null } };
}

const COMMAND_WORDS =
  /^(curl|wget|\.\/|\/|redis-cli|psql|kubectl|helm|docker|systemctl|git|npm|make|bash|sh|python3?|pg_dump|ssh|sudo|nc|dig|openssl|df|cargo|runsheet)\b/;

function inlineCommands(text: string, line: number): Command[] {
  const out: Command[] = [];
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    if (COMMAND_WORDS.test(m[1]) && /\s/.test(m[1])) out.push({ text: m[1], kind: 'inline', line });
  }
  return out;
}

const SIGNOFF = /^(?:\*\*)?([A-Z][A-Za-z /&-]{2,40}?)(?:\*\*)?:\s*_{3,}/;

export function parseChecklist(src: string, fileName = 'checklist.md'): ParseResult {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const issues: ImportIssue[] = [];
  let title = '';
  const phases: Phase[] = [];
  const signoffs: SignoffLine[] = [];
  const used = new Set<string>();
  const uid = (base: string) => {
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
  let phase: Phase | null = null;
  let section: Section | null = null;
  // Stack of (indent, item) for nesting.
  let stack: { indent: number; item: Item }[] = [];
  let label: string | null = null;
  let fence: { start: number; marker: string; info: string; indent: number; body: string[] } | null = null;

  const ensureSection = (line: number) => {
    if (!phase) {
      phase = { id: uid('main'), title: '', line: 0, timing: null, rollback: false, sections: [] };
      phases.push(phase);
    }
    if (!section) {
      section = { id: uid(`${phase.id}/_`), title: '', line, level: 0, timing: null, rollback: phase.rollback, items: [], commands: [] };
      phase.sections.push(section);
    }
    return section;
  };

  lines.forEach((raw, i) => {
    const line = i + 1;
    if (fence) {
      const close = new RegExp(`^\\s*${fence.marker}${fence.marker[0]}*\\s*$`);
      if (close.test(raw)) {
        const body = fence.body.map((l) => l.slice(Math.min(fence!.indent, l.length - l.trimStart().length))).join('\n');
        const owner = stack.length && fence.indent >= 2 ? stack[stack.length - 1].item : null;
        if (fence.info === 'probe') {
          const v = validateProbeToml(body);
          if (!owner) issues.push({ severity: 'warning', line: fence.start, message: 'probe block not under an item; ignored' });
          else if (!v.ok) {
            issues.push({
              severity: 'error',
              line: fence.start + (v.line ?? 1),
              message: `probe: ${v.field ? `field \`${v.field}\`: ` : ''}${v.message}`,
            });
          } else owner.probes.push({ line: fence.start, source: body + '\n', spec: v.spec });
        } else {
          const cmd: Command = { text: body, kind: 'block', lang: fence.info || null, label: owner ? null : label, line: fence.start };
          if (owner) owner.commands.push(cmd);
          else ensureSection(fence.start).commands.push(cmd);
        }
        fence = null;
      } else fence.body.push(raw);
      return;
    }
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (open) {
      fence = { start: line, marker: open[2], info: open[3], indent: open[1].length, body: [] };
      return;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (h) {
      const level = h[1].length;
      const { title: t, timing } = parseTiming(h[2]);
      stack = [];
      label = null;
      if (level === 1 && !title) title = t;
      else if (level <= 2) {
        const rollback = /rollback/i.test(t);
        phase = { id: uid(slug(t)), title: t, line, timing, rollback, sections: [] };
        phases.push(phase);
        section = null;
      } else {
        const p = phase ?? (ensureSection(line), phase!);
        section = { id: uid(`${p.id}/${slug(t)}`), title: t, line, level, timing, rollback: p.rollback || /rollback/i.test(t), items: [], commands: [] };
        p.sections.push(section);
      }
      return;
    }
    const bold = /^\s*\*\*([^*]+)\*\*:?\s*:?\s*$/.exec(raw);
    if (bold) {
      label = bold[1].replace(/:$/, '');
      stack = [];
      return;
    }
    const task = /^(\s*)(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*)$/.exec(raw);
    const bullet = task ? null : /^(\s*)[-*+]\s+(.*)$/.exec(raw);
    const text = task ? task[3] : bullet ? bullet[2] : null;
    if (text !== null) {
      const so = SIGNOFF.exec(text.trim());
      if (so) {
        signoffs.push({ role: so[1].trim(), line, checkbox: !!task, phase: (phase as Phase | null)?.id ?? null });
        return;
      }
    }
    if (task) {
      const indent = task[1].length;
      const clean = task[3].replace(/\*\*([^*]+)\*\*/g, '$1').trim();
      const sec = ensureSection(line);
      while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
      const parent = stack.length ? stack[stack.length - 1].item : null;
      const item: Item = {
        id: uid(`${sec.id}/${slug(clean)}`),
        line,
        text: clean,
        checked: task[2] !== ' ',
        children: [],
        commands: inlineCommands(clean, line),
        probes: [],
      };
      (parent ? parent.children : sec.items).push(item);
      stack.push({ indent, item });
      return;
    }
    if (raw.trim() && !/^\s/.test(raw)) stack = [];
  });

  if (fence) {
    issues.push({ severity: 'error', line: (fence as { start: number }).start, message: 'code block is never closed' });
  }
  const count = phases.reduce((n, p) => n + p.sections.reduce((m, s) => m + countItems(s.items), 0), 0);
  if (count === 0) issues.push({ severity: 'error', line: 0, message: `no task items (\`- [ ] …\`) found in ${fileName}` });
  if (issues.some((x) => x.severity === 'error')) return { checklist: null, issues };
  return {
    checklist: { title: title || fileName.replace(/\.(md|txt|markdown)$/i, ''), metadata: {}, phases, signoffs },
    issues,
  };
}

export function countItems(items: Item[]): number {
  return items.reduce((n, it) => n + 1 + countItems(it.children), 0);
}

export function allItems(c: Checklist): Item[] {
  const out: Item[] = [];
  const walk = (items: Item[]) => items.forEach((it) => (out.push(it), walk(it.children)));
  c.phases.forEach((p) => p.sections.forEach((s) => walk(s.items)));
  return out;
}

/** The importer's probe suggestions, reduced to the four rules DESIGN.md names. */
export function suggestProbes(c: Checklist): SuggestedProbe[] {
  const out: SuggestedProbe[] = [];
  for (const it of allItems(c)) {
    if (it.probes.length) continue;
    const cmds = it.commands.map((x) => x.text);
    const curl = cmds.map((x) => /curl\s+(?:-\S+\s+)*(https?:\/\/\S+)/.exec(x)).find(Boolean);
    const redis = cmds.find((x) => /redis-cli\b.*\bping\b/i.test(x));
    const port = /\bport\s+(\d{2,5})\s+(?:is\s+)?(?:available|free)/i.exec(it.text);
    const disk = /minimum\s+(\d+)\s*(GB|MB|TB)\s+(?:of\s+)?(?:free\s+)?disk/i.exec(it.text);
    if (curl) {
      const url = curl[1].replace(/['"]$/, '');
      out.push({ item: it.id, kind: 'http', reason: `from command \`curl ${url}\``, source: `kind = "http"\nurl = "${url}"\nexpect_status = 200\ntimeout = "5s"\n` });
    } else if (redis) {
      out.push({ item: it.id, kind: 'redis', reason: `from command \`${redis}\``, source: `kind = "redis"\naddress = "127.0.0.1:6379"\n` });
    } else if (port) {
      out.push({ item: it.id, kind: 'port_free', reason: `from "${port[0]}"`, source: `kind = "port_free"\nport = ${port[1]}\n` });
    } else if (disk) {
      out.push({ item: it.id, kind: 'disk', reason: `from "${disk[0]}"`, source: `kind = "disk"\npath = "/"\nmin_free = "${disk[1]}${disk[2]}"\n` });
    }
  }
  return out;
}
