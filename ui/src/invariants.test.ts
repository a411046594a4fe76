// Architecture invariants of the UI, checked over the source tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte|css)$/.test(f) ? [p] : [];
  });
}

describe('ui invariants', () => {
  it('only src/lib/backend/ (and the generated bindings) import @tauri-apps/*', () => {
    const offenders = files(SRC)
      .map((p) => relative(SRC, p))
      .filter((p) => !p.startsWith('lib/backend/') && p !== 'lib/bindings.ts' && !p.endsWith('.test.ts'))
      .filter((p) => /from\s+['"]@tauri-apps\//.test(readFileSync(join(SRC, p), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('loads nothing from the network (no remote URLs in styles or markup)', () => {
    const offenders = files(SRC)
      .filter((p) => /\.(svelte|css)$/.test(p))
      .filter((p) => /(url\(\s*['"]?https?:|(src|href)=["']https?:|@import\s+['"]?https?:)/.test(readFileSync(p, 'utf8')))
      .map((p) => relative(SRC, p));
    expect(offenders).toEqual([]);
  });

  it('renders no checklist text as HTML', () => {
    const offenders = files(SRC)
      .filter((p) => p.endsWith('.svelte') && readFileSync(p, 'utf8').includes('{@html'))
      .map((p) => relative(SRC, p));
    expect(offenders).toEqual([]);
  });
});
