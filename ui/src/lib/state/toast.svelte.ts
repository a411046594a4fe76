// Transient messages: errors from the backend (by code) and confirmations.

import { toBackendError, type BackendError } from '../backend/types';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  code?: BackendError['code'];
}

export const toasts = $state<Toast[]>([]);
let next = 1;

export function notify(text: string, kind: Toast['kind'] = 'info'): void {
  const t = { id: next++, kind, text };
  toasts.push(t);
  setTimeout(() => dismiss(t.id), kind === 'error' ? 8000 : 2500);
}

export function notifyError(e: unknown): BackendError {
  const err = toBackendError(e);
  const t = { id: next++, kind: 'error' as const, text: err.message, code: err.code };
  toasts.push(t);
  setTimeout(() => dismiss(t.id), 8000);
  return err;
}

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
