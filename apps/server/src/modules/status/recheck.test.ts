import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusCluster } from '@keepwatch/shared';
import type { ClusterStore } from './cluster-store';
import { startRecheck } from './status-store-plugin';

const cluster = (findings: string[]): StatusCluster =>
  ({
    id: 'c1',
    name: 'c1',
    verdict: findings.length > 0 ? 'at_risk' : 'healthy',
    findings: findings.map((rule) => ({ rule, severity: 'warning', message: rule })),
    vips: [],
    nodes: [],
  }) as unknown as StatusCluster;

describe('startRecheck', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('announces a cluster whose findings changed with time only, once; the same derivation is skipped', () => {
    let current = cluster([]);
    const derivations: StatusCluster[] = [];
    const store = {
      clusterIds: () => ['c1'],
      cluster: () => {
        derivations.push(current);
        return current;
      },
    } as unknown as ClusterStore;
    const announced: string[][] = [];
    const timer = startRecheck(store, 1000, (ids) => announced.push(ids));
    vi.advanceTimersByTime(3000);
    expect(announced).toEqual([]);
    // Derived anew (its horizon passed) with the same findings: nothing to announce.
    current = cluster([]);
    vi.advanceTimersByTime(1000);
    expect(announced).toEqual([]);
    // Derived anew with a finding time brought (an agent went stale): announced once.
    current = cluster(['AGENT_STALE']);
    vi.advanceTimersByTime(3000);
    expect(announced).toEqual([['c1']]);
    current = cluster([]);
    vi.advanceTimersByTime(1000);
    expect(announced).toEqual([['c1'], ['c1']]);
    clearInterval(timer);
    expect(derivations.length).toBe(8);
  });
});
