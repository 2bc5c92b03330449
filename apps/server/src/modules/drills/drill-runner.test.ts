import { describe, expect, it } from 'vitest';
import {
  at,
  cluster,
  finish,
  harness,
  nginxOutage,
  useFakeDrillClock,
} from './drill-runner-harness';

/* The runner's phases (SPEC RN-*) on the scripted cluster of drill-runner-harness.ts. */

useFakeDrillClock();

describe('DrillRunner', () => {
  it('RN-1: no good request in the baseline fails the drill with nothing applied', async () => {
    const h = harness('nginx-outage');
    h.state.serving = null;
    expect(await finish(h)).toBe('failed');
    expect(h.faults).toEqual([]);
    expect(h.saved.at(-1)?.faultAt).toBeNull();
  });

  it('RN-2..RN-8: an nginx outage runs every phase and passes with the measured figures', async () => {
    const h = harness('nginx-outage');
    nginxOutage(h);
    expect(await finish(h)).toBe('passed');
    expect(h.faults).toEqual(['lb1']);
    expect(h.restores).toEqual(['lb1']);
    const r = h.saved.at(-1);
    expect(r?.newMaster).toBe('lb2');
    expect(r?.downtimeMs).toBeGreaterThan(4650);
    expect(r?.downtimeMs).toBeLessThan(4750);
    expect(r?.failedRequests).toBeGreaterThan(460);
    expect(r?.failedRequests).toBeLessThan(475);
    expect(r?.timeToNewMasterMs).toBe(4700);
    expect(r?.detectionMs).toBe(1400);
    expect(r?.takeoverMs).toBe(3300);
    expect(r?.checkScriptFired).toBe(true);
    expect(r?.restored).toBe(true);
    expect(r?.failback.timeMs).toBe(3700);
    expect(r?.bound?.config).toMatchObject({ advertIntMs: 1000, masterDownMs: 3648, checkFall: 2 });
    expect(r?.advice.map((a) => a.id)).toEqual(
      expect.arrayContaining(['vrrp3-subsecond', 'track-file']),
    );
    expect(r?.criteria.every((c) => c.ok)).toBe(true);
  });

  it('RN-3: a fault refused by one target restores the others and fails', async () => {
    const h = harness(
      'vrrp-partition',
      {
        fault: (node) =>
          Promise.resolve(
            node === 'lb2'
              ? { ok: false, at: null, error: 'not_permitted' }
              : { ok: true, at: Date.now() },
          ),
        restore: (node) => {
          restores.push(node);
          return Promise.resolve({ ok: true });
        },
      },
      { targets: ['lb1', 'lb2'] },
    );
    const restores: string[] = [];
    expect(await finish(h)).toBe('failed');
    expect(restores).toEqual(['lb1', 'lb2']);
  });

  it('RN-4: the fault is held for holdMs from the fault time the agent reported, not from the send', async () => {
    const restoredAt: number[] = [];
    let faultAt = 0;
    const h = harness('nginx-outage', {
      // The agent's step started 300 ms before its answer reached the server.
      fault: () => {
        faultAt = Date.now() - 300;
        return Promise.resolve({ ok: true, at: faultAt });
      },
      restore: () => {
        restoredAt.push(Date.now());
        return Promise.resolve({ ok: true });
      },
    });
    nginxOutage(h);
    await finish(h);
    expect(restoredAt).toHaveLength(1);
    const held = (restoredAt[0] ?? 0) - faultAt;
    expect(held).toBeGreaterThanOrEqual(8000);
    expect(held).toBeLessThanOrEqual(8000 + 50); // one runner tick
    const r = h.saved.at(-1);
    expect(r?.faultAt).toBe(faultAt);
    expect((r?.restoreAt ?? 0) - faultAt).toBe(held);
  });

  it('RN-5: every target gets the restore; one that does not answer is left to its deadline, recorded', async () => {
    const asked: string[] = [];
    const h = harness(
      'vrrp-partition',
      {
        restore: (node) => {
          asked.push(node);
          return Promise.resolve(node === 'lb2' ? { ok: false, error: 'timeout' } : { ok: true });
        },
      },
      { targets: ['lb1', 'lb2'] },
    );
    await finish(h);
    expect(asked).toEqual(['lb1', 'lb2']);
    const restores = (h.saved.at(-1)?.transitions ?? []).filter((x) => x.kind === 'restore');
    expect(restores.map((x) => [x.node, x.detail])).toEqual([
      ['lb1', 'restored'],
      ['lb2', "restore failed: timeout (the agent's deadline restores it)"],
    ]);
  });

  it('RN-9: the probe is started bounded by the longest the drill can last and stopped with it', async () => {
    const durations: number[] = [];
    let stops = 0;
    let started = 0;
    const h = harness('nginx-outage');
    const start = h.ports.startProbe.bind(h.ports);
    const stop = h.ports.stopProbe.bind(h.ports);
    h.ports.startProbe = (ms) => {
      durations.push(ms);
      started = Date.now();
      return start(ms);
    };
    h.ports.stopProbe = () => {
      stops++;
      return stop();
    };
    nginxOutage(h);
    expect(await finish(h)).toBe('passed');
    // baseline 1.5 s + hold 8 s + verify limit 10 s (this harness) + tail 1 s + 5 s margin.
    expect(durations).toEqual([25_500]);
    expect(stops).toBe(1);
    const r = h.saved.at(-1);
    const lastSample = Math.max(...(r?.samples.vip ?? []).map((x) => Number(x[0])));
    expect(lastSample - started).toBeLessThan(25_500);
  });

  it('RN-6: the abort button restores at once and the drill reads aborted', async () => {
    const h = harness('nginx-outage');
    at(5, () => (h.state.serving = null));
    at(1000, () => {
      h.runner.abort('aborted by alice');
      h.state.serving = 'lb1';
    });
    const status = await finish(h);
    expect(status).toBe('aborted');
    const r = h.saved.at(-1);
    expect(r?.restoreAt).toBeLessThan((r?.faultAt ?? 0) + 1200);
    expect(r?.transitions.some((x) => x.kind === 'abort')).toBe(true);
  });

  it('RN-10: the VIP unserved longer than the limit aborts automatically', async () => {
    const h = harness(
      'all-backends-down',
      {},
      { abortUnservedMs: 2000, targets: ['web1', 'web2'] },
    );
    at(5, () => (h.state.serving = null));
    at(2600, () => (h.state.serving = 'lb1'));
    expect(await finish(h)).toBe('aborted');
    const r = h.saved.at(-1);
    expect((r?.restoreAt ?? 0) - (r?.faultAt ?? 0)).toBeLessThan(2200);
  });

  it('RN-7: a steady state that never comes back reads restored false and fails', async () => {
    const h = harness('keepalived-stop');
    at(5, () => {
      h.state.cluster = cluster(['lb2'], 'STOP', 'MASTER');
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h.state.serving = 'lb2';
    });
    expect(await finish(h)).toBe('failed');
    const r = h.saved.at(-1);
    expect(r?.restored).toBe(false);
    expect(r?.criteria.find((c) => c.id === 'restored')?.detail).toContain('not lb1 alone');
  });
});
