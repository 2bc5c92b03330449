import { describe, expect, it } from 'vitest';
import { ClusterOps, busyMessage } from './cluster-ops';

describe('ClusterOps', () => {
  it('refuses a second operation on the same cluster and names the holder', () => {
    const ops = new ClusterOps(() => 1000);
    const first = ops.tryAcquire('c1', 'drill', 'd-1', 'alice');
    expect(first.ok).toBe(true);
    const second = ops.tryAcquire('c1', 'push', 'p-1', 'bob');
    expect(second).toEqual({
      ok: false,
      busy: { clusterId: 'c1', kind: 'drill', id: 'd-1', by: 'alice', since: 1000 },
    });
    if (!second.ok) expect(busyMessage(second.busy)).toContain('a drill (d-1) started by alice');
  });

  it('lets other clusters run at the same time', () => {
    const ops = new ClusterOps();
    expect(ops.tryAcquire('c1', 'drill', 'd-1', 'a').ok).toBe(true);
    expect(ops.tryAcquire('c2', 'push', 'p-1', 'a').ok).toBe(true);
    expect(
      ops
        .list()
        .map((h) => h.clusterId)
        .sort(),
    ).toEqual(['c1', 'c2']);
  });

  it('a stale release cannot free a newer holder', () => {
    const ops = new ClusterOps();
    const first = ops.tryAcquire('c1', 'drill', 'd-1', 'a');
    if (!first.ok) throw new Error('expected the hold');
    first.release();
    const second = ops.tryAcquire('c1', 'push', 'p-1', 'b');
    expect(second.ok).toBe(true);
    first.release();
    expect(ops.holder('c1')?.id).toBe('p-1');
  });
});
