// The in-memory fake backend: serves the browser preview, unit tests and the headless-Chromium suite.
//
// It follows the same rules the Rust side promises (skip needs a reason, four-eyes, strict gates, secrets never
// read back, errors as { code, message }) so the UI can be exercised without Tauri. Probe runs are simulated with
// timers (`probeDelayMs`, 0 in tests; `idle()` resolves when they are done). Not here: persistence, real probes,
// real PDFs — those are the Rust side's and are tested in the real-app suite.

import type {
  Backend,
  BackendError,
  Blocker,
  Checklist,
  ChecklistPreview,
  ChecklistSummary,
  CredentialStatus,
  ErrorCode,
  Evidence,
  EventBody,
  ExportFormat,
  ExportResult,
  FileFilter,
  Identity,
  ImportOutcome,
  Item,
  ItemStatus,
  KeyringStatus,
  NewRun,
  Phase,
  ProbeKinds,
  ProbeStatusEvent,
  ProbeTarget,
  ProbeValidation,
  Progress,
  RoleStatus,
  RunFilter,
  RunSettings,
  RunStatus,
  RunSummary,
  RunView,
  Section,
  SetItemState,
  Settings,
  SettingsPatch,
  SignoffView,
  Signature,
  SuggestedProbe,
  TimelineChartData,
  TimelineEvent,
  Unsubscribe,
  VerifyResult,
  Waiver,
} from '../types';
import { ITEM_STATES } from '../types';
import { allItems, countItems, parseChecklist, suggestProbes } from './markdown';
import { DB_MAINTENANCE, VIRTUAL_FILES, WEB_RELEASE } from './seed';
import { durationSeconds, validateProbeToml } from './toml';
// Written by Rust (runsheet-app `probe_kinds`, checked current by its tests): the fake never lists kinds itself.
import PROBE_KINDS from './probe-kinds.json';

function fail(code: ErrorCode, message: string): never {
  const e: BackendError = { code, message };
  throw e;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function hex(seed: string, len = 64): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < len) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
    seed += out;
  }
  return out.slice(0, len);
}

interface StoredChecklist {
  summary: ChecklistSummary;
  checklist: Checklist;
}

interface FakeRun {
  summary: Omit<RunSummary, 'status' | 'progress' | 'updated_at'>;
  checklist: Checklist;
  items: Map<string, ItemStatus>;
  evidence: Map<string, Evidence[]>;
  events: TimelineEvent[];
  settings: RunSettings;
  roles: string[];
  signatures: Map<string, Signature>;
  waivers: Waiver[];
  suggestions: SuggestedProbe[];
}

export interface FakeOptions {
  /** Delay between probe state changes; 0 in unit tests. */
  probeDelayMs?: number;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** Start empty instead of with the seeded run. */
  empty?: boolean;
}

const SECRET_REF = /\{\{secret:([A-Za-z0-9_.-]+)\}\}/g;

export class FakeBackend implements Backend {
  readonly kind = 'fake' as const;

  probeDelayMs: number;
  now: () => Date;
  keyringAvailable = true;
  /** What the scripted file dialog answers next (null = cancelled). */
  nextOpenPath: string | null = Object.keys(VIRTUAL_FILES)[0];
  nextSavePath: string | null = null;
  files: Record<string, string> = { ...VIRTUAL_FILES };
  opened: string[] = [];

  private checklists = new Map<string, StoredChecklist>();
  private runs = new Map<string, FakeRun>();
  private secrets = new Map<string, string>();
  private bindings = new Map<string, { hosts: string[]; allow_shell: boolean }>();
  private settings: Settings = { operator_name: 'Alex Morgan', paper_size: 'a4', identity: null };
  private probeHandlers = new Set<(e: ProbeStatusEvent) => void>();
  private seq = 0;
  private work: Promise<void> = Promise.resolve();

  constructor(opts: FakeOptions = {}) {
    this.probeDelayMs = opts.probeDelayMs ?? 220;
    this.now = opts.now ?? (() => new Date());
    this.addChecklist(WEB_RELEASE, 'template', 'checklists/web-service-release.md');
    this.addChecklist(DB_MAINTENANCE, 'template', 'checklists/database-maintenance.md');
    this.secrets.set('db_password', 'pg-s3cr3t-value');
    if (!opts.empty) this.seedRuns();
  }

  /** Resolves when every queued probe run has finished. */
  idle(): Promise<void> {
    return this.work;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Library

  private addChecklist(src: string, origin: 'template' | 'imported', path: string): ImportOutcome {
    const name = path.split('/').pop() ?? path;
    const { checklist, issues } = parseChecklist(src, name);
    if (!checklist) return { checklist: null, issues };
    const items = allItems(checklist);
    const summary: ChecklistSummary = {
      id: `${origin === 'template' ? 'tpl' : 'imp'}-${name.replace(/\.[a-z]+$/i, '')}-${++this.seq}`,
      title: checklist.title,
      origin,
      path,
      imported_at: origin === 'imported' ? this.now().toISOString() : null,
      phases: checklist.phases.length,
      items: items.length,
      probes: items.reduce((n, i) => n + i.probes.length, 0),
      signoff_roles: checklist.signoffs.length,
    };
    this.checklists.set(summary.id, { summary, checklist });
    return { checklist: clone(summary), issues };
  }

  async listChecklists(): Promise<ChecklistSummary[]> {
    return [...this.checklists.values()].map((c) => clone(c.summary));
  }

  async importChecklistFile(path: string): Promise<ImportOutcome> {
    const text = this.files[path];
    if (text === undefined) fail('NotFound', `reading checklist ${path}: no such file`);
    return this.addChecklist(text, 'imported', path);
  }

  async importChecklistText(file_name: string, text: string): Promise<ImportOutcome> {
    if (!text.trim()) fail('Invalid', `${file_name} is empty`);
    return this.addChecklist(text, 'imported', file_name);
  }

  async previewChecklist(id: string): Promise<ChecklistPreview> {
    const c = this.checklists.get(id) ?? fail('NotFound', `checklist ${id} not found`);
    return { summary: clone(c.summary), checklist: clone(c.checklist), suggestions: suggestProbes(c.checklist) };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Runs

  private run(id: string): FakeRun {
    return this.runs.get(id) ?? fail('NotFound', `run ${id} not found`);
  }

  private status(r: FakeRun, item: string): ItemStatus {
    let s = r.items.get(item);
    if (!s) {
      s = { state: 'pending', reason: null, by: null, at: null, notes: [], waiver: null, armed: false, evidence: [] };
      r.items.set(item, s);
    }
    return s;
  }

  private append(r: FakeRun, body: EventBody, actor = this.settings.operator_name): TimelineEvent {
    const prev = r.events[r.events.length - 1];
    const e: TimelineEvent = {
      id: `ev-${++this.seq}`,
      at: this.now().toISOString(),
      actor,
      lamport: (prev?.lamport ?? 0) + 1,
      device: 'fake-device',
      hash: hex(`${prev?.hash ?? ''}${JSON.stringify(body)}${this.seq}`),
      body,
    };
    r.events.push(e);
    return e;
  }

  private progress(r: FakeRun): Progress {
    const p: Progress = { total: 0, pending: 0, done: 0, skipped: 0, failed: 0, blocked: 0, na: 0 };
    for (const it of allItems(r.checklist)) {
      p.total++;
      const st = r.items.get(it.id)?.state ?? 'pending';
      if (st === 'n/a') p.na++;
      else p[st]++;
    }
    return p;
  }

  private runStatus(r: FakeRun, p: Progress): RunStatus {
    const roles = this.roles(r);
    if (roles.length && roles.every((role) => r.signatures.has(role))) return 'signed';
    const touched = r.events.some((e) => e.body.type === 'item_set');
    if (!touched) return 'not_started';
    if (p.failed || p.blocked) return 'blocked';
    const open = this.requiredItems(r).some((it) => (r.items.get(it.id)?.state ?? 'pending') === 'pending');
    return open ? 'in_progress' : 'completed';
  }

  private summary(r: FakeRun): RunSummary {
    const p = this.progress(r);
    return { ...clone(r.summary), updated_at: r.events[r.events.length - 1].at, status: this.runStatus(r, p), progress: p };
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const text = filter.text?.trim().toLowerCase();
    return [...this.runs.values()]
      .map((r) => this.summary(r))
      .filter((s) => !filter.status || s.status === filter.status)
      .filter(
        (s) =>
          !text ||
          [s.title, s.version, s.environment, s.operator, s.checklist_title].some((f) => f?.toLowerCase().includes(text)),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  async createRun(input: NewRun): Promise<RunSummary> {
    const c = this.checklists.get(input.checklist_id) ?? fail('NotFound', `checklist ${input.checklist_id} not found`);
    if (!input.title.trim()) fail('Invalid', 'title is required');
    if (!input.operator.trim()) fail('Invalid', 'operator is required');
    if (input.window_start && input.window_end && input.window_end < input.window_start) {
      fail('Invalid', 'change window ends before it starts');
    }
    const id = `run-${++this.seq}`;
    const r: FakeRun = {
      summary: {
        id,
        title: input.title.trim(),
        version: input.version || null,
        environment: input.environment || null,
        window_start: input.window_start || null,
        window_end: input.window_end || null,
        operator: input.operator.trim(),
        checklist_id: c.summary.id,
        checklist_title: c.summary.title,
        created_at: this.now().toISOString(),
      },
      checklist: clone(c.checklist),
      items: new Map(),
      evidence: new Map(),
      events: [],
      settings: { four_eyes: true, gate_mode: 'advisory' },
      roles: [],
      signatures: new Map(),
      waivers: [],
      suggestions: suggestProbes(c.checklist),
    };
    this.runs.set(id, r);
    this.append(
      r,
      {
        type: 'run_created',
        title: r.summary.title,
        version: r.summary.version,
        environment: r.summary.environment,
        window_start: r.summary.window_start,
        window_end: r.summary.window_end,
        operator: r.summary.operator,
        checklist_id: c.summary.id,
      },
      r.summary.operator,
    );
    return this.summary(r);
  }

  async getRun(id: string): Promise<RunView> {
    const r = this.run(id);
    const items: Record<string, ItemStatus> = {};
    const now = this.now().getTime();
    for (const [k, v] of r.items) {
      items[k] = clone(v);
      items[k].evidence.forEach((e) => (e.stale = now - Date.parse(e.started_at) > (e.fresh_for_s ?? 900) * 1000));
    }
    return {
      summary: this.summary(r),
      checklist: clone(r.checklist),
      items,
      settings: { ...r.settings },
      suggestions: clone(r.suggestions),
      heads: [r.events[r.events.length - 1].hash],
    };
  }

  private item(r: FakeRun, id: string): Item {
    return allItems(r.checklist).find((i) => i.id === id) ?? fail('NotFound', `item ${id} not found in run ${r.summary.id}`);
  }

  async setItemState(run_id: string, item_id: string, change: SetItemState): Promise<ItemStatus> {
    const r = this.run(run_id);
    this.item(r, item_id);
    if (!ITEM_STATES.includes(change.state)) fail('Invalid', `unknown state ${String(change.state)}`);
    const reason = change.reason?.trim() || null;
    if (change.state === 'skipped' && !reason) fail('Invalid', 'a reason is required to skip an item');
    if (r.settings.gate_mode === 'strict' && change.state !== 'pending') {
      const closed = this.closedGateBefore(r, item_id);
      if (closed) fail('Conflict', `gate of phase "${closed}" is closed (strict mode)`);
    }
    const e = this.append(r, { type: 'item_set', item: item_id, state: change.state, reason, note: change.note || null });
    const s = this.status(r, item_id);
    s.state = change.state;
    s.reason = reason;
    s.by = e.actor;
    s.at = e.at;
    if (change.note) s.notes.push({ at: e.at, actor: e.actor, text: change.note });
    return clone(s);
  }

  async addNote(run_id: string, item_id: string, text: string): Promise<ItemStatus> {
    const r = this.run(run_id);
    this.item(r, item_id);
    if (!text.trim()) fail('Invalid', 'the note is empty');
    const e = this.append(r, { type: 'note_added', item: item_id, note: text.trim() });
    const s = this.status(r, item_id);
    s.notes.push({ at: e.at, actor: e.actor, text: text.trim() });
    return clone(s);
  }

  async timeline(run_id: string): Promise<TimelineEvent[]> {
    return clone(this.run(run_id).events);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Probes

  private targetItems(r: FakeRun, target: ProbeTarget): Item[] {
    const within = (items: Item[]) => {
      const out: Item[] = [];
      const walk = (xs: Item[]) => xs.forEach((x) => (out.push(x), walk(x.children)));
      walk(items);
      return out;
    };
    if ('item' in target) return [this.item(r, target.item)];
    for (const p of r.checklist.phases) {
      if ('phase' in target && p.id === target.phase) return p.sections.flatMap((s) => within(s.items));
      for (const s of p.sections) if ('section' in target && s.id === target.section) return within(s.items);
    }
    return fail('NotFound', `no such ${'phase' in target ? 'phase' : 'section'} in run ${r.summary.id}`);
  }

  async runProbes(run_id: string, target: ProbeTarget): Promise<void> {
    const r = this.run(run_id);
    const jobs = this.targetItems(r, target).flatMap((it) => it.probes.map((p, i) => ({ it, p, i })));
    if ('item' in target && jobs.length === 0) fail('Invalid', 'this item has no probes');
    const shell = jobs.find((j) => j.p.spec.kind === 'shell' && !this.status(r, j.it.id).armed);
    if ('item' in target && shell) fail('Conflict', 'shell probe not armed for this run: arm it first');
    const emit = (e: ProbeStatusEvent) => this.probeHandlers.forEach((h) => h(clone(e)));
    for (const j of jobs) emit({ run_id, item: j.it.id, probe: j.i, state: 'queued' });
    const delay = () => new Promise<void>((res) => (this.probeDelayMs ? setTimeout(res, this.probeDelayMs) : queueMicrotask(res)));
    this.work = this.work.then(async () => {
      for (const j of jobs) {
        await delay();
        emit({ run_id, item: j.it.id, probe: j.i, state: 'running' });
        await delay();
        const ev = this.execute(r, j.it, j.i);
        emit({
          run_id,
          item: j.it.id,
          probe: j.i,
          state: ev ? ev.outcome : 'error',
          duration_ms: ev?.duration_ms ?? 0,
          evidence: ev,
          message: ev ? ev.summary : 'shell probe not armed',
        });
      }
    });
  }

  /** Simulated execution: deterministic outcomes from the probe's fields. */
  private execute(r: FakeRun, it: Item, index: number): Evidence | null {
    const spec = it.probes[index].spec;
    const st = this.status(r, it.id);
    if (spec.kind === 'shell' && !st.armed) return null;
    const f = spec;
    const text = JSON.stringify(f);
    const missing = [...text.matchAll(SECRET_REF)].map((m) => m[1]).find((n) => !this.secrets.has(n));
    const dur = 8 + (hex(it.id + index).charCodeAt(0) % 40);
    let outcome: Evidence['outcome'] = 'pass';
    let summary = '';
    let output = '';
    const url = String(f.url ?? '');
    if (missing) {
      outcome = 'error';
      summary = `secret \`${missing}\` is not set`;
      output = `error: secret ${missing} is not set in the keyring`;
    } else if (/:9\//.test(url) || /slow/.test(url)) {
      outcome = 'timeout';
      summary = `no answer within ${String(f.timeout ?? '5s')}`;
    } else if (spec.kind === 'http') {
      const masked = [...this.secrets.values()].reduce((s, v) => s.split(v).join('••••••'), text);
      if (url.endsWith('/metrics')) {
        outcome = 'fail';
        summary = 'json /error_rate = 0.031, expected < 0.01';
        output = `HTTP/1.1 200 OK\ncontent-type: application/json\n\n{"error_rate": 0.031, "p95_ms": 412}`;
      } else {
        summary = `HTTP 200 in ${dur} ms`;
        output = `GET ${url}\nHTTP/1.1 200 OK\ncontent-type: application/json\n${/Authorization/.test(masked) ? 'request authorization: Bearer ••••••\n' : ''}\n{"status": "ok", "version": "2.4.0"}`;
      }
    } else if (spec.kind === 'shell') {
      summary = 'exit 0';
      output = `$ ${String(f.command)}\ncanary: 3/3 pods ready\nexit status 0`;
    } else if (spec.kind === 'postgres') {
      summary = '1 row: 1';
      output = `SELECT 1\n ?column? \n----------\n        1\n(1 row)`;
    } else {
      summary = 'ok';
      output = `${spec.kind}: ok`;
    }
    const ev: Evidence = {
      item: it.id,
      probe: index,
      kind: spec.kind,
      outcome,
      started_at: this.now().toISOString(),
      duration_ms: dur,
      summary,
      output,
      response_hash: outcome === 'pass' || outcome === 'fail' ? hex(output) : null,
      fresh_for_s: durationSeconds(f.fresh_for, 900),
      stale: false,
    };
    const list = r.evidence.get(it.id) ?? [];
    list.unshift(ev);
    r.evidence.set(it.id, list);
    st.evidence = [...st.evidence.filter((e) => e.probe !== index), ev].sort((a, b) => a.probe - b.probe);
    this.append(r, { type: 'evidence', item: it.id, evidence: { outcome, summary, probe: index } });
    return clone(ev);
  }

  async onProbeStatus(handler: (e: ProbeStatusEvent) => void): Promise<Unsubscribe> {
    this.probeHandlers.add(handler);
    return () => this.probeHandlers.delete(handler);
  }

  async evidence(run_id: string, item_id: string): Promise<Evidence[]> {
    const r = this.run(run_id);
    const now = this.now().getTime();
    return clone(r.evidence.get(item_id) ?? []).map((e) => ({ ...e, stale: now - Date.parse(e.started_at) > (e.fresh_for_s ?? 900) * 1000 }));
  }

  async armShellProbe(run_id: string, item_id: string): Promise<ItemStatus> {
    const r = this.run(run_id);
    const it = this.item(r, item_id);
    if (!it.probes.some((p) => p.spec.kind === 'shell')) fail('Invalid', 'this item has no shell probe');
    this.append(r, { type: 'probe_armed', item: item_id });
    const s = this.status(r, item_id);
    s.armed = true;
    return clone(s);
  }

  async probeKinds(): Promise<ProbeKinds> {
    return clone(PROBE_KINDS as ProbeKinds);
  }

  async validateProbe(toml: string): Promise<ProbeValidation> {
    return validateProbeToml(toml);
  }

  async addProbe(run_id: string, item_id: string, toml: string): Promise<RunView> {
    const r = this.run(run_id);
    const it = this.item(r, item_id);
    const v = validateProbeToml(toml);
    if (!v.ok) fail('Invalid', `${v.field ? `field \`${v.field}\`: ` : ''}${v.message}`);
    it.probes.push({ line: 0, source: toml.endsWith('\n') ? toml : toml + '\n', spec: v.spec });
    r.suggestions = r.suggestions.filter((s) => s.item !== item_id);
    this.append(r, { type: 'probe_added', item: item_id, source: toml });
    return this.getRun(run_id);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Credentials

  async keyringStatus(): Promise<KeyringStatus> {
    return this.keyringAvailable
      ? { available: true, backend: 'in-memory (browser preview)', fix: null }
      : {
          available: false,
          backend: 'Secret Service',
          fix: 'No Secret Service answered on D-Bus. Install and start gnome-keyring: sudo apt-get install gnome-keyring libsecret-tools, then log in again.',
        };
  }

  private keyring(): void {
    if (!this.keyringAvailable) fail('KeyringUnavailable', 'no Secret Service on the session bus');
  }

  async listCredentials(): Promise<CredentialStatus[]> {
    this.keyring();
    const uses = new Map<string, CredentialStatus>();
    const scan = (owner_id: string, owner_title: string, c: Checklist) => {
      for (const it of allItems(c)) {
        for (const p of it.probes) {
          for (const m of p.source.matchAll(SECRET_REF)) {
            const b = this.bindings.get(m[1]);
            const cs = uses.get(m[1]) ?? { name: m[1], set: this.secrets.has(m[1]), hosts: b?.hosts ?? [], allow_shell: b?.allow_shell ?? false, used_by: [] };
            let u = cs.used_by.find((x) => x.owner_id === owner_id);
            if (!u) cs.used_by.push((u = { owner_id, owner_title, items: [] }));
            if (!u.items.includes(it.id)) u.items.push(it.id);
            uses.set(m[1], cs);
          }
        }
      }
    };
    this.checklists.forEach((c) => scan(c.summary.id, c.summary.title, c.checklist));
    this.runs.forEach((r) => scan(r.summary.id, r.summary.title, r.checklist));
    for (const name of this.secrets.keys()) {
      const b = this.bindings.get(name);
      if (!uses.has(name)) uses.set(name, { name, set: true, hosts: b?.hosts ?? [], allow_shell: b?.allow_shell ?? false, used_by: [] });
    }
    return [...uses.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async setCredential(name: string, value: string, hosts: string[] = [], allow_shell = false): Promise<void> {
    this.keyring();
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) fail('Invalid', `invalid secret name ${name}`);
    if (!value) fail('Invalid', 'the value is empty');
    this.secrets.set(name, value);
    // Stored as given: the binding rule itself lives in Rust (runsheet-core), the preview only keeps the data.
    this.bindings.set(name, { hosts: [...new Set(hosts.map((h) => h.trim().toLowerCase()).filter(Boolean))].sort(), allow_shell });
  }

  async deleteCredential(name: string): Promise<void> {
    this.keyring();
    if (!this.secrets.delete(name)) fail('NotFound', `secret ${name} is not set`);
    this.bindings.delete(name);
  }

  async grantSecret(run_id: string, secret: string, host: string): Promise<void> {
    const r = this.run(run_id);
    if (!this.secrets.has(secret)) fail('NotFound', `secret ${secret} is not set`);
    this.append(r, { type: 'secret_granted', secret, host });
    const b = this.bindings.get(secret) ?? { hosts: [], allow_shell: false };
    if (!b.hosts.length) this.bindings.set(secret, { ...b, hosts: [host] });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sign-off

  private roles(r: FakeRun): string[] {
    const out = r.checklist.signoffs.map((s) => s.role);
    for (const x of r.roles) if (!out.includes(x)) out.push(x);
    return out;
  }

  /** Items that must be resolved: everything outside rollback phases/sections. */
  private requiredItems(r: FakeRun, phase?: Phase): Item[] {
    const out: Item[] = [];
    const walk = (xs: Item[]) => xs.forEach((x) => (out.push(x), walk(x.children)));
    for (const p of phase ? [phase] : r.checklist.phases) {
      if (p.rollback) continue;
      p.sections.filter((s) => !s.rollback).forEach((s) => walk(s.items));
    }
    return out;
  }

  private blockers(r: FakeRun, phase?: Phase): Blocker[] {
    const out: Blocker[] = [];
    const now = this.now().getTime();
    const phaseOf = (id: string) => r.checklist.phases.find((p) => p.sections.some((s) => allItemsOf(s).some((i) => i.id === id)))!.id;
    for (const it of this.requiredItems(r, phase)) {
      const s = r.items.get(it.id);
      if (s?.waiver) continue;
      const state = s?.state ?? 'pending';
      const ph = phase?.id ?? phaseOf(it.id);
      if (state === 'pending' || state === 'failed' || state === 'blocked') {
        out.push({ kind: state, item: it.id, phase: ph, message: `${it.text.replace(/`/g, '')} — ${state}` });
        continue;
      }
      if (state !== 'done') continue;
      it.probes.forEach((_, i) => {
        const ev = s?.evidence.find((e) => e.probe === i);
        if (!ev) out.push({ kind: 'missing_evidence', item: it.id, phase: ph, message: `${it.text} — probe never ran` });
        else if (ev.outcome !== 'pass') out.push({ kind: 'failed_probe', item: it.id, phase: ph, message: `${it.text} — probe ${ev.outcome}: ${ev.summary}` });
        else if (now - Date.parse(ev.started_at) > (ev.fresh_for_s ?? 900) * 1000) {
          out.push({ kind: 'stale_evidence', item: it.id, phase: ph, message: `${it.text} — evidence is stale` });
        }
      });
    }
    return out;
  }

  private closedGateBefore(r: FakeRun, item_id: string): string | null {
    for (const p of r.checklist.phases) {
      if (p.sections.some((s) => allItemsOf(s).some((i) => i.id === item_id))) return null;
      if (!p.rollback && this.requiredItems(r, p).length && this.blockers(r, p).length) return p.title;
    }
    return null;
  }

  private signoffView(r: FakeRun): SignoffView {
    const roles: RoleStatus[] = this.roles(r).map((role) => {
      const line = r.checklist.signoffs.find((s) => s.role === role);
      const phase = line?.phase ? r.checklist.phases.find((p) => p.id === line.phase) : undefined;
      // A sign-off phase without items of its own approves the whole run.
      const scope = phase && this.requiredItems(r, phase).length ? phase : undefined;
      const others = [...r.signatures].filter(([k]) => k !== role).map(([, s]) => s.name);
      return {
        role,
        phase: scope?.id ?? null,
        phase_title: scope?.title ?? null,
        signed: r.signatures.get(role) ?? null,
        excluded: r.settings.four_eyes ? [r.summary.operator, ...others] : [],
        blockers: this.blockers(r, scope),
      };
    });
    const gates = r.checklist.phases
      .filter((p) => !p.rollback && this.requiredItems(r, p).length)
      .map((p) => {
        const b = this.blockers(r, p);
        return { phase: p.id, title: p.title, open: b.length === 0, blockers: b };
      });
    return { settings: { ...r.settings }, operator: r.summary.operator, roles, gates, waivers: clone(r.waivers) };
  }

  async signoff(run_id: string): Promise<SignoffView> {
    return this.signoffView(this.run(run_id));
  }

  async signOff(run_id: string, role: string, name: string, comment?: string | null): Promise<SignoffView> {
    const r = this.run(run_id);
    const view = this.signoffView(r);
    const rs = view.roles.find((x) => x.role === role) ?? fail('NotFound', `role ${role} not found`);
    const who = name.trim();
    if (!who) fail('Invalid', 'the signer name is required');
    if (rs.signed) fail('Conflict', `${role} is already signed by ${rs.signed.name}`);
    if (rs.excluded.some((x) => x.toLowerCase() === who.toLowerCase())) {
      fail('Conflict', `four-eyes rule: ${who} may not sign ${role}`);
    }
    if (r.settings.gate_mode === 'strict' && rs.blockers.length) {
      fail('Conflict', `${rs.blockers.length} blocker(s) remain (strict mode)`);
    }
    const e = this.append(r, { type: 'signed_off', role, name: who, comment: comment || null }, who);
    r.signatures.set(role, { name: who, at: e.at, comment: comment || null });
    return this.signoffView(r);
  }

  async addRole(run_id: string, role: string): Promise<SignoffView> {
    const r = this.run(run_id);
    const name = role.trim();
    if (!name) fail('Invalid', 'the role is empty');
    if (this.roles(r).includes(name)) fail('Conflict', `role ${name} exists`);
    r.roles.push(name);
    this.append(r, { type: 'role_added', role: name });
    return this.signoffView(r);
  }

  async waive(run_id: string, item_id: string, reason: string, approver: string): Promise<SignoffView> {
    const r = this.run(run_id);
    const it = this.item(r, item_id);
    if (!reason.trim()) fail('Invalid', 'a waiver needs a reason');
    if (!approver.trim()) fail('Invalid', 'a waiver needs an approver');
    const e = this.append(r, { type: 'waived', item: item_id, reason: reason.trim(), approver: approver.trim() });
    const w: Waiver = { item: item_id, item_title: it.text, reason: reason.trim(), approver: approver.trim(), at: e.at };
    r.waivers.push(w);
    this.status(r, item_id).waiver = w;
    return this.signoffView(r);
  }

  async setRunSettings(run_id: string, patch: Partial<RunSettings>): Promise<SignoffView> {
    const r = this.run(run_id);
    if (patch.gate_mode && patch.gate_mode !== 'strict' && patch.gate_mode !== 'advisory') fail('Invalid', 'unknown gate mode');
    Object.assign(r.settings, patch);
    this.append(r, { type: 'settings_changed', four_eyes: patch.four_eyes ?? null, gate_mode: patch.gate_mode ?? null });
    return this.signoffView(r);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Timeline chart

  async timelineChart(run_id: string): Promise<TimelineChartData> {
    const r = this.run(run_id);
    const sections: { p: Phase; s: Section }[] = [];
    r.checklist.phases.forEach((p) => !p.rollback && p.sections.forEach((s) => s.items.length && !s.rollback && sections.push({ p, s })));
    const planned = (x: { p: Phase; s: Section }) => x.s.timing?.offset_minutes ?? x.p.timing?.offset_minutes ?? null;
    const rows = sections.map((x, i) => {
      const ids = new Set(allItemsOf(x.s).map((it) => it.id));
      const times = r.events
        .filter((e) => e.body.type === 'item_set' && ids.has(e.body.item))
        .map((e) => e.at)
        .sort();
      const start = planned(x);
      const next = sections.slice(i + 1).map(planned).find((v) => v !== null && start !== null && v > start);
      return {
        phase: x.p.id,
        section: x.s.id,
        title: x.s.title || x.p.title,
        planned_start_min: start,
        planned_end_min: start === null ? null : (next ?? start + 15),
        actual_start: times[0] ?? null,
        actual_end: times.length ? times[times.length - 1] : null,
      };
    });
    return { window_start: r.summary.window_start, window_end: r.summary.window_end, rows };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Export and verify

  async exportRun(run_id: string, format: ExportFormat, path: string): Promise<ExportResult> {
    const r = this.run(run_id);
    if (!path) fail('Invalid', 'no path');
    const head = r.events[r.events.length - 1].hash;
    const signed = format === 'pdf' && !!this.settings.identity;
    this.files[path] = format === 'pdf' ? `%PDF-1.7 fake ${signed ? '/ByteRange signed' : ''} ${head}` : `export of ${r.summary.title}`;
    return { path, bytes: format === 'pdf' ? 48213 : format === 'md' ? 6120 : 18034, signed, head_hash: head };
  }

  private verifyText(name: string, text: string): VerifyResult {
    if (!text.startsWith('%PDF')) fail('Invalid', `${name} is not a PDF`);
    if (!text.includes('/ByteRange')) {
      return { intact: false, signer: null, messages: ['the PDF carries no signature'] };
    }
    const tampered = text.includes('%%EOF') && text.indexOf('%%EOF') < text.length - 7;
    return {
      intact: !tampered,
      signer: 'CN=Alex Morgan, O=Runsheet',
      fingerprint: hex('cert'),
      signed_at: this.now().toISOString(),
      run_title: 'Shop API 2.4.0 to production',
      head_hash: hex('head'),
      messages: tampered
        ? ['signature is valid but the document was changed after signing (not total document signed)']
        : ['signature valid (ECDSA P-256, SHA-256)', 'covers the whole document', 'run log attached (JSON)'],
    };
  }

  async verifyPdfFile(path: string): Promise<VerifyResult> {
    const t = this.files[path] ?? fail('NotFound', `${path}: no such file`);
    return this.verifyText(path, t);
  }

  async verifyPdfBytes(file_name: string, base64: string): Promise<VerifyResult> {
    let text: string;
    try {
      text = atob(base64);
    } catch {
      return fail('Invalid', `${file_name}: not base64`);
    }
    return this.verifyText(file_name, text);
  }

  async openPath(path: string): Promise<void> {
    if (!(path in this.files)) fail('NotFound', `${path}: no such file`);
    this.opened.push(path);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Settings

  async getSettings(): Promise<Settings> {
    return clone(this.settings);
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    if (patch.operator_name !== undefined && !patch.operator_name.trim()) fail('Invalid', 'the operator name is empty');
    if (patch.paper_size && !['a4', 'letter'].includes(patch.paper_size)) fail('Invalid', 'unknown paper size');
    Object.assign(this.settings, patch);
    return clone(this.settings);
  }

  async createIdentity(common_name: string): Promise<Identity> {
    this.keyring();
    if (!common_name.trim()) fail('Invalid', 'the name is empty');
    const id: Identity = {
      subject: `CN=${common_name.trim()}`,
      fingerprint: hex(common_name),
      not_after: new Date(this.now().getTime() + 3 * 365 * 86400e3).toISOString(),
      origin: 'self_signed',
    };
    this.settings.identity = id;
    return clone(id);
  }

  async importIdentity(path: string, password: string): Promise<Identity> {
    this.keyring();
    if (!path.endsWith('.p12') && !path.endsWith('.pfx')) fail('Invalid', `${path} is not a PKCS#12 file`);
    if (password === 'wrong') fail('Invalid', 'wrong password for the PKCS#12 file');
    const id: Identity = {
      subject: 'CN=Alex Morgan, O=Example Corp, OU=Platform',
      fingerprint: hex(path),
      not_after: new Date(this.now().getTime() + 365 * 86400e3).toISOString(),
      origin: 'pkcs12',
    };
    this.settings.identity = id;
    return clone(id);
  }

  async exportCertificate(path: string): Promise<void> {
    if (!this.settings.identity) fail('NotFound', 'no signing identity yet');
    this.files[path] = '-----BEGIN CERTIFICATE-----';
  }

  // -------------------------------------------------------------------------------------------------------------
  // Dialogs

  async openFileDialog(_title: string, _filters: FileFilter[]): Promise<string | null> {
    return this.nextOpenPath;
  }

  async saveFileDialog(_title: string, default_name: string, _filters: FileFilter[]): Promise<string | null> {
    return this.nextSavePath ?? `/home/operator/Documents/${default_name}`;
  }

  async onFileDrop(_handler: (paths: string[]) => void): Promise<Unsubscribe> {
    return () => {};
  }

  // -------------------------------------------------------------------------------------------------------------
  // Seed: one run in progress (with drift, evidence, a note) so the preview shows a realistic screen.

  private seedRuns(): void {
    const real = this.now;
    const base = real().getTime();
    const windowStart = new Date(base - 50 * 60e3);
    const at = (min: number) => () => new Date(windowStart.getTime() + min * 60e3);
    const tpl = [...this.checklists.values()][0].summary.id;
    const db = [...this.checklists.values()][1].summary.id;
    try {
      this.now = at(-70 - 24 * 60 * 9);
      void this.createRunSync(db, 'Orders DB vacuum', null, 'production', -24 * 60 * 9);
      this.now = at(-75);
      const run = this.createRunSync(tpl, 'Shop API 2.4.0 to production', '2.4.0', 'production', 0, windowStart);
      const r = this.runs.get(run)!;
      const items = allItems(r.checklist);
      const set = (min: number, idx: number, state: SetItemState['state'], reason?: string) => {
        this.now = at(min);
        void this.setItemState(run, items[idx].id, { state, reason });
      };
      set(-58, 0, 'done');
      this.now = at(-57);
      void this.runProbesSync(r, items[0]);
      set(-55, 1, 'done');
      set(-50, 2, 'done');
      set(-37, 3, 'done');
      set(-35, 4, 'done');
      set(-33, 5, 'done');
      set(-30, 6, 'done');
      this.now = at(-29);
      void this.runProbesSync(r, items[6]);
      set(18, 7, 'done');
      set(22, 8, 'done');
      set(26, 9, 'done');
      this.now = at(27);
      void this.addNote(run, items[9].id, 'schema_migrations shows 42 on primary and replica');
      set(28, 10, 'skipped', 'no long-running transactions at this hour; checked pg_stat_activity');
    } finally {
      this.now = real;
    }
  }

  private createRunSync(checklist: string, title: string, version: string | null, env: string, _offset: number, window?: Date): string {
    let id = '';
    void this.createRun({
      checklist_id: checklist,
      title,
      version,
      environment: env,
      operator: this.settings.operator_name,
      window_start: window?.toISOString() ?? null,
      window_end: window ? new Date(window.getTime() + 120 * 60e3).toISOString() : null,
    }).then((s) => (id = s.id));
    // createRun does its work synchronously before its first await; the id is the last run added.
    return id || [...this.runs.keys()].pop()!;
  }

  private runProbesSync(r: FakeRun, it: Item): void {
    it.probes.forEach((_, i) => this.execute(r, it, i));
  }
}

function allItemsOf(s: Section): Item[] {
  const out: Item[] = [];
  const walk = (xs: Item[]) => xs.forEach((x) => (out.push(x), walk(x.children)));
  walk(s.items);
  return out;
}

export { countItems };
