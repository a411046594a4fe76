// The Backend interface: every call the UI makes to Rust, and the data shapes that cross the wire.
//
// This file is the single place where the UI's view of the backend is defined. Components import types from here
// and call `backend()` (see ./index.ts); only ui/src/lib/backend/ imports @tauri-apps/*. The Tauri implementation
// (./tauri.ts, owned by the desktop shell engineer) maps these methods onto the generated bindings
// (../bindings.ts); where a generated type differs, adapt it in tauri.ts or change the type here — nowhere else.
//
// Field names of data types are snake_case, as serde writes Rust structs by default (checklist.rs, event.rs).
// Timestamps are RFC 3339 strings in UTC. Ids are opaque strings.
//
// Not here: presentation state (selection, dialogs), which lives in the components and ../state/.

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** The `code` of the one wire error; the UI branches on it and never on message text. */
export type ErrorCode =
  | 'NotFound'
  | 'Invalid'
  | 'KeyringUnavailable'
  | 'ProbeTimeout'
  | 'Conflict'
  | 'Io'
  | 'Internal';

export const ERROR_CODES: readonly ErrorCode[] = [
  'NotFound',
  'Invalid',
  'KeyringUnavailable',
  'ProbeTimeout',
  'Conflict',
  'Io',
  'Internal',
];

/** What every failed call rejects with (Tauri rejects `invoke` with the serialized error as-is). */
export interface BackendError {
  code: ErrorCode;
  message: string;
}

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

/** A probe the importer suggests from an item's text or commands (`curl …/health` → http). */
export interface SuggestedProbe {
  item: string;
  kind: ProbeKind | string;
  /** Ready-to-accept TOML for a ```probe block. */
  source: string;
  /** Why it was suggested, e.g. "from command `curl http://localhost:8001/health`". */
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Library

export type ChecklistOrigin = 'template' | 'imported';

export interface ChecklistSummary {
  id: string;
  title: string;
  origin: ChecklistOrigin;
  /** File it came from (template path under checklists/, or the imported file), if any. */
  path?: string | null;
  imported_at?: string | null;
  phases: number;
  items: number;
  probes: number;
  signoff_roles: number;
}

export interface ChecklistPreview {
  summary: ChecklistSummary;
  checklist: Checklist;
  suggestions: SuggestedProbe[];
}

export interface ImportIssue {
  severity: 'error' | 'warning';
  /** 1-based line in the source file; 0 when the issue is not tied to a line. */
  line: number;
  message: string;
}

/** An import either adds a checklist (maybe with warnings) or reports errors with lines and adds nothing. */
export interface ImportOutcome {
  checklist: ChecklistSummary | null;
  issues: ImportIssue[];
}

// ---------------------------------------------------------------------------------------------------------------
// Runs and events (crates/runsheet-core/src/event.rs)

export type ItemState = 'pending' | 'done' | 'skipped' | 'failed' | 'blocked' | 'n/a';
export const ITEM_STATES: readonly ItemState[] = ['pending', 'done', 'skipped', 'failed', 'blocked', 'n/a'];

export type GateMode = 'strict' | 'advisory';

export type RunStatus = 'not_started' | 'in_progress' | 'blocked' | 'completed' | 'signed';

export interface Progress {
  total: number;
  pending: number;
  done: number;
  skipped: number;
  failed: number;
  blocked: number;
  na: number;
}

export interface RunSummary {
  id: string;
  title: string;
  version?: string | null;
  environment?: string | null;
  window_start?: string | null;
  window_end?: string | null;
  operator: string;
  checklist_id: string;
  checklist_title: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  progress: Progress;
}

export interface RunFilter {
  /** Case-insensitive match on title, version, environment, operator. */
  text?: string;
  status?: RunStatus;
}

export interface NewRun {
  checklist_id: string;
  title: string;
  version?: string | null;
  environment?: string | null;
  window_start?: string | null;
  window_end?: string | null;
  operator: string;
}

export interface Note {
  at: string;
  actor: string;
  text: string;
}

/** The folded state of one item. */
export interface ItemStatus {
  state: ItemState;
  reason?: string | null;
  /** Who set the current state, and when (absent while never touched). */
  by?: string | null;
  at?: string | null;
  notes: Note[];
  /** Set when a waiver covers the item. */
  waiver?: Waiver | null;
  /** Shell probes of this item are armed for this run. */
  armed: boolean;
  /** The latest evidence of each probe that ran, one entry per probe; matched on `Evidence.probe`. */
  evidence: Evidence[];
}

export interface RunSettings {
  four_eyes: boolean;
  gate_mode: GateMode;
}

export interface RunView {
  summary: RunSummary;
  /** The frozen copy of the checklist the run was created from (with accepted probes added). */
  checklist: Checklist;
  /** Item id → status; items never touched may be absent (read as pending). */
  items: Record<string, ItemStatus>;
  settings: RunSettings;
  suggestions: SuggestedProbe[];
  /** Head hash(es) of the event DAG. */
  heads: string[];
}

export interface SetItemState {
  state: ItemState;
  /** Required for `skipped` (Invalid otherwise). */
  reason?: string | null;
  note?: string | null;
}

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
  | { type: 'member_joined'; name: string; device: string; certificate: string };

/** One event of a run's timeline (the frozen checklist of run_created is left out). */
export interface TimelineEvent {
  id: string;
  at: string;
  actor: string;
  lamport: number;
  device: string;
  hash: string;
  body: EventBody;
}

// ---------------------------------------------------------------------------------------------------------------
// Probes (issue 6)

export type ProbeState = 'queued' | 'running' | 'pass' | 'fail' | 'timeout' | 'error';
export type ProbeOutcome = 'pass' | 'fail' | 'timeout' | 'error';

export type ProbeTarget = { item: string } | { section: string } | { phase: string };

/** One probe execution's evidence; output is already masked (secrets replaced by value). */
export interface Evidence {
  item: string;
  /** Index into the item's probes. */
  probe: number;
  kind: string;
  outcome: ProbeOutcome;
  started_at: string;
  /** Floats come over the wire as `number | null` (tauri-specta maps f64 so, NaN being null). */
  duration_ms: number | null;
  /** One line, e.g. "HTTP 200 in 12 ms". */
  summary: string;
  /** Masked output (response head/body excerpt, command output). */
  output: string;
  /** Hex SHA-256 of the response or output, if any. */
  response_hash?: string | null;
  /** `fresh_for` of the probe, in seconds. */
  fresh_for_s: number | null;
  /** Older than fresh_for at the time the view was built (the UI recomputes from started_at + fresh_for_s). */
  stale: boolean;
  /** The probe was refused because a secret may not go to its host; the operator may grant that for the run. */
  grant?: GrantOffer | null;
}

/** "Send `secret` to `host` for this run?" (see `grantSecret`). */
export interface GrantOffer {
  secret: string;
  host: string;
}

/** Pushed from Rust while probes run. */
export interface ProbeStatusEvent {
  run_id: string;
  item: string;
  probe: number;
  state: ProbeState;
  /** Set once finished. */
  duration_ms?: number | null;
  evidence?: Evidence | null;
  message?: string | null;
}

/** Result of validating the TOML of a probe block; `line` is 1-based within the TOML. */
export type ProbeValidation =
  | { ok: true; spec: ProbeSpec }
  | { ok: false; field?: string | null; line?: number | null; message: string };

/** One field of a probe kind, as described once in Rust (crates/runsheet-core/src/probe/kinds/). */
export interface ProbeFieldInfo {
  name: string;
  /** The value's type as shown ("host:port", "integer 100-599"). */
  type: string;
  required: boolean;
  /** The value used when the field is left out, as TOML (`"GET"`, `200`); null when there is none. */
  default: string | null;
  help: string;
}

export interface ProbeKindInfo {
  kind: string;
  summary: string;
  fields: ProbeFieldInfo[];
}

/** Every probe kind's fields, then the settings every kind takes (timeout, retries, fresh_for). */
export interface ProbeKinds {
  kinds: ProbeKindInfo[];
  common: ProbeFieldInfo[];
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials (issue 6). Values go in, never come back.

export interface CredentialUse {
  /** A checklist id or run id that references the secret. */
  owner_id: string;
  owner_title: string;
  items: string[];
}

export interface CredentialStatus {
  name: string;
  set: boolean;
  /** Hosts the secret may be sent to (empty: refused everywhere until allowed or granted). */
  hosts: string[];
  /** Whether shell probes may receive it. */
  allow_shell: boolean;
  used_by: CredentialUse[];
}

export interface KeyringStatus {
  available: boolean;
  /** e.g. "Secret Service (gnome-keyring)". */
  backend: string;
  /** When unavailable: what to do, e.g. the package to install or the daemon to unlock. */
  fix?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-off (issue 6)

export type BlockerKind = 'pending' | 'failed' | 'blocked' | 'failed_probe' | 'stale_evidence' | 'missing_evidence';

export interface Blocker {
  kind: BlockerKind;
  item: string;
  phase: string;
  /** e.g. "item pending", "evidence is 3 h old (fresh for 15 min)". */
  message: string;
}

export interface Signature {
  name: string;
  at: string;
  comment?: string | null;
}

export interface RoleStatus {
  role: string;
  /** Phase whose items the role approves; null for the whole run. */
  phase?: string | null;
  phase_title?: string | null;
  signed?: Signature | null;
  /** Names that may not sign this role under the four-eyes rule (operator, signers of other roles). */
  excluded: string[];
  blockers: Blocker[];
}

export interface Waiver {
  item: string;
  /** The item's text, for display. */
  item_title: string;
  reason: string;
  approver: string;
  at: string;
}

export interface PhaseGate {
  phase: string;
  title: string;
  open: boolean;
  blockers: Blocker[];
}

export interface SignoffView {
  settings: RunSettings;
  operator: string;
  roles: RoleStatus[];
  gates: PhaseGate[];
  waivers: Waiver[];
}

// ---------------------------------------------------------------------------------------------------------------
// Timeline chart (issue 6)

export interface SectionTiming {
  phase: string;
  section: string;
  title: string;
  /** Planned offsets from the window start, minutes (from headings' timing hints). */
  planned_start_min?: number | null;
  planned_end_min?: number | null;
  /** First and last item event in the section. */
  actual_start?: string | null;
  actual_end?: string | null;
}

export interface TimelineChartData {
  window_start?: string | null;
  window_end?: string | null;
  rows: SectionTiming[];
}

// ---------------------------------------------------------------------------------------------------------------
// Export and verify (issue 6)

export type ExportFormat = 'pdf' | 'md' | 'json';

export interface ExportResult {
  path: string;
  bytes: number | null;
  /** PDFs are signed when a signing identity exists. */
  signed: boolean;
  head_hash: string;
}

export interface VerifyResult {
  /** Signature valid and covering the whole file (no later incremental update). */
  intact: boolean;
  signer?: string | null;
  fingerprint?: string | null;
  signed_at?: string | null;
  run_title?: string | null;
  head_hash?: string | null;
  /** Human-readable findings, one per line. */
  messages: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Settings (issue 6)

export type PaperSize = 'a4' | 'letter';

export interface Identity {
  subject: string;
  /** Hex SHA-256 of the certificate (DER). */
  fingerprint: string;
  not_after: string;
  origin: 'self_signed' | 'pkcs12';
}

export interface Settings {
  operator_name: string;
  paper_size: PaperSize;
  identity?: Identity | null;
}

export interface SettingsPatch {
  operator_name?: string;
  paper_size?: PaperSize;
}

// ---------------------------------------------------------------------------------------------------------------
// Dialogs

export interface FileFilter {
  name: string;
  extensions: string[];
}

export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------------------------
// The interface

export interface Backend {
  /** 'tauri' inside the app, 'fake' in the browser preview and tests. */
  readonly kind: 'tauri' | 'fake';

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
