import { describe, expect, it } from 'vitest';
import { FakeBackend } from '.';
import { isBackendError, type ProbeStatusEvent } from '../types';
import { parseChecklist } from './markdown';
import { WEB_RELEASE } from './seed';
import { validateProbeToml } from './toml';

async function rejects(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isBackendError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('fake markdown reader', () => {
  it('reads phases, sections, nested items, probes, sign-offs and timing', () => {
    const { checklist, issues } = parseChecklist(WEB_RELEASE, 'web.md');
    expect(issues).toEqual([]);
    const c = checklist!;
    expect(c.title).toBe('Web Service Release');
    expect(c.phases.map((p) => p.title)).toEqual(['Preparation', 'Deployment', 'Verification', 'Rollback Procedures', 'Sign-off']);
    expect(c.phases[0].timing?.offset_minutes).toBe(-60);
    expect(c.phases[3].rollback).toBe(true);
    const migrate = c.phases[1].sections[0].items[1];
    expect(migrate.children.map((i) => i.text)).toEqual(['Schema version is 42', 'No long-running locks remain']);
    expect(migrate.commands[0].kind).toBe('block');
    expect(c.phases[1].sections[1].commands[0].label).toBe('Commands');
    expect(c.signoffs.map((s) => s.role)).toEqual(['Technical Lead', 'Release Manager', 'Engineering Lead']);
  });

  it('reports errors with their line and adds nothing', () => {
    const r = parseChecklist('# X\n- [ ] a\n  ```probe\n  kind = "http"\n  url = nope\n  ```\n');
    expect(r.checklist).toBeNull();
    expect(r.issues[0]).toMatchObject({ severity: 'error', line: 5 });
    expect(parseChecklist('# X\n- [ ] a\n```bash\necho\n').issues[0]).toMatchObject({ line: 3, message: 'code block is never closed' });
    expect(parseChecklist('# Nothing\n\ntext\n').issues[0].line).toBe(0);
  });

  it('validates probe TOML by kind', () => {
    expect(validateProbeToml('kind = "http"\nurl = "http://x"').ok).toBe(true);
    expect(validateProbeToml('kind = "http"')).toMatchObject({ ok: false, field: 'url' });
    expect(validateProbeToml('kind = "nope"')).toMatchObject({ ok: false, field: 'kind', line: 1 });
    expect(validateProbeToml('kind = "tcp"\naddress = 1.2.3.4:5')).toMatchObject({ ok: false, line: 2 });
  });
});

describe('FakeBackend', () => {
  it('lists templates and imports files and text', async () => {
    const b = new FakeBackend({ empty: true });
    expect((await b.listChecklists()).every((c) => c.origin === 'template')).toBe(true);
    const ok = await b.importChecklistFile('/home/operator/checklists/ai-assistant-production.md');
    expect(ok.checklist?.origin).toBe('imported');
    const bad = await b.importChecklistFile('/home/operator/checklists/broken.md');
    expect(bad.checklist).toBeNull();
    expect(bad.issues[0].line).toBe(7);
    expect(await rejects(b.importChecklistFile('/nope.md'))).toBe('NotFound');
    const preview = await b.previewChecklist(ok.checklist!.id);
    expect(preview.suggestions.map((s) => s.kind).sort()).toEqual(['disk', 'http', 'port_free', 'redis']);
  });

  it('creates runs, requires a reason to skip, records who and when', async () => {
    const b = new FakeBackend({ empty: true, now: () => new Date('2026-11-23T10:00:00Z') });
    const [tpl] = await b.listChecklists();
    expect(await rejects(b.createRun({ checklist_id: tpl.id, title: ' ', operator: 'a' }))).toBe('Invalid');
    const run = await b.createRun({ checklist_id: tpl.id, title: 'R1', operator: 'Alex Morgan' });
    expect(run.status).toBe('not_started');
    const view = await b.getRun(run.id);
    const first = view.checklist.phases[0].sections[0].items[0].id;
    expect(await rejects(b.setItemState(run.id, first, { state: 'skipped' }))).toBe('Invalid');
    const s = await b.setItemState(run.id, first, { state: 'skipped', reason: 'not needed' });
    expect(s).toMatchObject({ state: 'skipped', reason: 'not needed', by: 'Alex Morgan', at: '2026-11-23T10:00:00.000Z' });
    expect((await b.listRuns())[0].status).toBe('in_progress');
    const tl = await b.timeline(run.id);
    expect(tl.map((e) => e.body.type)).toEqual(['run_created', 'item_set']);
    expect(await rejects(b.getRun('nope'))).toBe('NotFound');
  });

  it('runs probes with live status and masks secrets; shell probes need arming', async () => {
    const b = new FakeBackend({ probeDelayMs: 0 });
    const [run] = await b.listRuns({ text: 'shop api' });
    const view = await b.getRun(run.id);
    const seen: ProbeStatusEvent[] = [];
    await b.onProbeStatus((e) => seen.push(e));
    const rollout = view.checklist.phases[1].sections[1];
    const canary = rollout.items[0].id;
    expect(await rejects(b.runProbes(run.id, { item: canary }))).toBe('Conflict');
    await b.armShellProbe(run.id, canary);
    await b.runProbes(run.id, { section: rollout.id });
    await b.idle();
    expect(seen.filter((e) => e.item === canary).map((e) => e.state)).toEqual(['queued', 'running', 'pass']);
    await b.setCredential('staging_token', 'tok-123');
    const whoami = view.checklist.phases[0].sections[0].items[0].id;
    await b.runProbes(run.id, { item: whoami });
    await b.idle();
    const ev = await b.evidence(run.id, whoami);
    expect(ev[0].outcome).toBe('pass');
    expect(JSON.stringify(ev)).not.toContain('tok-123');
  });

  it('never reads back credential values and reports a missing keyring', async () => {
    const b = new FakeBackend();
    await b.setCredential('staging_token', 'super-secret');
    const list = await b.listCredentials();
    expect(list.find((c) => c.name === 'staging_token')).toMatchObject({ set: true });
    expect(JSON.stringify(list)).not.toContain('super-secret');
    b.keyringAvailable = false;
    expect(await rejects(b.listCredentials())).toBe('KeyringUnavailable');
    expect((await b.keyringStatus()).fix).toContain('gnome-keyring');
  });

  it('keeps where a credential may go, and records a grant as an event of the run', async () => {
    const b = new FakeBackend();
    await b.setCredential('api_token', 'tok-1', ['API.example.com'], true);
    const c = (await b.listCredentials()).find((x) => x.name === 'api_token');
    expect(c).toMatchObject({ hosts: ['api.example.com'], allow_shell: true });
    await b.setCredential('old_token', 'tok-2', [], false);
    const tpl = (await b.listChecklists())[0];
    const run = await b.createRun({ checklist_id: tpl.id, title: 'R', operator: 'a' });
    await b.grantSecret(run.id, 'old_token', 'staging.example.com');
    expect((await b.timeline(run.id)).map((e) => e.body)).toContainEqual({ type: 'secret_granted', secret: 'old_token', host: 'staging.example.com' });
    expect((await b.listCredentials()).find((x) => x.name === 'old_token')?.hosts).toEqual(['staging.example.com']);
    expect(await rejects(b.grantSecret(run.id, 'nope', 'x'))).toBe('NotFound');
  });

  it('enforces four-eyes and strict gates, and waivers clear blockers', async () => {
    const b = new FakeBackend({ probeDelayMs: 0 });
    const [run] = await b.listRuns({ text: 'shop api' });
    let so = await b.signoff(run.id);
    const lead = so.roles[0];
    expect(lead.blockers.length).toBeGreaterThan(0);
    expect(await rejects(b.signOff(run.id, lead.role, 'Alex Morgan'))).toBe('Conflict');
    await b.setRunSettings(run.id, { gate_mode: 'strict' });
    expect(await rejects(b.signOff(run.id, lead.role, 'Sam Lee'))).toBe('Conflict');
    for (const bl of lead.blockers) await b.waive(run.id, bl.item, 'accepted risk', 'Dana Fox');
    so = await b.signOff(run.id, lead.role, 'Sam Lee');
    expect(so.roles[0].signed?.name).toBe('Sam Lee');
    // Sam signed one role; four-eyes keeps them from signing another.
    expect(await rejects(b.signOff(run.id, so.roles[1].role, 'Sam Lee'))).toBe('Conflict');
  });

  it('exports and verifies', async () => {
    const b = new FakeBackend();
    const [run] = await b.listRuns();
    const unsigned = await b.exportRun(run.id, 'pdf', '/tmp/a.pdf');
    expect(unsigned.signed).toBe(false);
    await b.createIdentity('Alex Morgan');
    const signed = await b.exportRun(run.id, 'pdf', '/tmp/b.pdf');
    expect(signed.signed).toBe(true);
    expect((await b.verifyPdfFile('/tmp/b.pdf')).intact).toBe(true);
    expect((await b.verifyPdfFile('/tmp/a.pdf')).intact).toBe(false);
    expect(await rejects(b.verifyPdfBytes('x.pdf', btoa('hello')))).toBe('Invalid');
  });
});
