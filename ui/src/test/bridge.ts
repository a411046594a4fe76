// Starts the test bridge (src-tauri/examples/bridge.rs: the desktop's commands served from the real Rust code on
// loopback) for one test file, with its own data directory and keyring service, and connects an HttpBackend to it.
//
// The binary is the one `cargo test` already builds (target/debug/examples/bridge), or $RUNSHEET_BRIDGE. Waiting
// for it is reading its "listening" line, with a deadline.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpBackend } from '../lib/backend/http';

export const REPO = resolve(__dirname, '..', '..', '..');
export const BRIDGE = process.env.RUNSHEET_BRIDGE ?? join(REPO, 'target', 'debug', 'examples', 'bridge');

export interface Bridge {
  url: string;
  backend: HttpBackend;
  home: string;
  stop(): Promise<void>;
}

export async function startBridge(env: Record<string, string> = {}): Promise<Bridge> {
  if (!existsSync(BRIDGE)) {
    throw new Error(
      `the test bridge ${BRIDGE} is not built: run \`cargo test -p runsheet-desktop --no-run\` (or set RUNSHEET_BRIDGE)`,
    );
  }
  const home = mkdtempSync(join(tmpdir(), 'runsheet-bridge-'));
  const child: ChildProcess = spawn(BRIDGE, ['--home', home], {
    env: {
      ...process.env,
      RUNSHEET_OPERATOR: 'Alex Morgan',
      RUNSHEET_KEYRING_SERVICE: `runsheet-ui-test-${process.pid}-${Math.random().toString(36).slice(2)}`,
      RUNSHEET_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the bridge did not start within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the bridge exited with ${code} before listening: ${out}`));
    });
  });
  const backend = new HttpBackend(url);
  return {
    url,
    backend,
    home,
    async stop() {
      backend.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
