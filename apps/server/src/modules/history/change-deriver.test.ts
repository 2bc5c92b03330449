import { describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '@keepwatch/shared';
import { MIRROR_LIMITS, deriveChanges, type NodeMirror } from './change-deriver';

const snap = (over: Partial<AgentSnapshot> = {}): AgentSnapshot => ({
  type: 'snapshot',
  seq: 1,
  ts: 1000,
  vrrp: [
    {
      instance: 'VI_1',
      state: 'MASTER',
      priority: 150,
      effectivePriority: 150,
      vips: ['10.0.0.50'],
    },
  ],
  addresses: [
    { address: '10.0.0.11', prefix: 24, interface: 'eth0' },
    { address: '10.0.0.50', prefix: 32, interface: 'eth0' },
  ],
  services: { nginx: { healthy: true, checkedAt: 1000, latencyMs: 2 } },
  ...over,
});

describe('deriveChanges', () => {
  it('summarises the first snapshot once, then keeps only differences', () => {
    const first = deriveChanges(undefined, snap());
    expect(first.changes).toEqual([
      expect.objectContaining({
        type: 'snapshot',
        summary: 'first report: VI_1 MASTER, nginx healthy',
      }),
    ]);
    expect(deriveChanges(first.mirror, snap({ seq: 2 })).changes).toEqual([]);
    const moved = deriveChanges(
      first.mirror,
      snap({
        seq: 3,
        vrrp: [
          {
            instance: 'VI_1',
            state: 'BACKUP',
            priority: 150,
            effectivePriority: 150,
            vips: ['10.0.0.50'],
          },
        ],
        addresses: [{ address: '10.0.0.11', prefix: 24, interface: 'eth0' }],
        services: { nginx: { healthy: false, detail: 'HTTP 502', checkedAt: 2000 } },
      }),
    );
    expect(moved.changes.map((c) => [c.type, c.summary])).toEqual([
      ['vrrp.transition', 'VI_1 → BACKUP (priority 150)'],
      ['service.health', 'nginx unhealthy: HTTP 502'],
      ['vip.change', 'removed 10.0.0.50'],
    ]);
  });

  it('a snapshot after the transitions it reflects adds nothing (replay, then fresh snapshot)', () => {
    let { mirror } = deriveChanges(undefined, snap());
    const t = deriveChanges(mirror, {
      type: 'vrrp.transition',
      seq: 2,
      ts: 1,
      instance: 'VI_1',
      state: 'BACKUP',
      effectivePriority: 150,
      source: 'fifo',
    });
    expect(t.changes).toEqual([
      {
        type: 'vrrp.transition',
        summary: 'VI_1 → BACKUP (priority 150)',
        data: { instance: 'VI_1', state: 'BACKUP', effectivePriority: 150, source: 'fifo' },
      },
    ]);
    mirror = t.mirror;
    mirror = deriveChanges(mirror, {
      type: 'vip.change',
      seq: 3,
      ts: 2,
      action: 'remove',
      address: { address: '10.0.0.50', prefix: 32, interface: 'eth0' },
    }).mirror;
    const after = snap({
      seq: 4,
      vrrp: [
        {
          instance: 'VI_1',
          state: 'BACKUP',
          priority: 150,
          effectivePriority: 150,
          vips: ['10.0.0.50'],
        },
      ],
      addresses: [{ address: '10.0.0.11', prefix: 24, interface: 'eth0' }],
    });
    expect(deriveChanges(mirror, after).changes).toEqual([]);
  });

  it('reports a priority-only change as such and leaves the input mirror untouched', () => {
    const { mirror } = deriveChanges(undefined, snap());
    const before = structuredClone(mirror);
    const p = deriveChanges(mirror, {
      type: 'vrrp.transition',
      seq: 2,
      ts: 1,
      instance: 'VI_1',
      state: 'MASTER',
      effectivePriority: 100,
      source: 'fifo',
    });
    expect(p.changes[0]?.summary).toBe('VI_1 priority 150 → 100');
    expect(mirror).toEqual(before);
  });

  it('keeps config hashes but not file contents', () => {
    const c = deriveChanges(undefined, {
      type: 'config.observed',
      seq: 1,
      ts: 1,
      config: {
        component: 'nginx',
        hash: 'ab'.repeat(32),
        content: 'x'.repeat(1000),
        checkedAt: 1,
      },
    });
    expect(JSON.stringify(c.changes[0]?.data)).not.toContain('xxxx');
    expect(c.changes[0]?.summary).toBe('nginx config abababababab');
  });
});

describe('mirror bounds (issue 7: every per-agent structure bounded)', () => {
  it('change messages naming ever new upstreams keep at most MIRROR_LIMITS of them', () => {
    let mirror: NodeMirror | undefined;
    for (let i = 1; i <= 400; i++) {
      mirror = deriveChanges(mirror, {
        type: 'upstream.health',
        seq: i,
        ts: i,
        upstream: {
          server: `10.8.${i >> 8}.${i & 255}:8080`,
          health: { healthy: true, checkedAt: i },
        },
      }).mirror;
    }
    expect(Object.keys(mirror?.upstreams ?? {})).toHaveLength(MIRROR_LIMITS.upstreams);
    expect(mirror?.upstreams['10.8.1.144:8080']).toBe(true);
  });
});
