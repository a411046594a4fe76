// The rule scenarios of tests/fixtures/scenarios/*.json replayed through the UI's Backend (HttpBackend over the
// test bridge, i.e. the desktop's real commands and the real Rust rules). The same files are run against
// runsheet-app by crates/runsheet-app/tests/runsheet-app/scenarios.rs; the format is in that folder's README.
// Nothing here knows a rule: each step is one Backend call, each check reads the views Rust returned.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBackendError, type Checklist, type Item, type ItemState, type ProbeStatusEvent, type RunView, type SignoffView } from './lib/backend';
import { REPO, startBridge, type Bridge } from './test/bridge';

const DIR = join(REPO, 'tests', 'fixtures', 'scenarios');

interface Step {
  do?: string;
  check?: string;
  error?: { kind: string; code: string; says?: string };
  within_s?: number;
  [field: string]: unknown;
}

interface Scenario {
  name: string;
  checklist: string;
  operator: string;
  steps: Step[];
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const FINAL = new Set(['pass', 'fail', 'timeout', 'error']);

function str(step: Step, field: string): string {
  const v = step[field];
  if (typeof v !== 'string') throw new Error(`step ${JSON.stringify(step)} needs a string \`${field}\``);
  return v;
}

function allItems(c: Checklist): Item[] {
  const walk = (items: Item[]): Item[] => items.flatMap((i) => [i, ...walk(i.children)]);
  return c.phases.flatMap((p) => p.sections.flatMap((s) => walk(s.items)));
}

function itemOf(view: RunView, text: string): Item {
  const found = allItems(view.checklist).filter((i) => i.text === text);
  if (found.length !== 1) throw new Error(`the scenario's item ${text} is not in the run once`);
  return found[0];
}

/** The same check as the Rust runner's, over the same JSON; returns what differs, or null. */
function check(step: Step, signoff: SignoffView, view: RunView): string | null {
  const differs = (what: string, want: unknown, got: unknown) =>
    JSON.stringify(want) === JSON.stringify(got) ? null : `${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
  switch (step.check) {
    case 'role': {
      const name = str(step, 'role');
      const role = signoff.roles.find((r) => r.role === name);
      if (!role) return `no role ${name} in ${JSON.stringify(signoff.roles.map((r) => r.role))}`;
      if ('signed_by' in step) {
        const d = differs(`${name} signed by`, step.signed_by, role.signed?.name ?? null);
        if (d) return d;
      }
      if ('blockers' in step) return differs(`${name} blockers`, step.blockers, role.blockers.map((b) => b.kind).sort());
      return null;
    }
    case 'gate': {
      const title = str(step, 'phase');
      const gate = signoff.gates.find((g) => g.title === title);
      if (!gate) return `no gate ${title}`;
      return differs(`gate ${title} open`, step.open, gate.open);
    }
    case 'item': {
      const text = str(step, 'item');
      return differs(`state of ${text}`, step.state, view.items[itemOf(view, text).id]?.state ?? 'pending');
    }
    case 'status':
      return differs('run status', step.status, view.summary.status);
    default:
      throw new Error(`unknown check ${step.check}`);
  }
}

describe('rule scenarios through the bridge', () => {
  let bridge: Bridge;
  const events: ProbeStatusEvent[] = [];
  beforeAll(async () => {
    bridge = await startBridge();
    await bridge.backend.onProbeStatus((e) => events.push(e));
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('finds the scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    const sc: Scenario = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
    it(`${file}: ${sc.name}`, async () => {
      const b = bridge.backend;
      const imported = await b.importChecklistText(sc.checklist, readFileSync(join(DIR, sc.checklist), 'utf8'));
      expect(imported.issues.filter((i) => i.severity === 'error')).toEqual([]);
      await b.updateSettings({ operator_name: sc.operator });
      const summary = await b.createRun({ checklist_id: imported.checklist!.id, title: sc.name.slice(0, 60), operator: sc.operator });
      const run = summary.id;
      const failures: string[] = [];

      const act = async (step: Step): Promise<void> => {
        const view = await b.getRun(run);
        const item = () => itemOf(view, str(step, 'item'));
        switch (step.do) {
          case 'operator':
            await b.updateSettings({ operator_name: str(step, 'name') });
            return;
          case 'set_item': {
            const reason = typeof step.reason === 'string' ? step.reason : null;
            await b.setItemState(run, item().id, { state: str(step, 'state') as ItemState, reason });
            return;
          }
          case 'run_probes': {
            const it = item();
            const seen = () => events.filter((e) => e.run_id === run && e.item === it.id && FINAL.has(e.state));
            const before = seen().length;
            await b.runProbes(run, { item: it.id });
            const deadline = Date.now() + 20_000;
            // Every probe of the item reports a final state once its evidence is recorded.
            while (seen().length < before + it.probes.length) {
              if (Date.now() > deadline) throw new Error(`the probes of ${it.text} did not finish within 20 s`);
              await new Promise((r) => setTimeout(r, 20));
            }
            return;
          }
          case 'settings': {
            const patch: { four_eyes?: boolean; gate_mode?: 'strict' | 'advisory' } = {};
            if (typeof step.four_eyes === 'boolean') patch.four_eyes = step.four_eyes;
            if (step.gate_mode === 'strict' || step.gate_mode === 'advisory') patch.gate_mode = step.gate_mode;
            await b.setRunSettings(run, patch);
            return;
          }
          case 'waive':
            await b.waive(run, item().id, str(step, 'reason'), str(step, 'approver'));
            return;
          case 'sign_off':
            await b.signOff(run, str(step, 'role'), str(step, 'name'));
            return;
          default:
            throw new Error(`unknown action ${step.do}`);
        }
      };

      for (const [i, step] of sc.steps.entries()) {
        const at = `${file} step ${i + 1} ${JSON.stringify(step)}`;
        if (step.check) {
          // Polled until the deadline for checks that hold only once time has passed (evidence going stale).
          const deadline = Date.now() + (step.within_s ?? 0) * 1000;
          let diff = check(step, await b.signoff(run), await b.getRun(run));
          while (diff && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
            diff = check(step, await b.signoff(run), await b.getRun(run));
          }
          if (diff) failures.push(`${at}: ${diff}`);
          continue;
        }
        let error: unknown = null;
        try {
          await act(step);
        } catch (e) {
          error = e;
        }
        if (!error && step.error) failures.push(`${at}: succeeded, expected ${JSON.stringify(step.error)}`);
        if (error && !step.error) failures.push(`${at}: failed with ${JSON.stringify(error)}`);
        if (error && step.error) {
          if (!isBackendError(error)) failures.push(`${at}: rejected with ${JSON.stringify(error)}, not a wire error`);
          else {
            if (error.code !== step.error.code) failures.push(`${at}: failed with ${error.code} (${error.message}), expected ${step.error.code}`);
            if (step.error.says && !error.message.includes(step.error.says))
              failures.push(`${at}: the message does not say \`${step.error.says}\`: ${error.message}`);
          }
        }
      }
      expect(failures).toEqual([]);
    }, 60_000);
  }
});
