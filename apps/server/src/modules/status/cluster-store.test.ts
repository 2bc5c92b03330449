import { describe, expect, it } from 'vitest';
import type { AgentHello } from '@keepwatch/shared';
import { CLOCK_PATCH_MS, ClusterStore, MAX_KNOWN_VIPS } from './cluster-store';
import { NODE_LIMITS } from './node-state';

const identity = (name: string, cluster = 'lab'): AgentHello['node'] => ({
  name,
  role: 'lb',
  cluster: { id: cluster, name: cluster.toUpperCase() },
});

describe('ClusterStore', () => {
  it('remembers VIPs from VRRP config so a dead keepalived does not hide them', () => {
    const store = new ClusterStore(() => 0);
    store.hello('a1', identity('lb1'), 0);
    store.apply(
      'a1',
      {
        type: 'snapshot',
        seq: 1,
        ts: 1,
        vrrp: [
          {
            instance: 'VI_1',
            state: 'MASTER',
            priority: 100,
            effectivePriority: 100,
            vips: ['10.77.0.50'],
          },
        ],
        addresses: [{ address: '10.77.0.50', prefix: 24, interface: 'eth0' }],
        services: {},
      },
      1,
    );
    store.apply(
      'a1',
      {
        type: 'snapshot',
        seq: 2,
        ts: 2,
        vrrp: [],
        addresses: [],
        services: {},
        keepalivedRunning: false,
      },
      2,
    );
    expect(store.cluster('lab')?.vips).toEqual([
      { address: '10.77.0.50', instance: 'VI_1', holders: [], masters: [] },
    ]);
  });

  it('VH-6: a VIP on a downed link (snapshot or vip.change) is no holder; back up, it is', () => {
    const store = new ClusterStore(() => 0);
    store.hello('a1', identity('lb1'), 0);
    const vrrp = [
      {
        instance: 'VI_1',
        state: 'FAULT' as const,
        priority: 100,
        effectivePriority: 100,
        vips: ['10.77.0.50'],
      },
    ];
    const addr = { address: '10.77.0.50', prefix: 24, interface: 'eth0' };
    const holders = (): string[] | undefined => store.cluster('lab')?.vips[0]?.holders;
    store.apply(
      'a1',
      {
        type: 'snapshot',
        seq: 1,
        ts: 1,
        vrrp,
        addresses: [{ ...addr, linkDown: true }],
        services: {},
      },
      1,
    );
    expect(holders()).toEqual([]);
    store.apply(
      'a1',
      { type: 'snapshot', seq: 2, ts: 2, vrrp, addresses: [addr], services: {} },
      2,
    );
    expect(holders()).toEqual(['lb1']);
    store.apply(
      'a1',
      { type: 'vip.change', seq: 3, ts: 3, action: 'add', address: { ...addr, linkDown: true } },
      3,
    );
    expect(holders()).toEqual([]);
    store.apply('a1', { type: 'vip.change', seq: 4, ts: 4, action: 'add', address: addr }, 4);
    expect(holders()).toEqual(['lb1']);
  });

  it('announces changed clusters, moves agents between clusters and drops empty ones', () => {
    const changes: string[][] = [];
    const store = new ClusterStore(
      () => 0,
      (ids) => changes.push(ids),
    );
    store.hello('a1', identity('lb1', 'one'), 0);
    store.hello('a1', identity('lb1', 'two'), 1);
    expect(changes).toEqual([['one'], ['two', 'one']]);
    expect(store.clusterIds()).toEqual(['two']);
  });

  it('replaces an offline namesake (reinstalled agent) instead of listing the node twice', () => {
    const store = new ClusterStore(() => 0);
    store.hello('old', identity('lb1'), 0);
    store.offline('old', 1);
    store.hello('new', identity('lb1'), 2);
    expect(store.cluster('lab')?.nodes.map((n) => [n.name, n.online])).toEqual([['lb1', true]]);
  });

  it('ignores clock jitter below a millisecond', () => {
    let count = 0;
    const store = new ClusterStore(
      () => 0,
      () => count++,
    );
    store.hello('a1', identity('lb1'), 0);
    store.clock('a1', 3.2);
    store.clock('a1', 3.4);
    expect(count).toBe(2);
    expect(store.cluster('lab')?.nodes[0]?.clockOffsetMs).toBe(3);
  });

  it('publishes a clock offset move below CLOCK_PATCH_MS only with the next change', () => {
    const changes: string[][] = [];
    const store = new ClusterStore(
      () => 0,
      (ids) => changes.push(ids),
    );
    store.hello('a1', identity('lb1'), 0);
    store.clock('a1', 3);
    expect(changes).toHaveLength(2);
    store.clock('a1', 3 + CLOCK_PATCH_MS - 1);
    store.clock('a1', 3 - CLOCK_PATCH_MS + 1);
    expect(changes).toHaveLength(2);
    // Drills read the raw node: it is current even without a change.
    expect(store.nodeView('lab', 'lb1')?.clockOffsetMs).toBe(3 - CLOCK_PATCH_MS + 1);
    store.clock('a1', 3 + CLOCK_PATCH_MS);
    expect(changes).toHaveLength(3);
    expect(store.cluster('lab')?.nodes[0]?.clockOffsetMs).toBe(3 + CLOCK_PATCH_MS);
  });

  it('always publishes a clock offset that crosses the skew limit', () => {
    let count = 0;
    const store = new ClusterStore(
      () => 0,
      () => count++,
      { clockSkewMs: 100 },
    );
    store.hello('a1', identity('lb1'), 0);
    store.clock('a1', 98);
    store.clock('a1', 101);
    expect(count).toBe(3);
    expect(store.cluster('lab')?.findings.map((f) => f.rule)).toContain('CLOCK_SKEW');
    store.clock('a1', 99);
    expect(count).toBe(4);
    expect(store.cluster('lab')?.findings.map((f) => f.rule)).not.toContain('CLOCK_SKEW');
  });
});

describe('ClusterStore bounds (issue 7: every per-agent structure bounded)', () => {
  it('remembers at most MAX_KNOWN_VIPS per cluster, forgetting the one not seen longest', () => {
    const store = new ClusterStore(() => 0);
    store.hello('a1', identity('lb1'), 0);
    for (let i = 0; i < 5; i++) {
      const vips = Array.from({ length: 256 }, (_, j) => `10.${i}.${j >> 8}.${j & 255}`);
      store.apply(
        'a1',
        {
          type: 'snapshot',
          seq: i + 1,
          ts: 1,
          vrrp: [
            { instance: `VI_${i}`, state: 'BACKUP', priority: 90, effectivePriority: 90, vips },
          ],
          addresses: [],
          services: {},
        },
        1,
      );
    }
    const known = store.cluster('lab')?.vips.map((v) => v.address) ?? [];
    expect(known).toHaveLength(MAX_KNOWN_VIPS);
    expect(known).not.toContain('10.0.0.0');
    expect(known).toContain('10.4.0.255');
  });

  it('change messages cannot grow a node past the snapshot limits', () => {
    const store = new ClusterStore(() => 0);
    store.hello('a1', identity('lb1'), 0);
    for (let i = 1; i <= 1100; i++) {
      store.apply(
        'a1',
        {
          type: 'vip.change',
          seq: i,
          ts: i,
          action: 'add',
          address: { address: `10.9.${i >> 8}.${i & 255}`, prefix: 24, interface: 'eth0' },
        },
        i,
      );
      store.apply(
        'a1',
        {
          type: 'vrrp.transition',
          seq: i,
          ts: i,
          instance: `VI_${i}`,
          state: 'BACKUP',
          effectivePriority: 1,
          source: 'fifo',
        },
        i,
      );
      store.apply(
        'a1',
        {
          type: 'upstream.health',
          seq: i,
          ts: i,
          upstream: { server: `10.8.0.${i}:8080`, health: { healthy: true, checkedAt: i } },
        },
        i,
      );
    }
    const node = store.cluster('lab')?.nodes[0];
    expect(node?.vrrp.length).toBe(NODE_LIMITS.vrrp);
    expect(node?.upstreams?.length).toBe(NODE_LIMITS.upstreams);
  });
});
