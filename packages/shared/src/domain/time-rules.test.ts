import { describe, expect, it } from 'vitest';
import { deriveCluster } from './cluster-status';
import type { NodeView } from './node-view';

const VIP = '10.77.0.50';

function lb(name: string, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    role: 'lb',
    online: true,
    vrrp: [
      { instance: 'VI_1', state: 'MASTER', priority: 100, effectivePriority: 100, vips: [VIP] },
    ],
    addresses: [VIP],
    services: {},
    keepalivedRunning: true,
    clockOffsetMs: 0,
    ...over,
  };
}

const derive = (node: NodeView, now: number, thresholds = {}) =>
  deriveCluster({
    id: 'c',
    name: 'C',
    nodes: [node],
    knownVips: [],
    now,
    thresholds,
  }).findings.filter((f) => f.rule !== 'NO_FAILOVER_PEER');

describe('time-based rules', () => {
  it('SA-1: no frame for more than 15 s makes an online agent stale, not before', () => {
    expect(derive(lb('lb1', { lastSeen: 0 }), 15_000)).toEqual([]);
    expect(derive(lb('lb1', { lastSeen: 0 }), 15_001)).toEqual([
      {
        rule: 'AGENT_STALE',
        severity: 'warning',
        message: 'no message from the agent on lb1 for 15 s (frozen host or agent?)',
        nodes: ['lb1'],
        code: 'SA-1',
        args: { node: 'lb1', seconds: 15 },
      },
    ]);
    expect(
      derive(lb('lb1', { lastSeen: 0, online: false }), 60_000).map((f) => f.rule),
    ).not.toContain('AGENT_STALE');
  });

  it('CS-1: the clock skew limit is configurable', () => {
    expect(derive(lb('lb1', { clockOffsetMs: 300 }), 0)).toEqual([]);
    expect(
      derive(lb('lb1', { clockOffsetMs: -300 }), 0, { clockSkewMs: 200 }).map((f) => f.message),
    ).toEqual(["the clock of lb1 is 300 ms behind the server's"]);
  });

  it('FL-1: 4 state changes of one instance within 5 min is flapping; older ones do not count', () => {
    const at = (...ts: number[]) => ts.map((t) => ({ instance: 'VI_1', at: t }));
    const now = 400_000;
    expect(derive(lb('lb1', { transitions: at(10_000, 200_000, 300_000, 390_000) }), now)).toEqual(
      [],
    );
    expect(derive(lb('lb1', { transitions: at(150_000, 200_000, 300_000, 390_000) }), now)).toEqual(
      [
        {
          rule: 'FLAPPING',
          severity: 'warning',
          message: 'VI_1 on lb1 changed state 4 times in 5 min',
          nodes: ['lb1'],
          code: 'FL-1',
          args: { instance: 'VI_1', node: 'lb1', count: 4, minutes: 5 },
        },
      ],
    );
  });

  it('KM-1: keepalived MASTER whose kernel lacks the VIP', () => {
    expect(derive(lb('lb1', { addresses: [] }), 0)).toEqual([
      {
        rule: 'MASTER_WITHOUT_VIP',
        severity: 'critical',
        message: 'keepalived on lb1 is MASTER for VI_1 but its kernel does not hold 10.77.0.50',
        nodes: ['lb1'],
        vip: VIP,
        code: 'KM-1',
        args: { node: 'lb1', instance: 'VI_1', vip: VIP },
      },
      {
        rule: 'VIP_UNSERVED',
        severity: 'critical',
        message: '10.77.0.50 (VI_1) is not held by any node: clients cannot reach it',
        vip: VIP,
        code: 'VU-1',
        args: { vip: VIP, instance: 'VI_1' },
      },
    ]);
  });
});
