import { afterEach, beforeEach, vi } from 'vitest';
import type { DrillKind, DrillReport, KeepalivedConfig, StatusCluster } from '@keepwatch/shared';
import { parseKeepalivedConfig } from '@keepwatch/shared';
import { DrillRunner, type RunnerPlan, type RunnerPorts } from './drill-runner';

/*
 * The runner's test harness (drill-runner*.test.ts): the state machine on fake timers
 * (vi.useFakeTimers: `now` and `sleep` are both fake), a scripted cluster answering the
 * runner's ports the way the lab would. The app-level fakes (agents over the socket) are
 * drill-test-agents.ts.
 */

export const T0 = 1_800_000_000_000;

/** Fake timers from T0 around each test of the file. */
export function useFakeDrillClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

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

export function cluster(holders: string[], lb1 = 'MASTER', lb2 = 'BACKUP'): StatusCluster {
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

export interface Harness {
  ports: RunnerPorts;
  runner: DrillRunner;
  state: { cluster: StatusCluster; serving: 'lb1' | 'lb2' | null };
  faults: string[];
  restores: string[];
  saved: DrillReport[];
}

export function harness(
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
export function at(ms: number, fn: () => void): void {
  setTimeout(fn, 1500 + ms);
}

export async function finish(h: Harness): Promise<string> {
  const p = h.runner.run();
  await vi.advanceTimersByTimeAsync(60_000);
  return p;
}

/** The kernel's VIP appearing on (`vip-add`) or leaving (`vip-del`) `node`, `dt` ms from now. */
export function vip(h: Harness, node: string, kind: 'vip-add' | 'vip-del', dt = 0): void {
  h.runner.addTransition({ at: Date.now() + dt, node, kind, detail: '10.77.0.50' });
}

/** The lab's nginx outage: refused for 4.7 s, then lb2 serves; fail-back on restore. */
export function nginxOutage(h: Harness): void {
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
    vip(h, 'lb2', 'vip-add');
    vip(h, 'lb1', 'vip-del', 1);
    h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    h.state.serving = 'lb2';
  });
  at(8000 + 3700, () => {
    vip(h, 'lb1', 'vip-add');
    vip(h, 'lb2', 'vip-del');
    h.state.cluster = cluster(['lb1']);
    h.state.serving = 'lb1';
  });
}
