import { describe, expect, it } from 'vitest';
import type { ExecFn, ExecResult, StreamOptions, spawnLines } from './exec';
import { silentLogger } from './log';
import type { Observation } from './observations';
import { VipCollector } from './vip-collector';

const link = (addrs: Array<[string, number]>) =>
  JSON.stringify([
    {
      ifname: 'lo',
      flags: ['LOOPBACK'],
      addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
    },
    {
      ifname: 'eth0',
      flags: ['UP'],
      addr_info: addrs.map(([local, prefixlen]) => ({ family: 'inet', local, prefixlen })),
    },
  ]);

/** A fake `ip`: `ip -j addr` answers with the current kernel state; the monitor is driven by the test. */
function fakeIp() {
  let kernel: Array<[string, number]> = [['10.77.0.12', 24]];
  let monitor: StreamOptions | undefined;
  let endMonitor: ((r: ExecResult) => void) | undefined;
  let spawns = 0;
  const exec: ExecFn = () =>
    Promise.resolve({ code: 0, signal: null, stdout: link(kernel), stderr: '', durationMs: 1 });
  const spawn: typeof spawnLines = (_argv, opts) => {
    spawns++;
    monitor = opts;
    return { pid: 1, done: new Promise<ExecResult>((r) => (endMonitor = r)) };
  };
  return {
    exec,
    spawn,
    set: (k: Array<[string, number]>) => (kernel = k),
    line: (l: string, ts: number) => monitor?.onLine(l, ts),
    die: () => endMonitor?.({ code: 1, signal: null, stdout: '', stderr: 'gone', durationMs: 1 }),
    spawns: () => spawns,
  };
}

function observed() {
  const list: Observation[] = [];
  let wake: (() => void) | undefined;
  const emit = (o: Observation): void => {
    list.push(o);
    wake?.();
  };
  const until = async (n: number): Promise<void> => {
    while (list.length < n) await new Promise<void>((r) => (wake = r));
  };
  return { list, emit, until };
}

describe('VipCollector', () => {
  it('snapshots at start, then diffs on every monitor line with the line read time', async () => {
    const ip = fakeIp();
    const o = observed();
    const ac = new AbortController();
    const c = new VipCollector({ exec: ip.exec, spawn: ip.spawn, log: silentLogger, emit: o.emit });
    await c.start(ac.signal);
    expect(o.list[0]).toMatchObject({ kind: 'addresses', added: [], removed: [] });
    ip.set([
      ['10.77.0.12', 24],
      ['10.77.0.50', 24],
    ]);
    ip.line(
      '2: eth0    inet 10.77.0.50/24 scope global secondary eth0\\       valid_lft forever',
      1234,
    );
    await o.until(2);
    expect(o.list[1]).toMatchObject({
      kind: 'addresses',
      ts: 1234,
      added: [{ address: '10.77.0.50', prefix: 24, interface: 'eth0' }],
      removed: [],
    });
    ip.set([['10.77.0.12', 24]]);
    ip.line('Deleted 2: eth0    inet 10.77.0.50/24 scope global secondary eth0', 1300);
    await o.until(3);
    expect(o.list[2]).toMatchObject({ ts: 1300, removed: [{ address: '10.77.0.50' }] });
    // IPv6 noise and no-op events emit nothing.
    ip.line('2: eth0    inet6 fe80::1/64 scope link', 1400);
    ac.abort();
    ip.die();
    await c.stopped();
    expect(o.list).toHaveLength(3);
  });

  it('emits a line naming its address before the re-read, which then corrects what it got wrong', async () => {
    const ip = fakeIp();
    const o = observed();
    const ac = new AbortController();
    let release: (() => void) | undefined;
    let gated = false;
    const reads: ExecFn = (argv, opts) =>
      gated
        ? new Promise((r) => (release = () => void ip.exec(argv, opts).then(r)))
        : ip.exec(argv, opts);
    const c = new VipCollector({ exec: reads, spawn: ip.spawn, log: silentLogger, emit: o.emit });
    await c.start(ac.signal);
    gated = true;
    // The kernel has no such address: the line was wrong (or already undone).
    ip.line('2: eth0    inet 10.77.0.50/24 scope global secondary eth0', 1234);
    // Emitted from the line alone: the re-read has not answered.
    expect(release).toBeDefined();
    expect(o.list[1]).toMatchObject({
      ts: 1234,
      added: [{ address: '10.77.0.50', prefix: 24, interface: 'eth0' }],
      removed: [],
    });
    release?.();
    await o.until(3);
    expect(o.list[2]).toMatchObject({ ts: 1234, added: [], removed: [{ address: '10.77.0.50' }] });
    expect(c.addresses.map((a) => a.address)).toEqual(['10.77.0.12']);
    ac.abort();
    ip.die();
    await c.stopped();
  });

  it('restarts ip monitor when it dies, and re-reads what it may have missed', async () => {
    const ip = fakeIp();
    const o = observed();
    const ac = new AbortController();
    const c = new VipCollector({
      exec: ip.exec,
      spawn: ip.spawn,
      log: silentLogger,
      emit: o.emit,
      backoffMs: { base: 1, max: 2 },
    });
    await c.start(ac.signal);
    ip.set([['10.77.0.13', 24]]);
    ip.die();
    await o.until(2);
    expect(o.list[1]).toMatchObject({
      added: [{ address: '10.77.0.13' }],
      removed: [{ address: '10.77.0.12' }],
    });
    expect(ip.spawns()).toBe(2);
    ac.abort();
    ip.die();
    await c.stopped();
  });
});
