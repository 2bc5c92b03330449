import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DrillKind, DrillReport, KeepalivedConfig, StatusCluster } from '@keepwatch/shared';
import { parseKeepalivedConfig } from '@keepwatch/shared';
import { DrillRunner, type RunnerPlan, type RunnerPorts } from './drill-runner';

/*
 * The state machine on fake timers (vi.useFakeTimers: `now` and `sleep` are both fake): a
 * scripted cluster answers the runner's ports the way the lab would.
 */

const KA = (prio: number, state: string): string =>
  [
    'global_defs {',
    '  vrrp_version 2',
    '}',
    'vrrp_script chk_nginx {',
    '  script "/bin/true"',
    '  interval 1',
    '  timeout 1',
    '  fall 2',
    '  rise 2',
    '  weight -20',
    '}',
    'vrrp_instance VI_1 {',
    `  state ${state}`,
    '  interface eth0',
    '  virtual_router_id 51',
    `  priority ${prio}`,
    '  advert_int 1',
    '  virtual_ipaddress {',
    '    10.77.0.50/24',
    '  }',
    '  track_script {',
    '    chk_nginx',
    '  }',
    '}',
  ].join('\n');

function cluster(holders: string[], lb1 = 'MASTER', lb2 = 'BACKUP'): StatusCluster {
  const lb = (name: string, state: string) => ({
    name,
    role: 'lb' as const,
    online: true,
    vrrp: [{ instance: 'VI_1', state: state as 'MASTER', priority: 100, effectivePriority: 100 }],
    vipsHeld: holders.includes(name) ? ['10.77.0.50'] : [],
    services: { nginx: { healthy: true }, keepalived: { healthy: true } },
    clockOffsetMs: 0,
    keepalivedRunning: true,
  });
  return {
    id: 'lab',
    name: 'lab',
    verdict: 'healthy',
    findings: [],
    vips: [{ address: '10.77.0.50', instance: 'VI_1', holders, masters: [] }],
    nodes: [lb('lb1', lb1), lb('lb2', lb2)],
  };
}

interface Harness {
  ports: RunnerPorts;
  runner: DrillRunner;
  state: { cluster: StatusCluster; serving: 'lb1' | 'lb2' | null };
  faults: string[];
  restores: string[];
  saved: DrillReport[];
}

function harness(
  kind: DrillKind,
  over: Partial<RunnerPorts> = {},
  plan: Partial<RunnerPlan> = {},
): Harness {
  const state: Harness['state'] = { cluster: cluster(['lb1']), serving: 'lb1' };
  const faults: string[] = [];
  const restores: string[] = [];
  const saved: DrillReport[] = [];
  const configs: Record<string, KeepalivedConfig> = {
    lb1: parseKeepalivedConfig(KA(100, 'MASTER')),
    lb2: parseKeepalivedConfig(KA(90, 'BACKUP')),
  };
  let probe: NodeJS.Timeout | undefined;
  const ref: { runner?: DrillRunner } = {};
  const ports: RunnerPorts = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    cluster: () => state.cluster,
    fault: (node) => {
      faults.push(node);
      return Promise.resolve({ ok: true, at: Date.now() });
    },
    restore: (node) => {
      restores.push(node);
      return Promise.resolve({ ok: true });
    },
    startProbe: () => {
      probe = setInterval(() => {
        const t = Date.now();
        ref.runner?.addSamples('vip', [
          state.serving ? [t, 1, 200, state.serving] : [t, 0.2, 'refused', null],
        ]);
      }, 10);
      return Promise.resolve();
    },
    stopProbe: () => {
      clearInterval(probe);
      return Promise.resolve();
    },
    keepalivedConfig: (node) => configs[node],
    vrrpInterface: () => 'eth0',
    save: (u) => saved.push(structuredClone(u.report)),
    emit: () => undefined,
    ...over,
  };
  const runner = new DrillRunner(
    {
      id: 'd1',
      clusterId: 'lab',
      kind,
      vip: '10.77.0.50',
      instance: 'VI_1',
      master: 'lb1',
      targets: ['lb1'],
      probeFrom: 'server',
      holdMs: 8000,
      probeIntervalMs: 10,
      probeTimeoutMs: 200,
      abortUnservedMs: 30_000,
      ...plan,
    },
    ports,
    { verifyTimeoutMs: 10_000 },
  );
  ref.runner = runner;
  return { ports, runner, state, faults, restores, saved };
}

/** Runs `fn` at `ms` after the fault (the fault is applied 1.5 s after start). */
function at(ms: number, fn: () => void): void {
  setTimeout(fn, 1500 + ms);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function finish(h: Harness): Promise<string> {
  const p = h.runner.run();
  await vi.advanceTimersByTimeAsync(60_000);
  return p;
}

/** The lab's nginx outage: refused for 4.7 s, then lb2 serves; fail-back on restore. */
function nginxOutage(h: Harness): void {
  at(5, () => (h.state.serving = null));
  at(1400, () =>
    h.runner.addTransition({
      at: Date.now(),
      node: 'lb1',
      kind: 'check-script',
      detail: 'priority 100 → 80',
    }),
  );
  at(4700, () => {
    h.runner.addTransition({ at: Date.now(), node: 'lb2', kind: 'vip-add', detail: '10.77.0.50' });
    h.runner.addTransition({
      at: Date.now() + 1,
      node: 'lb1',
      kind: 'vip-del',
      detail: '10.77.0.50',
    });
    h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    h.state.serving = 'lb2';
  });
  at(8000 + 3700, () => {
    h.runner.addTransition({ at: Date.now(), node: 'lb1', kind: 'vip-add', detail: '10.77.0.50' });
    h.runner.addTransition({ at: Date.now(), node: 'lb2', kind: 'vip-del', detail: '10.77.0.50' });
    h.state.cluster = cluster(['lb1']);
    h.state.serving = 'lb1';
  });
}

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

  it('SB-1: a 1 ms takeover overlap is no split brain; two holders for 500 ms are', async () => {
    const h = harness('nginx-outage');
    nginxOutage(h);
    await finish(h);
    expect(h.saved.at(-1)?.splitBrainSeen).toBe(false);
    const h2 = harness('vrrp-partition', {}, { targets: ['lb1', 'lb2'] });
    at(3000, () => {
      h2.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h2.state.cluster = cluster(['lb1', 'lb2'], 'MASTER', 'MASTER');
    });
    at(8500, () => {
      h2.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-del',
        detail: '10.77.0.50',
      });
      h2.state.cluster = cluster(['lb1']);
    });
    expect(await finish(h2)).toBe('passed');
    const r = h2.saved.at(-1);
    expect(r?.splitBrainSeen).toBe(true);
    expect(r?.findings.map((f) => f.code)).toContain('split-brain');
    expect(r?.advice.map((a) => a.id)).toContain('higher-prio-send-advert');
  });

  it('EV-3: a keepalived crash that leaves the VIP in the dead kernel is a finding, never a pass', async () => {
    const h = harness('keepalived-crash');
    at(20, () => (h.state.serving = null));
    at(3600, () => {
      h.runner.addTransition({ at: Date.now(), node: 'lb2', kind: 'vrrp', detail: 'MASTER 90' });
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h.state.cluster = cluster(['lb1', 'lb2'], 'UNKNOWN', 'MASTER');
      h.state.serving = 'lb2';
    });
    at(8100, () => {
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb1',
        kind: 'vip-del',
        detail: '10.77.0.50',
      });
      h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    });
    at(11_800, () => {
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb1',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-del',
        detail: '10.77.0.50',
      });
      h.state.cluster = cluster(['lb1']);
      h.state.serving = 'lb1';
    });
    expect(await finish(h)).toBe('failed');
    const r = h.saved.at(-1);
    expect(r?.findings.find((f) => f.code === 'stale-vip')?.severity).toBe('critical');
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(false);
    expect(r?.newMaster).toBe('lb2');
    expect(r?.restored).toBe(true);
  });

  /**
   * The lab's link-down on lb1: its agent is cut off with the link (the restore cannot reach
   * it), the server's view keeps lb1's last report (VIP held) while lb2 takes over; when the
   * link is back the agent's outbox replays what happened meanwhile. `vip`: keepalived
   * removed the VIP 40 ms after the link went down (what the lab shows), the VIP stayed until
   * after the link was up, or it stayed with both kernels holding it once the link was up.
   */
  function linkDown(h: Harness, vip: 'removed' | 'kept' | 'kept-after-up'): void {
    const faultAt = 1_800_000_000_000 + 1500;
    at(5, () => (h.state.serving = null));
    at(3000, () => {
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h.state.cluster = cluster(['lb1', 'lb2'], 'MASTER', 'MASTER');
      h.state.serving = 'lb2';
    });
    at(8600, () => {
      h.runner.linkReport('lb1', true, faultAt + 2);
      const del = (t: number) =>
        h.runner.addTransition({ at: t, node: 'lb1', kind: 'vip-del', detail: '10.77.0.50' });
      if (vip === 'removed') del(faultAt + 40);
      h.runner.linkReport('lb1', false, faultAt + 8001);
      if (vip === 'kept') del(faultAt + 8050);
      if (vip !== 'kept-after-up') h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    });
    at(11_700, () => {
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb1',
        kind: 'vip-add',
        detail: '10.77.0.50',
      });
      h.runner.addTransition({
        at: Date.now(),
        node: 'lb2',
        kind: 'vip-del',
        detail: '10.77.0.50',
      });
      h.state.cluster = cluster(['lb1']);
      h.state.serving = 'lb1';
    });
  }

  const cutOff = {
    restore: (node: string) =>
      Promise.resolve(node === 'lb1' ? { ok: false, error: 'timeout' } : { ok: true }),
  };

  it('SB-2/EV-4: a cut-off MASTER whose keepalived removed the VIP is no second holder: passed', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'removed');
    expect(await finish(h)).toBe('passed');
    const r = h.saved.at(-1);
    expect(r?.transitions.some((x) => x.kind === 'split-brain')).toBe(false);
    expect(r?.splitBrainSeen).toBe(false);
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    const link = r?.transitions.find((x) => x.kind === 'link-down');
    expect(link).toMatchObject({ node: 'lb1', at: r?.faultAt });
    expect(link?.detail).toContain("lb1's eth0 is down");
    const f = r?.findings.find((x) => x.code === 'vip-removed-on-link-down');
    expect(f?.text.en).toContain(
      'keepalived on lb1 removed the VIP 0.040 s after its link went down',
    );
    expect(f?.text['zh-CN']).toContain('移除了 VIP');
    expect(r?.findings.map((x) => x.code)).not.toContain('vip-on-downed-link');
    expect(r?.newMaster).toBe('lb2');
  });

  it('SB-2/EV-4: a VIP left on the downed link until the link is back is a finding, no split', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'kept');
    expect(await finish(h)).toBe('passed');
    const r = h.saved.at(-1);
    expect(r?.transitions.some((x) => x.kind === 'split-brain')).toBe(false);
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    const f = r?.findings.find((x) => x.code === 'vip-on-downed-link');
    expect(f?.severity).toBe('warning');
    expect(f?.text.en).toContain("on lb1's downed link for 8.001 s, until the link was back");
    expect(f?.text['zh-CN']).toContain('已断开的网卡');
  });

  it('SB-2: once the link is back, two live holders for 500 ms are a split brain again', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'kept-after-up');
    expect(await finish(h)).toBe('failed');
    const r = h.saved.at(-1);
    expect(r?.transitions.find((x) => x.kind === 'split-brain')?.detail).toContain('lb1, lb2');
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(false);
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
