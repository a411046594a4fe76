// The Backend interface served by the Rust shell (src-tauri). OWNED BY THE DESKTOP SHELL ENGINEER.
//
// Every call goes through the generated bindings (../bindings.ts, from tauri-specta: command names, argument
// names and payload types are checked against Rust at compile time). Results keep the bindings' types: `ok`
// infers them from each call, with no cast. Failed commands reject with the wire error `{ code, message }` exactly
// as Rust sent it. Where the bindings carry a JSON value (the frozen checklist, event bodies, a probe spec, the
// evidence of a probe event), ./decode.ts checks its shape at runtime before it is typed.
//
// The test bridge (./http.ts) runs this same class over HTTP instead of IPC.
//
// Also here: the first-paint report for bench/desktop (`markPainted` after the second animation frame) and the
// round-trip timings of setItemState kept on `window.__runsheetPerf` for the same benchmark.

import { commands, events, type WireError } from '../bindings';
import * as decode from './decode';
import { toBackendError } from './types';

type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };
import type {
  Backend,
  ChecklistPreview,
  ChecklistSummary,
  ContactCard,
  ContactDetailInput,
  CredentialStatus,
  Evidence,
  ExportFormat,
  ExportResult,
  FileFilter,
  Identity,
  ImportOutcome,
  ItemStatus,
  KeyringStatus,
  NewRun,
  ProbeKinds,
  ProbeStatusEvent,
  ProbeTarget,
  ProbeValidation,
  RunFilter,
  RollbackDecision,
  RollbackView,
  RunClock,
  RunSettings,
  RunSummary,
  RunView,
  SetItemState,
  Settings,
  SettingsPatch,
  SignoffView,
  TimelineChartData,
  TimelineEvent,
  Unsubscribe,
  VerifyResult,
} from './types';

/**
 * The data of an ok result, typed as the bindings type it; the wire error is thrown as Rust sent it (anything else
 * Tauri rejects with, such as an argument it could not deserialise, becomes an `Internal` BackendError).
 */
async function ok<T>(call: Promise<Result<T, WireError>>): Promise<T> {
  const r = await call;
  if (r.status === 'error') throw toBackendError(r.error);
  return r.data;
}

/** A command that returns nothing (`null` over the wire). */
async function done(call: Promise<Result<null, WireError>>): Promise<void> {
  await ok(call);
}

declare global {
  interface Window {
    __runsheetPerf?: { setItemState: number[] };
  }
}

export class TauriBackend implements Backend {
  readonly kind: 'tauri' | 'bridge' = 'tauri';

  constructor() {
    // Two frames: the first callback runs before the first paint of the mounted UI, the second after it.
    requestAnimationFrame(() => requestAnimationFrame(() => void commands.markPainted()));
    window.__runsheetPerf = { setItemState: [] };
  }

  // Bench: a paint mark (a no-op unless the shell was started with RUNSHEET_PAINT_MARKER).
  markPainted(): Promise<void> { return done(commands.markPainted()); }

  // Library
  listChecklists(): Promise<ChecklistSummary[]> { return ok(commands.listChecklists()); }
  importChecklistFile(path: string): Promise<ImportOutcome> { return ok(commands.importChecklistFile(path)); }
  importChecklistText(fileName: string, text: string): Promise<ImportOutcome> {
    return ok(commands.importChecklistText(fileName, text));
  }
  async previewChecklist(checklistId: string): Promise<ChecklistPreview> {
    const p = await ok(commands.previewChecklist(checklistId));
    return { ...p, checklist: decode.checklist(p.checklist) };
  }

  // Runs
  listRuns(filter?: RunFilter): Promise<RunSummary[]> {
    return ok(commands.listRuns({ text: filter?.text ?? null, status: filter?.status ?? null }));
  }
  createRun(input: NewRun): Promise<RunSummary> {
    return ok(
      commands.createRun({
        ...input,
        version: input.version ?? null,
        environment: input.environment ?? null,
        window_start: input.window_start ?? null,
        window_end: input.window_end ?? null,
      }),
    );
  }
  async getRun(runId: string): Promise<RunView> {
    const v = await ok(commands.getRun(runId));
    return { ...v, checklist: decode.checklist(v.checklist) };
  }
  async setItemState(runId: string, itemId: string, change: SetItemState): Promise<ItemStatus> {
    const t0 = performance.now();
    const status = await ok<ItemStatus>(
      commands.setItemState(runId, itemId, { state: change.state, reason: change.reason ?? null, note: change.note ?? null }),
    );
    const perf = window.__runsheetPerf?.setItemState;
    if (perf && perf.length < 10_000) perf.push(performance.now() - t0);
    return status;
  }
  addNote(runId: string, itemId: string, text: string): Promise<ItemStatus> { return ok(commands.addNote(runId, itemId, text)); }
  async timeline(runId: string): Promise<TimelineEvent[]> {
    return (await ok(commands.timeline(runId))).map((e) => ({ ...e, body: decode.eventBody(e.body) }));
  }

  // Probes
  runProbes(runId: string, target: ProbeTarget): Promise<void> { return done(commands.runProbes(runId, target)); }
  async onProbeStatus(handler: (e: ProbeStatusEvent) => void): Promise<Unsubscribe> {
    return events.probeStatusEvent.listen((e) => {
      const { evidence, ...rest } = e.payload;
      handler({ ...rest, evidence: evidence === null || evidence === undefined ? null : decode.evidence(evidence) });
    });
  }
  evidence(runId: string, itemId: string): Promise<Evidence[]> { return ok(commands.evidence(runId, itemId)); }
  armShellProbe(runId: string, itemId: string): Promise<ItemStatus> { return ok(commands.armShellProbe(runId, itemId)); }
  async validateProbe(toml: string): Promise<ProbeValidation> {
    const v = await ok(commands.validateProbe(toml));
    if ('spec' in v && v.spec !== undefined) return { ok: true, spec: decode.probeSpec(v.spec) };
    if ('message' in v && typeof v.message === 'string') return { ok: false, field: v.field ?? null, line: v.line ?? null, message: v.message };
    throw toBackendError({ code: 'Internal', message: `unexpected probe validation from Rust: ${JSON.stringify(v)}` });
  }
  probeKinds(): Promise<ProbeKinds> { return ok(commands.probeKinds()); }
  async addProbe(runId: string, itemId: string, toml: string): Promise<RunView> {
    const v = await ok(commands.addProbe(runId, itemId, toml));
    return { ...v, checklist: decode.checklist(v.checklist) };
  }

  // Credentials
  keyringStatus(): Promise<KeyringStatus> { return ok(commands.keyringStatus()); }
  listCredentials(): Promise<CredentialStatus[]> { return ok(commands.listCredentials()); }
  setCredential(name: string, value: string, hosts: string[], allowShell: boolean): Promise<void> {
    return done(commands.setCredential(name, value, hosts, allowShell));
  }
  deleteCredential(name: string): Promise<void> { return done(commands.deleteCredential(name)); }
  grantSecret(runId: string, secret: string, host: string): Promise<void> { return done(commands.grantSecret(runId, secret, host)); }

  // Sign-off
  signoff(runId: string): Promise<SignoffView> { return ok(commands.signoff(runId)); }
  signOff(runId: string, role: string, name: string, comment?: string | null): Promise<SignoffView> {
    return ok(commands.signOff(runId, role, name, comment ?? null));
  }
  addRole(runId: string, role: string): Promise<SignoffView> { return ok(commands.addRole(runId, role)); }
  waive(runId: string, itemId: string, reason: string, approver: string): Promise<SignoffView> {
    return ok(commands.waive(runId, itemId, reason, approver));
  }
  setRunSettings(runId: string, patch: Partial<RunSettings>): Promise<SignoffView> {
    return ok(commands.setRunSettings(runId, { four_eyes: patch.four_eyes ?? null, gate_mode: patch.gate_mode ?? null }));
  }

  // Timeline chart
  timelineChart(runId: string): Promise<TimelineChartData> { return ok(commands.timelineChart(runId)); }

  // Rollback
  rollbackState(runId: string): Promise<RollbackView> { return ok(commands.rollbackState(runId)); }
  declareTrigger(runId: string, itemId: string, summary?: string | null): Promise<RollbackView> {
    return ok(commands.declareTrigger(runId, itemId, summary ?? null));
  }
  decideRollback(runId: string, itemId: string, decision: RollbackDecision, reason?: string | null): Promise<RollbackView> {
    return ok(commands.decideRollback(runId, itemId, decision, reason ?? null));
  }

  // Clock
  runClock(runId: string): Promise<RunClock> { return ok(commands.runClock(runId)); }

  // Contacts
  contacts(runId: string): Promise<ContactCard[]> { return ok(commands.contacts(runId)); }
  setContact(runId: string, role: string, details: ContactDetailInput[]): Promise<ContactCard[]> {
    return ok(commands.setContact(runId, role, details));
  }

  // Export and verify
  exportRun(runId: string, format: ExportFormat, path: string): Promise<ExportResult> {
    return ok(commands.exportRun(runId, format, path));
  }
  verifyPdfFile(path: string): Promise<VerifyResult> { return ok(commands.verifyPdfFile(path)); }
  verifyPdfBytes(fileName: string, base64: string): Promise<VerifyResult> {
    return ok(commands.verifyPdfBytes(fileName, base64));
  }
  openPath(path: string): Promise<void> { return done(commands.openPath(path)); }

  // Settings
  getSettings(): Promise<Settings> { return ok(commands.getSettings()); }
  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return ok(commands.updateSettings({ operator_name: patch.operator_name ?? null, paper_size: patch.paper_size ?? null }));
  }
  createIdentity(commonName: string): Promise<Identity> { return ok(commands.createIdentity(commonName)); }
  importIdentity(path: string, password: string): Promise<Identity> { return ok(commands.importIdentity(path, password)); }
  exportCertificate(path: string): Promise<void> { return done(commands.exportCertificate(path)); }

  // Dialogs and OS drops
  // Native dialogs are opened by Rust (the webview has no dialog permission and sees only the picked path).
  openFileDialog(title: string, filters: FileFilter[]): Promise<string | null> {
    return ok(commands.openFileDialog(title, filters));
  }
  saveFileDialog(title: string, defaultName: string, filters: FileFilter[]): Promise<string | null> {
    return ok(commands.saveFileDialog(title, defaultName, filters));
  }
  async onFileDrop(handler: (paths: string[]) => void): Promise<Unsubscribe> {
    // Rust forwards the window's drag-drop event (src-tauri/src/lib.rs) as FilesDropped.
    return events.filesDropped.listen((e) => handler(e.payload.paths));
  }
}
