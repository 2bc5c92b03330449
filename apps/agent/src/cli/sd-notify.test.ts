import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecFn } from '../exec';
import { createLogger } from '../log';
import { startSdNotify, watchdogIntervalMs } from './sd-notify';

const log = createLogger({ sink: () => undefined });

function fakeExec(): { exec: ExecFn; calls: string[][] } {
  const calls: string[][] = [];
  const exec: ExecFn = (argv) => {
    calls.push([...argv]);
    return Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '', durationMs: 1 });
  };
  return { exec, calls };
}

afterEach(() => vi.useRealTimers());

describe('systemd notify', () => {
  it('pings at half the watchdog period', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    expect(watchdogIntervalMs({})).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' })).toBeUndefined();
  });

  it('does nothing without NOTIFY_SOCKET', () => {
    const { exec, calls } = fakeExec();
    startSdNotify({ WATCHDOG_USEC: '30000000' }, exec, log)();
    expect(calls).toEqual([]);
  });

  it('sends READY=1 at once, then WATCHDOG=1 every WatchdogSec/2 until stopped', () => {
    vi.useFakeTimers();
    const { exec, calls } = fakeExec();
    const stop = startSdNotify(
      { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' },
      exec,
      log,
    );
    expect(calls).toEqual([['systemd-notify', '--ready']]);
    vi.advanceTimersByTime(15_000 * 2);
    expect(calls.slice(1)).toEqual([
      ['systemd-notify', 'WATCHDOG=1'],
      ['systemd-notify', 'WATCHDOG=1'],
    ]);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(3);
  });
});
