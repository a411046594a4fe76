// What a drop onto the window does: a .pdf is verified, anything else is imported as a checklist. Both HTML5
// drops (file contents) and the shell's path drops end here; the outcome is kept for the screen that shows it.

import { backend } from '../backend';
import type { ImportOutcome, VerifyResult } from '../backend/types';
import { go } from './nav.svelte';
import { notifyError } from './toast.svelte';

export const dropped = $state<{
  importOutcome: ImportOutcome | null;
  importName: string | null;
  verify: VerifyResult | null;
  verifyName: string | null;
  libraryVersion: number;
}>({ importOutcome: null, importName: null, verify: null, verifyName: null, libraryVersion: 0 });

const isPdf = (name: string) => /\.pdf$/i.test(name);

export async function importOutcome(name: string, p: Promise<ImportOutcome>): Promise<void> {
  try {
    dropped.importOutcome = await p;
    dropped.importName = name;
    dropped.libraryVersion++;
    go('library');
  } catch (e) {
    notifyError(e);
  }
}

export async function verifyOutcome(name: string, p: Promise<VerifyResult>): Promise<void> {
  try {
    dropped.verify = null;
    dropped.verify = await p;
    dropped.verifyName = name;
    go('verify');
  } catch (e) {
    notifyError(e);
  }
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export async function dropFiles(files: File[]): Promise<void> {
  for (const f of files) {
    if (isPdf(f.name)) await verifyOutcome(f.name, backend().verifyPdfBytes(f.name, toBase64(await f.arrayBuffer())));
    else await importOutcome(f.name, backend().importChecklistText(f.name, await f.text()));
  }
}

export async function dropPaths(paths: string[]): Promise<void> {
  for (const p of paths) {
    const name = p.split(/[\\/]/).pop() ?? p;
    if (isPdf(p)) await verifyOutcome(name, backend().verifyPdfFile(p));
    else await importOutcome(name, backend().importChecklistFile(p));
  }
}
