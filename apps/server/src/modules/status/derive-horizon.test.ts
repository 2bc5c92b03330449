import { describe, expect, it } from 'vitest';
import type { NodeView } from '@keepwatch/shared';
import { ClusterStore } from './cluster-store';
import { deriveHorizon } from './derive-horizon';

const node = (over: Partial<NodeView> = {}): NodeView => ({
  name: 'lb1',
  role: 'lb',
  online: true,
  lastSeen: 0,
  vrrp: [],
  addresses: [],
  services: {},
  clockOffsetMs: null,
  ...over,
});

describe('deriveHorizon', () => {
  it('DH-1: a fresh node holds until just past lastSeen + staleAfterMs; a stale one a second', () => {
    expect(deriveHorizon([node({ lastSeen: 1000 })], 2000)).toBe(16_001);
    expect(deriveHorizon([node({ lastSeen: 0 })], 20_000)).toBe(21_000);
    expect(deriveHorizon([node({ online: false })], 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('DH-2: a transition leaves the flap window (or enters it, stamped ahead)', () => {
    const transitions = [{ instance: 'VI_1', at: 10_000 }];
    expect(deriveHorizon([node({ online: false, transitions })], 20_000)).toBe(310_000);
    expect(deriveHorizon([node({ online: false, transitions })], 5_000)).toBe(10_000);
  });
});

describe('ClusterStore derivation cache (issue 11)', () => {
  it('DH-3: derives a cluster again only after an input or its horizon, never for another cluster', () => {
    let now = 0;
    const store = new ClusterStore(() => now);
    const id = (c: string) => ({ name: 'lb1', role: 'lb' as const, cluster: { id: c, name: c } });
    store.hello('a', id('one'), 0);
    store.hello('b', id('two'), 0);
    const one = store.cluster('one');
    const two = store.cluster('two');
    store.clock('a', 5);
    expect(store.cluster('two')).toBe(two);
    expect(store.cluster('one')).not.toBe(one);
    const again = store.cluster('one');
    expect(store.cluster('one')).toBe(again);
    now = 15_002;
    const stale = store.cluster('one');
    expect(stale).not.toBe(again);
    expect(stale?.findings.map((f) => f.rule)).toContain('AGENT_STALE');
    // A pong from a stale node drops the stale picture at once.
    store.seen('a', now);
    expect(store.cluster('one')?.findings.map((f) => f.rule)).not.toContain('AGENT_STALE');
  });

  it('a pong moves lastSeen in the cached picture without deriving it again', () => {
    const store = new ClusterStore(() => 1000);
    store.hello('a', { name: 'lb1', role: 'lb', cluster: { id: 'one', name: 'one' } }, 0);
    const before = store.cluster('one');
    store.seen('a', 900);
    expect(store.cluster('one')).toBe(before);
    expect(store.cluster('one')?.nodes[0]?.lastSeen).toBe(900);
  });

  it('DH-4: a ponging cluster keeps its derivation past staleAfterMs; a silent node still goes stale', () => {
    let now = 0;
    const store = new ClusterStore(() => now);
    const lb = (name: string) => ({
      name,
      role: 'lb' as const,
      cluster: { id: 'one', name: 'one' },
    });
    store.hello('a', lb('lb1'), 0);
    store.hello('b', lb('lb2'), 0);
    const first = store.cluster('one');
    // Both agents pong every 5 s for a minute: never derived again (the same object).
    for (now = 5000; now <= 60_000; now += 5000) {
      store.seen('a', now);
      store.seen('b', now);
      expect(store.cluster('one')).toBe(first);
    }
    expect(first?.nodes.map((n) => n.lastSeen)).toEqual([60_000, 60_000]);
    // lb2 goes silent: just past lastSeen + staleAfterMs it is stale, derived anew.
    for (now = 65_000; now <= 75_000; now += 5000) store.seen('a', now);
    now = 75_000;
    expect(store.cluster('one')).toBe(first);
    now = 75_002;
    const stale = store.cluster('one');
    expect(stale).not.toBe(first);
    expect(stale?.findings.find((f) => f.rule === 'AGENT_STALE')?.nodes).toEqual(['lb2']);
  });

  it('DH-4: a flap window edge passed since the derivation is derived anew despite pongs', () => {
    let now = 1000;
    const store = new ClusterStore(
      () => now,
      () => {},
      { flapCount: 2, flapWindowMs: 10_000 },
    );
    store.hello('a', { name: 'lb1', role: 'lb', cluster: { id: 'one', name: 'one' } }, 1000);
    // The first transition lists the instance; the next two are state changes.
    for (const [seq, state] of [
      [1, 'MASTER'],
      [2, 'BACKUP'],
      [3, 'MASTER'],
    ] as const)
      store.apply(
        'a',
        {
          type: 'vrrp.transition',
          seq,
          ts: 1000,
          instance: 'VI_1',
          state,
          effectivePriority: 100,
          source: 'fifo',
        },
        1000,
      );
    const flapping = store.cluster('one');
    expect(flapping?.findings.map((f) => f.rule)).toContain('FLAPPING');
    for (now = 2000; now <= 12_000; now += 1000) store.seen('a', now);
    const after = store.cluster('one');
    expect(after).not.toBe(flapping);
    expect(after?.findings.map((f) => f.rule)).not.toContain('FLAPPING');
  });
});
