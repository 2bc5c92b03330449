import { describe, expect, it } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import { failoverReadiness } from './failover-model';

const lb = (name: string, state: string, over: Partial<StatusNode> = {}): StatusNode => ({
  name,
  role: 'lb',
  online: true,
  vrrp: [
    {
      instance: 'VI_1',
      state: state as 'MASTER',
      priority: 100,
      effectivePriority: name === 'lb1' ? 100 : 90,
    },
  ],
  vipsHeld: [],
  services: { nginx: { healthy: true } },
  clockOffsetMs: 0,
  keepalivedRunning: true,
  ...over,
});
const cluster = (nodes: StatusNode[], holders: string[]): StatusCluster => ({
  id: 'c',
  name: 'c',
  verdict: 'healthy',
  findings: [],
  vips: [{ address: '10.0.0.50', instance: 'VI_1', holders, masters: [] }],
  nodes,
});

describe('will it fail over?', () => {
  it('yes for a healthy MASTER/BACKUP pair', () => {
    const [r] = failoverReadiness(cluster([lb('lb1', 'MASTER'), lb('lb2', 'BACKUP')], ['lb1']));
    expect(r?.ready).toBe(true);
  });

  it('no when the holder’s keepalived crashed (the kernel keeps the VIP), even with a ready BACKUP', () => {
    const crashed = lb('lb1', 'UNKNOWN', { keepalivedRunning: false });
    const [r] = failoverReadiness(cluster([crashed, lb('lb2', 'BACKUP')], ['lb1']));
    expect(r?.ready).toBe(false);
    expect(r?.checks.find((c) => !c.ok)?.id).toBe('holderDead');
  });

  it('no when no BACKUP is ready', () => {
    const [r] = failoverReadiness(
      cluster([lb('lb1', 'MASTER'), lb('lb2', 'UNKNOWN', { keepalivedRunning: false })], ['lb1']),
    );
    expect(r?.checks.map((c) => c.id)).toContain('noPeer');
    expect(r?.ready).toBe(false);
  });
});
