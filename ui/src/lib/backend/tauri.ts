// STARTER written by the UI engineer so the app builds; OWNED BY THE DESKTOP SHELL ENGINEER, who replaces the raw
// `invoke` calls with the generated bindings (../bindings.ts) and keeps every Backend method working.
//
// Command names are the snake_case of the method names; arguments are camelCase as Tauri expects by default.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import type {
  Backend,
  ChecklistPreview,
  ChecklistSummary,
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
  ProbeStatusEvent,
  ProbeTarget,
  ProbeValidation,
  RunFilter,
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

export class TauriBackend implements Backend {
  readonly kind = 'tauri' as const;

  listChecklists(): Promise<ChecklistSummary[]> { return invoke('list_checklists'); }
  importChecklistFile(path: string): Promise<ImportOutcome> { return invoke('import_checklist_file', { path }); }
  importChecklistText(fileName: string, text: string): Promise<ImportOutcome> {
    return invoke('import_checklist_text', { fileName, text });
  }
  previewChecklist(checklistId: string): Promise<ChecklistPreview> { return invoke('preview_checklist', { checklistId }); }

  listRuns(filter?: RunFilter): Promise<RunSummary[]> { return invoke('list_runs', { filter: filter ?? {} }); }
  createRun(input: NewRun): Promise<RunSummary> { return invoke('create_run', { input }); }
  getRun(runId: string): Promise<RunView> { return invoke('get_run', { runId }); }
  setItemState(runId: string, itemId: string, change: SetItemState): Promise<ItemStatus> {
    return invoke('set_item_state', { runId, itemId, change });
  }
  addNote(runId: string, itemId: string, text: string): Promise<ItemStatus> { return invoke('add_note', { runId, itemId, text }); }
  timeline(runId: string): Promise<TimelineEvent[]> { return invoke('timeline', { runId }); }

  runProbes(runId: string, target: ProbeTarget): Promise<void> { return invoke('run_probes', { runId, target }); }
  async onProbeStatus(handler: (e: ProbeStatusEvent) => void): Promise<Unsubscribe> {
    return listen<ProbeStatusEvent>('probe-status', (e) => handler(e.payload));
  }
  evidence(runId: string, itemId: string): Promise<Evidence[]> { return invoke('evidence', { runId, itemId }); }
  armShellProbe(runId: string, itemId: string): Promise<ItemStatus> { return invoke('arm_shell_probe', { runId, itemId }); }
  validateProbe(toml: string): Promise<ProbeValidation> { return invoke('validate_probe', { toml }); }
  addProbe(runId: string, itemId: string, toml: string): Promise<RunView> { return invoke('add_probe', { runId, itemId, toml }); }

  keyringStatus(): Promise<KeyringStatus> { return invoke('keyring_status'); }
  listCredentials(): Promise<CredentialStatus[]> { return invoke('list_credentials'); }
  setCredential(name: string, value: string): Promise<void> { return invoke('set_credential', { name, value }); }
  deleteCredential(name: string): Promise<void> { return invoke('delete_credential', { name }); }

  signoff(runId: string): Promise<SignoffView> { return invoke('signoff', { runId }); }
  signOff(runId: string, role: string, name: string, comment?: string | null): Promise<SignoffView> {
    return invoke('sign_off', { runId, role, name, comment: comment ?? null });
  }
  addRole(runId: string, role: string): Promise<SignoffView> { return invoke('add_role', { runId, role }); }
  waive(runId: string, itemId: string, reason: string, approver: string): Promise<SignoffView> {
    return invoke('waive', { runId, itemId, reason, approver });
  }
  setRunSettings(runId: string, patch: Partial<RunSettings>): Promise<SignoffView> {
    return invoke('set_run_settings', { runId, patch });
  }

  timelineChart(runId: string): Promise<TimelineChartData> { return invoke('timeline_chart', { runId }); }

  exportRun(runId: string, format: ExportFormat, path: string): Promise<ExportResult> {
    return invoke('export_run', { runId, format, path });
  }
  verifyPdfFile(path: string): Promise<VerifyResult> { return invoke('verify_pdf_file', { path }); }
  verifyPdfBytes(fileName: string, base64: string): Promise<VerifyResult> {
    return invoke('verify_pdf_bytes', { fileName, base64 });
  }
  openPath(path: string): Promise<void> { return invoke('open_path', { path }); }

  getSettings(): Promise<Settings> { return invoke('get_settings'); }
  updateSettings(patch: SettingsPatch): Promise<Settings> { return invoke('update_settings', { patch }); }
  createIdentity(commonName: string): Promise<Identity> { return invoke('create_identity', { commonName }); }
  importIdentity(path: string, password: string): Promise<Identity> { return invoke('import_identity', { path, password }); }
  exportCertificate(path: string): Promise<void> { return invoke('export_certificate', { path }); }

  async openFileDialog(title: string, filters: FileFilter[]): Promise<string | null> {
    const r = await open({ title, filters, multiple: false, directory: false });
    return typeof r === 'string' ? r : null;
  }
  async saveFileDialog(title: string, defaultName: string, filters: FileFilter[]): Promise<string | null> {
    return (await save({ title, defaultPath: defaultName, filters })) ?? null;
  }
  async onFileDrop(handler: (paths: string[]) => void): Promise<Unsubscribe> {
    return getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === 'drop') handler(e.payload.paths);
    });
  }
}
