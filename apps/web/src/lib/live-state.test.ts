import { describe, expect, it } from 'vitest';
import type { LivePatch, LiveSnapshot, StatusCluster } from '@keepwatch/shared';
import { applyLiveMessage, emptyLiveData, type LiveData } from './live-state';
import { backoffDelay } from './backoff';

function cluster(id: string, verdict: StatusCluster['verdict'] = 'healthy'): StatusCluster {
  return { id, name: id, verdict, findings: [], vips: [], nodes: [] };
}
function snapshot(rev: number, clusters: StatusCluster[]): LiveSnapshot {
  return { type: 'snapshot', rev, status: { clusters, generatedAt: 1000 } };
}
function patch(rev: number, upsert: StatusCluster[], remove: string[] = []): LivePatch {
  return { type: 'patch', rev, at: 2000 + rev, upsert, remove };
}
function ok(data: LiveData, msg: Parameters<typeof applyLiveMessage>[1]): LiveData {
  const step = applyLiveMessage(data, msg);
  expect(step.kind).toBe('ok');
  return step.data;
}

describe('live state reducer', () => {
  it('LIVE-1 hello changes nothing', () => {
    expect(ok(emptyLiveData, { type: 'hello', protocol: 1 })).toBe(emptyLiveData);
  });

  it('LIVE-2 snapshot replaces everything and sets the rev', () => {
    const a = ok(emptyLiveData, snapshot(7, [cluster('a')]));
    const b = ok(a, snapshot(3, [cluster('b')]));
    expect(b).toEqual({ rev: 3, clusters: [cluster('b')], asOf: 1000 });
  });

  it('LIVE-3 a patch before any snapshot asks for a resync', () => {
    const step = applyLiveMessage(emptyLiveData, patch(1, [cluster('a')]));
    expect(step.kind).toBe('resync');
    expect(step.data).toBe(emptyLiveData);
  });

  it('LIVE-4 patches upsert in place, append new clusters, remove ids, advance rev', () => {
    let d = ok(emptyLiveData, snapshot(10, [cluster('a'), cluster('b'), cluster('c')]));
    d = ok(d, patch(11, [cluster('b', 'down'), cluster('z')], ['a']));
    expect(d.rev).toBe(11);
    expect(d.asOf).toBe(2011);
    expect(d.clusters.map((c) => [c.id, c.verdict])).toEqual([
      ['b', 'down'],
      ['c', 'healthy'],
      ['z', 'healthy'],
    ]);
    d = ok(d, patch(12, [], ['z']));
    expect(d.clusters.map((c) => c.id)).toEqual(['b', 'c']);
  });

  it('LIVE-4 an upsert of an unknown id and a removal of an unknown id are harmless', () => {
    let d = ok(emptyLiveData, snapshot(0, []));
    d = ok(d, patch(1, [cluster('x')], ['nope']));
    expect(d.clusters.map((c) => c.id)).toEqual(['x']);
  });

  it('LIVE-5 a rev gap (skipped or repeated) asks for a resync and keeps the state', () => {
    const d = ok(emptyLiveData, snapshot(5, [cluster('a')]));
    for (const rev of [7, 5, 4]) {
      const step = applyLiveMessage(d, patch(rev, [cluster('a', 'down')]));
      expect(step.kind).toBe('resync');
      expect(step.data).toBe(d);
    }
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters between half and all', () => {
    expect(backoffDelay(0, 0)).toBe(250);
    expect(backoffDelay(0, 1)).toBe(500);
    expect(backoffDelay(3, 1)).toBe(4000);
    expect(backoffDelay(20, 1)).toBe(10_000);
    expect(backoffDelay(20, 0)).toBe(5000);
  });
});
