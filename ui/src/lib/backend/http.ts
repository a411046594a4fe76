// The Backend over the test-only HTTP bridge (src-tauri/examples/bridge.rs): the desktop's own commands, served
// from the real Rust code on loopback. The UI unit tests, the headless-Chromium suite and the plain-browser
// preview use it; there is no TypeScript copy of any rule.
//
// It is `TauriBackend` itself with another transport: the generated bindings call `invoke` from @tauri-apps/api,
// which calls `window.__TAURI_INTERNALS__.invoke`; here that is Tauri's own `mockIPC` forwarding each call to
// `POST <base>/invoke/<command>` with the same JSON arguments. So the command names, argument names and result
// types are the bindings', and the mapping onto `Backend` (tauri.ts) is the one the desktop app runs. Events the
// commands emit (probe status, dropped files) are read from `GET <base>/events` and emitted through the same
// mocked event plugin the bindings' `listen` registers with.
//
// Left out: anything the bridge does not serve (native dialogs answer from RUNSHEET_E2E_DIALOG_DIR on its side).

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { TauriBackend } from './tauri';
import type { ProbeStatusEvent, Unsubscribe } from './types';

/** Where the bridge listens, e.g. `http://127.0.0.1:41234` (empty: the page's own origin). */
export type BridgeUrl = string;

interface EventBatch {
  next: number;
  events: { event: string; payload: unknown }[];
}

function isEventBatch(v: unknown): v is EventBatch {
  const b = v as EventBatch;
  return typeof v === 'object' && v !== null && typeof b.next === 'number' && Array.isArray(b.events);
}

/** The bridge's answer to a command: Rust's result, or what the command rejected with. */
type Answer = { status: 'ok'; data: unknown } | { status: 'error'; error: unknown };

function isAnswer(v: unknown): v is Answer {
  const a = v as Answer;
  return typeof v === 'object' && v !== null && ((a.status === 'ok' && 'data' in a) || (a.status === 'error' && 'error' in a));
}

/** One command over HTTP: the result, or a rejection with exactly what Rust rejected with (`{ code, message }`). */
async function call(base: BridgeUrl, cmd: string, args: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}/invoke/${encodeURIComponent(cmd)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args ?? {}),
    });
  } catch (e) {
    throw { code: 'Internal', message: `the bridge at ${base || location.origin} does not answer: ${String(e)}` };
  }
  const text = await res.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = null;
  }
  if (isAnswer(answer)) {
    if (answer.status === 'error') throw answer.error;
    return answer.data;
  }
  throw { code: 'Internal', message: `${cmd}: the bridge answered ${res.status}: ${text.slice(0, 200)}` };
}

export class HttpBackend extends TauriBackend {
  override readonly kind = 'bridge' as const;
  readonly #base: BridgeUrl;
  #polling: AbortController | null = null;
  #started: Promise<void> | null = null;

  /** Installs the HTTP transport for the bindings; one bridge per page (the transport is global). */
  constructor(base: BridgeUrl = '') {
    mockIPC((cmd, args) => call(base, cmd, args), { shouldMockEvents: true });
    super();
    this.#base = base;
  }

  /**
   * Long-polls the bridge's event log and re-emits each event to the listeners the bindings registered. Resolves
   * once the starting point is known, so a command sent after `onProbeStatus` resolved has all its events seen.
   */
  #startEvents(): Promise<void> {
    if (this.#started) return this.#started;
    const abort = new AbortController();
    this.#polling = abort;
    const get = async (after: number, waitMs: number): Promise<EventBatch | null> => {
      try {
        const res = await fetch(`${this.#base}/events?after=${after}&wait=${waitMs}`, { signal: abort.signal });
        const batch: unknown = await res.json();
        return isEventBatch(batch) ? batch : null;
      } catch {
        return null;
      }
    };
    const loop = async (after: number): Promise<void> => {
      while (!abort.signal.aborted) {
        const batch = await get(after, 20_000);
        // The bridge went away (the end of a test run): stop quietly; the next listener starts again.
        if (!batch) break;
        for (const e of batch.events) await emit(e.event, e.payload);
        after = batch.next;
      }
      if (this.#polling === abort) this.close();
    };
    // Events emitted before the first listener are of no interest: start from the log's current end.
    this.#started = get(0, 0).then((b) => {
      void loop(b?.next ?? 0);
    });
    return this.#started;
  }

  /** Stops reading events (tests call it before their bridge stops). */
  close(): void {
    this.#polling?.abort();
    this.#polling = null;
    this.#started = null;
  }

  override async onProbeStatus(handler: (e: ProbeStatusEvent) => void): Promise<Unsubscribe> {
    const unlisten = await super.onProbeStatus(handler);
    await this.#startEvents();
    return unlisten;
  }

  override async onFileDrop(handler: (paths: string[]) => void): Promise<Unsubscribe> {
    const unlisten = await super.onFileDrop(handler);
    await this.#startEvents();
    return unlisten;
  }
}
