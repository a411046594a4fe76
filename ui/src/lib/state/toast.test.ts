import { afterEach, describe, expect, it, vi } from 'vitest';
import { dismiss, notify, notifyError, toasts } from './toast.svelte';

describe('toasts', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps the error code and expires by itself', () => {
    vi.useFakeTimers();
    notify('saved');
    const err = notifyError({ code: 'KeyringUnavailable', message: 'no Secret Service' });
    expect(err.code).toBe('KeyringUnavailable');
    expect(toasts.map((t) => t.code)).toEqual([undefined, 'KeyringUnavailable']);
    vi.advanceTimersByTime(3000);
    // Info goes first; errors stay longer.
    expect(toasts.map((t) => t.kind)).toEqual(['error']);
    vi.advanceTimersByTime(6000);
    expect(toasts.length).toBe(0);
  });

  it('turns foreign rejections into Internal', () => {
    expect(notifyError(new Error('boom')).code).toBe('Internal');
    dismiss(toasts[0].id);
    expect(toasts.length).toBe(0);
  });
});
