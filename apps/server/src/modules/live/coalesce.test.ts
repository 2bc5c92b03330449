import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from './coalesce';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalesce', () => {
  it('runs the first call of a quiet spell on the next turn, not after the window', async () => {
    const fn = vi.fn();
    const c = coalesce(fn, 250);
    c();
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('collapses a burst into one run at the end of the window, then is quiet again', async () => {
    const fn = vi.fn();
    const c = coalesce(fn, 250);
    c();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 1000; i++) c();
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    // Nothing pending: the next window passes without a run, and a later call runs at once.
    await vi.advanceTimersByTimeAsync(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    c();
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('a call before the first run is part of it; cancel drops what is pending', async () => {
    const fn = vi.fn();
    const c = coalesce(fn, 250);
    c();
    c();
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fn).toHaveBeenCalledTimes(1);
    c();
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(2);
    c();
    c.cancel();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
