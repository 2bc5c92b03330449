import { describe, expect, it } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import { truthRows } from './truth-model';

const VIP = '10.77.0.50';
const lb = (
  name: string,
  state: StatusNode['vrrp'][number]['state'],
  held: boolean,
  over: Partial<StatusNode> = {},
): StatusNode => ({
  name,
  role: 'lb',
  online: true,
  vrrp: [{ instance: 'VI_1', state, priority: 100, effectivePriority: 100 }],
  vipsHeld: held ? [VIP] : [],
  services: { nginx: { healthy: true } },
  clockOffsetMs: 0,
  keepalivedRunning: true,
  ...over,
});
const cluster = (nodes: StatusNode[]): StatusCluster => ({
  id: 'c',
  name: 'c',
  verdict: 'healthy',
  findings: [],
  vips: [
    {
      address: VIP,
      instance: 'VI_1',
      holders: nodes.filter((n) => n.vipsHeld.includes(VIP)).map((n) => n.name),
      masters: [],
    },
  ],
  nodes,
});
const codes = (c: StatusCluster) => truthRows(c).map((r) => [r.node, r.flags.map((f) => f.code)]);

describe('truth table', () => {
  it('a healthy pair has no contradiction', () => {
    expect(codes(cluster([lb('lb1', 'MASTER', true), lb('lb2', 'BACKUP', false)]))).toEqual([
      ['lb1', []],
      ['lb2', []],
    ]);
  });
  it('TR-1: MASTER without the VIP in its kernel', () => {
    expect(codes(cluster([lb('lb1', 'MASTER', false)]))).toEqual([['lb1', ['master-without-vip']]]);
  });
  it('TR-2: the VIP in two kernels, flagged on both with the other holder', () => {
    const rows = truthRows(cluster([lb('lb1', 'MASTER', true), lb('lb2', 'MASTER', true)]));
    expect(rows.map((r) => r.flags.find((f) => f.code === 'vip-in-two-kernels')?.others)).toEqual([
      'lb2',
      'lb1',
    ]);
  });
  it('TR-3: a BACKUP whose nginx is down', () => {
    const b = lb('lb2', 'BACKUP', false, { services: { nginx: { healthy: false } } });
    expect(codes(cluster([lb('lb1', 'MASTER', true), b]))[1]).toEqual([
      'lb2',
      ['backup-nginx-down'],
    ]);
  });
  it('TR-4 and TR-5: a crashed keepalived still holding the VIP, an offline agent', () => {
    const dead = lb('lb1', 'UNKNOWN', true, {
      keepalivedRunning: false,
      vrrp: [
        {
          instance: 'VI_1',
          state: 'UNKNOWN',
          priority: 100,
          effectivePriority: 100,
          lastKnown: { state: 'MASTER' },
        },
      ],
    });
    const rows = truthRows(cluster([dead, lb('lb2', 'BACKUP', false, { online: false })]));
    expect(rows[0]?.flags.map((f) => f.code)).toEqual(['vip-without-master']);
    expect(rows[0]?.claims[0]).toEqual({ instance: 'VI_1', state: 'UNKNOWN', lastKnown: 'MASTER' });
    expect(rows[1]?.flags.map((f) => f.code)).toEqual(['stale']);
  });
  it('backends: upstreams up/total for an LB, Tomcat for a backend', () => {
    const l = lb('lb1', 'MASTER', true, {
      upstreams: [
        { server: 'a', healthy: true },
        { server: 'b', healthy: false },
      ],
    });
    const web: StatusNode = {
      name: 'web1',
      role: 'backend',
      online: true,
      vrrp: [],
      vipsHeld: [],
      services: { tomcat: { healthy: true } },
      clockOffsetMs: 0,
    };
    const rows = truthRows(cluster([l, web]));
    expect(rows.map((r) => r.backends)).toEqual([
      { up: 1, total: 2 },
      { up: 1, total: 1 },
    ]);
    expect(rows[1]?.nginx).toBeNull();
  });
});
