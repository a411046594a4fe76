// The Backend interface: every call the UI makes to Rust, and the data shapes that cross the wire.
//
// The data types are Rust's: re-exported from the bindings tauri-specta generates (../bindings.ts, checked current
// by `cargo test -p runsheet-desktop`). A result type is the `_Serialize` form (what Rust sends), an argument type
// the `_Deserialize` form (what Rust accepts). Written here by hand only what the bindings carry as a JSON value:
// runsheet-core's checklist model and event bodies, the probe spec, and the ProbeValidation union with literal
// `ok` (tauri.ts checks those at runtime before typing them; see its `decode` functions).
//
// Components import types from here and call `backend()` (see ./index.ts); only ui/src/lib/backend/ imports
// @tauri-apps/*. Timestamps are RFC 3339 strings in UTC. Ids are opaque strings.
//
// Not here: presentation state (selection, dialogs), which lives in the components and ../state/.

import type * as B from '../bindings';

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** The `code` of the one wire error; the UI branches on it and never on message text. */
export type ErrorCode = B.ErrorCode;

export const ERROR_CODES = [
  'NotFound',
  'Invalid',
  'KeyringUnavailable',
  'ProbeTimeout',
  'Conflict',
  'Io',
  'Internal',
] as const satisfies readonly ErrorCode[];
// A code Rust adds and this list lacks fails the type check here.
const everyCode: [Exclude<ErrorCode, (typeof ERROR_CODES)[number]>] extends [never] ? true : never = true;
void everyCode;

/** What every failed call rejects with (Tauri rejects `invoke` with the serialized error as-is). */
export type BackendError = B.WireError;

export function isBackendError(e: unknown): e is BackendError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as BackendError).message === 'string' &&
    ERROR_CODES.includes((e as BackendError).code)
  );
}

/** Any rejection as a BackendError (a non-conforming rejection becomes `Internal`). */
export function toBackendError(e: unknown): BackendError {
  if (isBackendError(e)) return e;
  if (e instanceof Error) return { code: 'Internal', message: e.message };
  return { code: 'Internal', message: String(e) };
}

// ---------------------------------------------------------------------------------------------------------------
// Checklist model (crates/runsheet-core/src/checklist.rs, probe.rs)

export interface Checklist {
  title: string;
  /** YAML front matter fields, run metadata defaults (version, environment, owner, ...). */
  metadata: Record<string, unknown>;
  phases: Phase[];
  signoffs: SignoffLine[];
}

export interface Phase {
  id: string;
  title: string;
  /** 1-based source line of the heading; 0 for an implicit phase. */
  line: number;
  timing?: Timing | null;
  rollback: boolean;
  sections: Section[];
}

export interface Section {
  id: string;
  title: string;
  line: number;
  /** Heading level (3, 4, ...); 0 for the untitled section of items directly under a phase. */
  level: number;
  timing?: Timing | null;
  rollback: boolean;
  items: Item[];
  commands: Command[];
}

export interface Item {
  id: string;
  line: number;
  /** Inline Markdown text: emphasis removed, inline code kept in backticks. */
  text: string;
  checked: boolean;
  children: Item[];
  commands: Command[];
  probes: ProbeDecl[];
}

export interface Command {
  text: string;
  kind: 'inline' | 'block';
  lang?: string | null;
  label?: string | null;
  line: number;
}

/** A probe declared in a ```probe block; `source` is the TOML verbatim. */
export interface ProbeDecl {
  line: number;
  source: string;
  spec: ProbeSpec;
}

/** Probe kinds of DESIGN.md. */
export type ProbeKind =
  | 'http'
  | 'tcp'
  | 'port_free'
  | 'dns'
  | 'tls'
  | 'redis'
  | 'postgres'
  | 'disk'
  | 'env'
  | 'file'
  | 'shell';

/**
 * A parsed probe as probe.rs serializes it: `kind` plus that kind's fields flattened beside it (`url`, `command`,
 * `address`, ...) and the shared `timeout`, `retries`, `fresh_for`.
 */
export interface ProbeSpec {
  kind: ProbeKind | string;
  [field: string]: unknown;
}

export interface SignoffLine {
  role: string;
  line: number;
  checkbox: boolean;
  /** Id of the phase the line stands in; approvals cover that phase's items. */
  phase?: string | null;
}

/** A timing hint from a heading: `(T-1 hour)` → offset_minutes -60. */
export interface Timing {
  label: string;
  offset_minutes?: number | null;
  end_offset_minutes?: number | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Library

/** A probe the importer suggests from an item's text or commands (`curl …/health` → http). */
export type SuggestedProbe = B.SuggestedProbe;
export type ChecklistOrigin = B.ChecklistOrigin;
export type ChecklistSummary = B.ChecklistSummary_Serialize;
export type ChecklistPreview = Omit<B.ChecklistPreview_Serialize, 'checklist'> & { checklist: Checklist };
export type ImportIssue = B.ImportIssue;
/** An import either adds a checklist (maybe with warnings) or reports errors with lines and adds nothing. */
export type ImportOutcome = B.ImportOutcome_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Runs and events

export type ItemState = B.ItemState;
export const ITEM_STATES = ['pending', 'done', 'skipped', 'failed', 'blocked', 'n/a'] as const satisfies readonly ItemState[];
const everyState: [Exclude<ItemState, (typeof ITEM_STATES)[number]>] extends [never] ? true : never = true;
void everyState;
export type GateMode = B.GateMode;
export type RunStatus = B.RunStatus;
export type Progress = B.Progress;
export type RunSummary = B.RunSummary_Serialize;
/** Case-insensitive match on title, version, environment, operator. */
export type RunFilter = B.RunFilter_Deserialize;
export type NewRun = B.NewRun_Deserialize;
export type Note = B.Note;
/** The folded state of one item. */
export type ItemStatus = B.ItemStatus_Serialize;
export type RunSettings = B.RunSettings;
/** A run: the frozen copy of its checklist (with accepted probes added), item id → status, settings. */
export type RunView = Omit<B.RunView_Serialize, 'checklist'> & { checklist: Checklist };
/** `reason` is required for `skipped` (Invalid otherwise). */
export type SetItemState = B.SetItemState_Deserialize;

/** Event bodies, tagged by `type` as event.rs serializes them. */
export type EventBody =
  | {
      type: 'run_created';
      title: string;
      version?: string | null;
      environment?: string | null;
      window_start?: string | null;
      window_end?: string | null;
      operator: string;
      checklist_id: string;
    }
  | { type: 'item_set'; item: string; state: ItemState; reason?: string | null; note?: string | null }
  | { type: 'note_added'; item: string; note: string }
  | { type: 'probe_armed'; item: string }
  | { type: 'probe_added'; item: string; source: string }
  | { type: 'evidence'; item: string; evidence: unknown }
  | { type: 'signed_off'; role: string; name: string; comment?: string | null }
  | { type: 'role_added'; role: string }
  | { type: 'waived'; item: string; reason: string; approver: string }
  | { type: 'settings_changed'; four_eyes?: boolean | null; gate_mode?: GateMode | null }
  | { type: 'secret_granted'; secret: string; host: string }
  | { type: 'member_joined'; name: string; device: string; certificate: string }
  | { type: 'contact_set'; role: string; fields: { kind: string; label: string; value?: string | null }[] }
  | { type: 'trigger_fired'; trigger: string; summary?: string | null }
  | { type: 'rollback_decided'; trigger: string; decision: 'rollback' | 'continue'; reason?: string | null }
  /** A kind this build does not describe (a teammate's newer build may write it): shown by its name. */
  | { type: 'other'; kind: string };

/** One event of a run's timeline (the frozen checklist of run_created is left out). */
export type TimelineEvent = Omit<B.TimelineEvent, 'body'> & { body: EventBody };

// ---------------------------------------------------------------------------------------------------------------
// Probes

export type ProbeState = B.ProbeState;
export type ProbeOutcome = B.ProbeOutcome;
export type ProbeTarget = B.ProbeTarget;
/** One probe execution's evidence; output is already masked (secrets replaced by value). */
export type Evidence = B.Evidence_Serialize;
/** "Send `secret` to `host` for this run?" (see `grantSecret`). */
export type GrantOffer = B.GrantOffer;
/** Pushed from Rust while probes run; `evidence` once finished. */
export type ProbeStatusEvent = Omit<B.ProbeStatusEvent_Deserialize, 'evidence'> & { evidence?: Evidence | null };

/** Result of validating the TOML of a probe block; `line` is 1-based within the TOML. */
export type ProbeValidation =
  | { ok: true; spec: ProbeSpec }
  | { ok: false; field?: string | null; line?: number | null; message: string };

/** One field of a probe kind, as described once in Rust (crates/runsheet-core/src/probe/kinds/). */
export type ProbeFieldInfo = B.ProbeFieldView_Serialize;
export type ProbeKindInfo = B.ProbeKindView_Serialize;
/** Every probe kind's fields, then the settings every kind takes (timeout, retries, fresh_for). */
export type ProbeKinds = B.ProbeKinds_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Credentials. Values go in, never come back.

export type CredentialUse = B.SecretUse;
export type CredentialStatus = B.SecretStatus;
export type KeyringStatus = B.KeyringStatus_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Sign-off

export type BlockerKind = B.BlockerKind;
export type Blocker = B.Blocker;
export type Signature = B.Signature_Serialize;
export type RoleStatus = B.RoleStatus_Serialize;
export type Waiver = B.Waiver;
export type PhaseGate = B.PhaseGate;
export type SignoffView = B.SignoffView_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Timeline chart

export type SectionTiming = B.SectionTiming_Serialize;
export type TimelineChartData = B.TimelineChartData_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Rollback

export type RollbackDecision = B.RollbackDecision;
export type TriggerItem = B.TriggerItem;
export type OpenTrigger = B.OpenTrigger;
export type RollbackView = B.RollbackView;

// ---------------------------------------------------------------------------------------------------------------
// Clock

export type ClockState = B.ClockState;
export type ClockRow = B.ClockRow;
export type RunClock = B.RunClock;

// ---------------------------------------------------------------------------------------------------------------
// Contacts

export type ContactCard = B.ContactCard;
export type ContactDetail = B.ContactDetail;
export type ContactDetailInput = B.ContactDetailInput;

// ---------------------------------------------------------------------------------------------------------------
// Export and verify

export type ExportFormat = B.ExportFormat;
export type ExportResult = B.ExportResult;
/** A signed PDF's check: intact (valid and covering the whole file), signer, findings. */
export type VerifyResult = B.PdfCheck_Serialize;

// ---------------------------------------------------------------------------------------------------------------
// Settings

export type PaperSize = B.PaperSize;
export type Identity = B.Identity;
export type Settings = B.SettingsView_Serialize;
export type SettingsPatch = B.SettingsPatch_Deserialize;

// ---------------------------------------------------------------------------------------------------------------
// Dialogs

export type FileFilter = B.FileFilter;

export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------------------------
// The interface

export interface Backend {
  /** 'tauri' inside the app, 'bridge' over the test bridge (browser preview and tests). */
  readonly kind: 'tauri' | 'bridge';

  // Library
  listChecklists(): Promise<ChecklistSummary[]>;
  importChecklistFile(path: string): Promise<ImportOutcome>;
  /** Drag and drop in the webview gives file contents, not paths. */
  importChecklistText(file_name: string, text: string): Promise<ImportOutcome>;
  previewChecklist(checklist_id: string): Promise<ChecklistPreview>;

  // Runs
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  createRun(input: NewRun): Promise<RunSummary>;
  getRun(run_id: string): Promise<RunView>;
  /** The actor is the operator name from settings. */
  setItemState(run_id: string, item_id: string, change: SetItemState): Promise<ItemStatus>;
  addNote(run_id: string, item_id: string, text: string): Promise<ItemStatus>;
  timeline(run_id: string): Promise<TimelineEvent[]>;

  // Probes
  /** Queues the probes of the target and returns at once; progress arrives through onProbeStatus. */
  runProbes(run_id: string, target: ProbeTarget): Promise<void>;
  onProbeStatus(handler: (e: ProbeStatusEvent) => void): Promise<Unsubscribe>;
  /** All evidence of an item, newest first. */
  evidence(run_id: string, item_id: string): Promise<Evidence[]>;
  /** Arms the shell probes of one item for this run (after the UI showed the exact command). */
  armShellProbe(run_id: string, item_id: string): Promise<ItemStatus>;
  validateProbe(toml: string): Promise<ProbeValidation>;
  /** The probe kinds and their fields (required, default, help) for the probe editor. */
  probeKinds(): Promise<ProbeKinds>;
  /** Adds a probe (accepted suggestion, maybe edited) to the run's copy of the item; Invalid when the TOML is. */
  addProbe(run_id: string, item_id: string, toml: string): Promise<RunView>;

  // Credentials
  keyringStatus(): Promise<KeyringStatus>;
  listCredentials(): Promise<CredentialStatus[]>;
  /** Stores the value and replaces where it may be sent (hosts, and whether shell probes may receive it). */
  setCredential(name: string, value: string, hosts: string[], allow_shell: boolean): Promise<void>;
  deleteCredential(name: string): Promise<void>;
  /** Lets a refused secret go to `host` for this run (an event of the run); binds it there if it had no host. */
  grantSecret(run_id: string, secret: string, host: string): Promise<void>;

  // Sign-off
  signoff(run_id: string): Promise<SignoffView>;
  /** Conflict when the four-eyes rule forbids `name`, or a strict gate is closed. */
  signOff(run_id: string, role: string, name: string, comment?: string | null): Promise<SignoffView>;
  addRole(run_id: string, role: string): Promise<SignoffView>;
  waive(run_id: string, item_id: string, reason: string, approver: string): Promise<SignoffView>;
  setRunSettings(run_id: string, patch: Partial<RunSettings>): Promise<SignoffView>;

  // Timeline chart
  timelineChart(run_id: string): Promise<TimelineChartData>;

  // Rollback
  /** The run's triggers, the firings waiting for a decision and the phase it works in (the core's fold decides). */
  rollbackState(run_id: string): Promise<RollbackView>;
  /** Records that trigger `item_id` fired, with what was seen; the run then waits for a decision. */
  declareTrigger(run_id: string, item_id: string, summary?: string | null): Promise<RollbackView>;
  /** Roll back (the run works in its rollback phase) or continue; Invalid when continuing has no reason. */
  decideRollback(run_id: string, item_id: string, decision: RollbackDecision, reason?: string | null): Promise<RollbackView>;

  // Clock
  /** Now against T and the run's unfinished phases and sections (late first, then by planned time). */
  runClock(run_id: string): Promise<RunClock>;

  // Contacts
  /** The run's contacts card; a detail whose `value` is null is a placeholder still to fill in. */
  contacts(run_id: string): Promise<ContactCard[]>;
  /** Fills in contact `role` (a placeholder of the checklist, or a new contact); empty values are left out. */
  setContact(run_id: string, role: string, details: ContactDetailInput[]): Promise<ContactCard[]>;

  // Export and verify
  exportRun(run_id: string, format: ExportFormat, path: string): Promise<ExportResult>;
  verifyPdfFile(path: string): Promise<VerifyResult>;
  /** Drag and drop of a PDF in the webview: the bytes, base64-encoded. */
  verifyPdfBytes(file_name: string, base64: string): Promise<VerifyResult>;
  /** Opens a file with the OS default app (the exported PDF). */
  openPath(path: string): Promise<void>;

  // Settings
  getSettings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  createIdentity(common_name: string): Promise<Identity>;
  importIdentity(path: string, password: string): Promise<Identity>;
  exportCertificate(path: string): Promise<void>;

  // Dialogs and OS drops (the fake returns scripted answers)
  openFileDialog(title: string, filters: FileFilter[]): Promise<string | null>;
  saveFileDialog(title: string, default_name: string, filters: FileFilter[]): Promise<string | null>;
  /**
   * Files dropped onto the window as paths (Tauri's drag-drop event, when the window intercepts drops).
   * The fake never calls the handler; the UI also handles HTML5 drops with file contents.
   */
  onFileDrop(handler: (paths: string[]) => void): Promise<Unsubscribe>;

  /** Called once on the first animation frame after mounting (the desktop benchmark's first-paint mark). */
  markPainted?(): Promise<void>;
}
