// Harness for the real-window suite: starts tauri-driver (which starts WebKitWebDriver), opens WebDriver sessions
// on the runsheet-desktop binary, restarts the app on the same data directory, takes screenshots.
//
// Synchronisation is by polling with deadlines (ports, DOM conditions), never by fixed sleeps.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO = path.resolve(E2E_DIR, '../..');
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target');
export const APP_BIN = process.env.RUNSHEET_DESKTOP_BIN ?? path.join(TARGET, 'debug', 'runsheet-desktop');

/** Resolves when something accepts TCP connections on 127.0.0.1:port, rejects after the deadline. */
/** tauri-driver's port (WebKitWebDriver gets the next one); E2E_DRIVER_PORT lets two suites run side by side. */
const DRIVER_PORT = Number(process.env.E2E_DRIVER_PORT ?? 4444);

export async function waitForPort(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `fn` until it returns a truthy value; throws `what` after the deadline. */
export async function until(what, fn, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `browser.$` that survives WebKitWebDriver's race: a find that matches a node the UI is just replacing fails with
 * "stale element reference" instead of finding the new one (seen in CI right after a click re-renders a panel).
 * The find is retried; any other error is thrown at once.
 */
export async function find(browser, selector, timeoutMs = 15_000) {
  return retryStale(() => browser.$(selector), timeoutMs);
}

/** `browser.$$` with the same retry as `find`. */
export async function findAll(browser, selector, timeoutMs = 15_000) {
  return retryStale(() => browser.$$(selector), timeoutMs);
}

async function retryStale(fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const stale = /stale element/i.test(`${e?.name} ${e?.message}`);
      if (!stale || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One tauri-driver for a test file, with a fresh RUNSHEET_HOME that every session (app start) shares.
 * `env` is added to the app's environment (tauri-driver passes its environment down to the app).
 */
export async function startDriver(env = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'runsheet-e2e-'));
  // Native dialogs answer from here (src-tauri/src/commands/dialogs.rs): open → dialogs/open/<file>, save → dialogs/.
  const dialogs = path.join(home, 'dialogs');
  mkdirSync(path.join(dialogs, 'open'), { recursive: true });
  const driverBin = process.env.TAURI_DRIVER ?? 'tauri-driver';
  const child = spawn(driverBin, ['--port', String(DRIVER_PORT), '--native-port', String(DRIVER_PORT + 1)], {
    env: {
      ...process.env,
      RUNSHEET_HOME: path.join(home, 'data'),
      RUNSHEET_E2E_DIALOG_DIR: dialogs,
      RUNSHEET_OPERATOR: 'Ada Operator',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() also ends WebKitWebDriver and an app a failed session left behind (an
    // orphaned app keeps its connections to the test's servers open and the test file never exits).
    detached: true,
  });
  const log = [];
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // tauri-driver listens on its port before its WebKitWebDriver child listens on the next one: wait for both.
  await waitForPort(DRIVER_PORT);
  await waitForPort(DRIVER_PORT + 1);
  return {
    home,
    dialogs,
    /** Puts `name` as the only file the next open dialog answers with. */
    offerFile(name, text) {
      const dir = path.join(dialogs, 'open');
      for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    log,
    async stop() {
      const group = (sig) => {
        try {
          process.kill(-child.pid, sig);
        } catch {
          /* already gone */
        }
      };
      group('SIGTERM');
      const killed = setTimeout(() => group('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
      // The driver may exit before the app it started: end whatever is left of the group.
      group('SIGKILL');
    },
  };
}

/** Starts the app (a WebDriver session) and waits for the UI to be mounted. */
export async function openApp() {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      browserName: 'wry',
      'wdio:enforceWebDriverClassic': true,
      'tauri:options': { application: APP_BIN },
    },
  });
  await until('the UI to mount', async () => (await browser.$('[data-testid="sidebar"]')).isExisting(), 30_000);
  return browser;
}

/** Saves a screenshot under tests/e2e/artifacts/NAME.png (after the next frame, so it shows the latest DOM). */
export async function shot(browser, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  const file = path.join(ARTIFACTS, `${name}.png`);
  writeFileSync(file, Buffer.from(await browser.takeScreenshot(), 'base64'));
  return file;
}

/** Drops a file onto the window as the HTML5 drop the webview receives (contents, not a path). */
export async function dropFile(browser, fileName, text) {
  await browser.execute(
    (name, body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], name, { type: 'text/markdown' }));
      const target = document.querySelector('.shell') ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    fileName,
    text,
  );
}

/** Text of every element matching a data-testid. */
export async function texts(browser, testid) {
  const els = await browser.$$(`[data-testid="${testid}"]`);
  return Promise.all(els.map((e) => e.getText()));
}

/**
 * Presses one key in the window. WebDriver key actions are tried first; when WebKitWebDriver delivers no keydown
 * to the document (seen under Xvfb with no window manager: the window never gets X input focus), the same
 * KeyboardEvent is dispatched on the focused element, which runs the UI's real handler. `via` records which.
 */
export async function press(browser, key) {
  await browser.execute(() => {
    window.__e2eKeys = 0;
    if (!window.__e2eKeyHook) {
      window.__e2eKeyHook = true;
      window.addEventListener('keydown', () => (window.__e2eKeys += 1), true);
    }
  });
  try {
    await browser.keys([key]);
  } catch {
    /* fall through to the synthetic event */
  }
  const got = await browser.execute(() => window.__e2eKeys);
  if (got > 0) return 'webdriver';
  await browser.execute((k) => {
    const t = document.activeElement ?? document.body;
    for (const type of ['keydown', 'keyup']) t.dispatchEvent(new KeyboardEvent(type, { key: k, bubbles: true, cancelable: true }));
  }, key);
  return 'dispatched';
}
