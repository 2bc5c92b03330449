import { describe, expect, it } from 'vitest';
import type { DrillBound, StatusCluster } from '@keepwatch/shared';
import { boundMargin, evaluate, type EvaluateInput } from './drill-evaluate';
import type { Measurement } from './drill-measure';
import { steadyState } from './steady-state';

/* SPEC.md SS-1 (steady state) and EV-1 / EV-2 (the bound's margin, pass only on every criterion). */

const VIP = '10.77.0.50';
const PLAN = { vip: VIP, instance: 'VI_1', master: 'lb1' };

function lab(over: { holders?: string[]; lb2?: string } = {}): StatusCluster {
  const lb = (name: string, state: string) => ({
    name,
    role: 'lb' as const,
    online: true,
    vrrp: [{ instance: 'VI_1', state: state as 'MASTER', priority: 100, effectivePriority: 100 }],
    vipsHeld: [],
    services: { nginx: { healthy: true }, keepalived: { healthy: true } },
    clockOffsetMs: 0,
    keepalivedRunning: true,
  });
  return {
    id: 'lab',
    name: 'lab',
    verdict: 'healthy',
    findings: [],
    vips: [{ address: VIP, instance: 'VI_1', holders: over.holders ?? ['lb1'], masters: [] }],
    nodes: [
      lb('lb1', 'MASTER'),
      lb('lb2', over.lb2 ?? 'BACKUP'),
      {
        name: 'web1',
        role: 'backend',
        online: true,
        vrrp: [],
        vipsHeld: [],
        services: { tomcat: { healthy: true } },
        clockOffsetMs: 0,
      },
    ],
  };
}

describe('SS-1 steady state', () => {
  it('SS-1: the VIP on the original MASTER only and every service up is steady', () => {
    expect(steadyState(lab(), PLAN)).toEqual({
      ok: true,
      detail: `VIP ${VIP} back on lb1 only, every service up`,
    });
  });

  it('SS-1: no fail-back, two holders, an unknown cluster are not steady', () => {
    expect(steadyState(lab({ holders: ['lb2'], lb2: 'MASTER' }), PLAN).ok).toBe(false);
    expect(steadyState(lab({ holders: ['lb1', 'lb2'] }), PLAN).detail).toContain(
      'held by [lb1, lb2], not lb1 alone',
    );
    expect(steadyState(undefined, PLAN)).toEqual({ ok: false, detail: 'the cluster is not known' });
  });

  it('SS-1: each host offline, nginx, keepalived or a backend down, or a wrong VRRP role is named', () => {
    const c = lab({ lb2: 'FAULT' });
    const [lb1, lb2, web1] = c.nodes;
    if (!lb1 || !lb2 || !web1) throw new Error('lab nodes');
    lb1.services.nginx = { healthy: false };
    lb1.keepalivedRunning = false;
    web1.services.tomcat = { healthy: false };
    const r = steadyState(c, PLAN);
    expect(r.ok).toBe(false);
    expect(r.detail.split('; ')).toEqual([
      'lb1: nginx down',
      'lb1: keepalived not running',
      'lb2: VRRP FAULT, expected BACKUP',
      'web1: backend down',
    ]);
    lb2.online = false;
    expect(steadyState(c, PLAN).detail).toContain('lb2 offline');
  });
});

const m = (over: Partial<Measurement> = {}): Measurement => ({
  totalRequests: 1000,
  failedRequests: 470,
  downtimeMs: 4700,
  outage: { from: 1005, to: 5705, failed: 470, closed: true },
  answeredBy: { lb1: 300, lb2: 230 },
  newMaster: 'lb2',
  timeToNewMasterMs: 4700,
  detectionMs: 1400,
  takeoverMs: 3300,
  convergenceMs: 0,
  failback: { disruptionMs: 0, failedRequests: 0, timeMs: 3700 },
  splitBrainSeen: false,
  checkScriptFired: true,
  ...over,
});

const bound = (highMs: number): DrillBound =>
  ({ expectedMs: highMs - 500, lowMs: highMs - 1000, highMs, parts: [], config: {} }) as never;

const input = (over: Partial<EvaluateInput> = {}): EvaluateInput => ({
  kind: 'nginx-outage',
  m: m(),
  bound: bound(4800),
  oldMaster: 'lb1',
  restored: true,
  restoreDetail: 'steady',
  transitions: [],
  faultAt: 1000,
  probeIntervalMs: 10,
  probeTimeoutMs: 200,
  holdMs: 8000,
  ...over,
});

const crit = (e: EvaluateInput, id: string) => evaluate(e).criteria.find((c) => c.id === id);

describe('EV-1 / EV-2 evaluation', () => {
  it('EV-1: downtime-bound holds up to the bound high end plus two probe intervals', () => {
    expect(boundMargin(10)).toBe(20);
    expect(crit(input({ m: m({ downtimeMs: 4820 }) }), 'downtime-bound')?.ok).toBe(true);
    expect(crit(input({ m: m({ downtimeMs: 4821 }) }), 'downtime-bound')?.ok).toBe(false);
    expect(
      crit(input({ m: m({ downtimeMs: 4840 }), probeIntervalMs: 20 }), 'downtime-bound')?.ok,
    ).toBe(true);
    // No bound from the config: the criterion cannot fail on it.
    expect(crit(input({ bound: null, m: m({ downtimeMs: 99_999 }) }), 'downtime-bound')?.ok).toBe(
      true,
    );
  });

  it('EV-2: a drill passes only when every criterion of its kind holds', () => {
    const good = evaluate(input());
    expect(good.criteria.map((c) => c.id)).toEqual([
      'failover',
      'served',
      'downtime-bound',
      'no-split',
      'restored',
    ]);
    expect(good.criteria.every((c) => c.ok)).toBe(true);
    expect(good.passed).toBe(true);
    for (const bad of [
      input({ restored: false }),
      input({ m: m({ newMaster: null }) }),
      input({ m: m({ splitBrainSeen: true }) }),
      input({ m: m({ downtimeMs: 9000 }) }),
    ]) {
      const e = evaluate(bad);
      expect(e.criteria.filter((c) => !c.ok)).toHaveLength(1);
      expect(e.passed).toBe(false);
    }
  });
});
