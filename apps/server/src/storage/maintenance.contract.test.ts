import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { NewMaintenanceWindow } from './maintenance-repository';
import type { Repositories } from './repositories';

/* The maintenance part of the storage contract (maintenance-repository.ts), on SQLite and a real PostgreSQL. */

const T0 = 1_800_000_000_000;
const MIN = 60_000;

const win = (
  startsAt: number,
  endsAt: number,
  node: string | null = null,
): NewMaintenanceWindow => ({
  clusterId: 'c1',
  node,
  startsAt,
  endsAt,
  reason: '内核升级 kernel upgrade',
  createdBy: 'ops',
  createdAt: T0,
});

describe.each([sqliteBackend(), postgresBackend()])('maintenance contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('create returns the stored window (numbers as numbers); get reads it back', async () => {
    const w = await r.maintenance.create(win(T0, T0 + 30 * MIN, 'lb2'));
    expect(w).toEqual({
      id: expect.any(Number) as number,
      clusterId: 'c1',
      node: 'lb2',
      startsAt: T0,
      endsAt: T0 + 30 * MIN,
      reason: '内核升级 kernel upgrade',
      createdBy: 'ops',
      createdAt: T0,
      endedBy: null,
    });
    expect(await r.maintenance.get(w.id)).toEqual(w);
    expect(await r.maintenance.get(w.id + 1)).toBeUndefined();
  });

  it('current: not ended at the time, by end then id; ended: the window (after, at], latest first, limited', async () => {
    const a = await r.maintenance.create(win(T0, T0 + 10 * MIN));
    const b = await r.maintenance.create(win(T0 + 60 * MIN, T0 + 90 * MIN));
    const c = await r.maintenance.create(win(T0, T0 + 10 * MIN, 'lb1'));
    const d = await r.maintenance.create(win(T0, T0 + 5 * MIN));
    const ids = (ws: { id: number }[]) => ws.map((w) => w.id);
    expect(ids(await r.maintenance.current(T0))).toEqual([d.id, a.id, c.id, b.id]);
    // ends_at == at is ended, not current.
    expect(ids(await r.maintenance.current(T0 + 10 * MIN))).toEqual([b.id]);
    expect(ids(await r.maintenance.ended(T0 + 10 * MIN, T0, 50))).toEqual([c.id, a.id, d.id]);
    expect(ids(await r.maintenance.ended(T0 + 10 * MIN, T0 + 5 * MIN, 50))).toEqual([c.id, a.id]);
    expect(ids(await r.maintenance.ended(T0 + 10 * MIN, T0, 1))).toEqual([c.id]);
  });

  it('end: once, only while not ended; of two ends at once one wins', async () => {
    const w = await r.maintenance.create(win(T0, T0 + 30 * MIN));
    expect(await r.maintenance.end(w.id, 'admin', T0 + MIN)).toBe(true);
    expect(await r.maintenance.get(w.id)).toMatchObject({ endsAt: T0 + MIN, endedBy: 'admin' });
    expect(await r.maintenance.end(w.id, 'other', T0 + 2 * MIN)).toBe(false);
    expect(await r.maintenance.end(w.id + 99, 'other', T0)).toBe(false);
    const v = await r.maintenance.create(win(T0, T0 + 30 * MIN));
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((by) => r.maintenance.end(v.id, by, T0 + 3 * MIN)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
