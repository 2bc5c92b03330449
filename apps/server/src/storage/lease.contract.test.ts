import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { Repositories } from './repositories';

/*
 * The lease part of the storage contract (lease-repository.ts), one suite on SQLite and on a
 * real PostgreSQL: one holder at a time, renewals, takeover only after expiry, the epoch as
 * a fencing token, and exactly one winner among takers at once (on PostgreSQL, ten pooled
 * connections racing for one row).
 */

const T0 = 1_800_000_000_000;
const TTL = 10_000;

describe.each([sqliteBackend(), postgresBackend()])('lease contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('has one holder until the lease expires; the holder renews it, another takes it only after', async () => {
    expect(await r.leases.acquire('detect', 'A', T0, TTL)).toEqual({
      expiresAt: T0 + TTL,
      epoch: 1,
    });
    expect(await r.leases.acquire('detect', 'B', T0 + 1, TTL)).toBeUndefined();
    expect(await r.leases.acquire('detect', 'B', T0 + TTL - 1, TTL)).toBeUndefined();
    // A renewal keeps the epoch and moves the expiry.
    expect(await r.leases.acquire('detect', 'A', T0 + 5_000, TTL)).toEqual({
      expiresAt: T0 + 5_000 + TTL,
      epoch: 1,
    });
    expect(await r.leases.current('detect', T0 + 6_000)).toEqual({
      holder: 'A',
      expiresAt: T0 + 5_000 + TTL,
      epoch: 1,
    });
    // A stops renewing (it died): B takes it once it expired, with a new epoch.
    expect(await r.leases.acquire('detect', 'B', T0 + 5_000 + TTL - 1, TTL)).toBeUndefined();
    expect(await r.leases.acquire('detect', 'B', T0 + 5_000 + TTL, TTL)).toEqual({
      expiresAt: T0 + 5_000 + 2 * TTL,
      epoch: 2,
    });
    // A, back, cannot renew what B now holds.
    expect(await r.leases.acquire('detect', 'A', T0 + 5_000 + TTL + 1, TTL)).toBeUndefined();
    expect((await r.leases.current('detect', T0 + 5_000 + TTL + 1))?.holder).toBe('B');
    // Leases are independent of each other.
    expect(await r.leases.acquire('alerts', 'A', T0 + 5_000 + TTL + 1, TTL)).toMatchObject({
      epoch: 1,
    });
  });

  it('is free at once after its holder releases it, and only its holder can release it', async () => {
    await r.leases.acquire('drills', 'A', T0, TTL);
    expect(await r.leases.release('drills', 'B')).toBe(false);
    expect(await r.leases.current('drills', T0 + 1)).toMatchObject({ holder: 'A' });
    expect(await r.leases.release('drills', 'A')).toBe(true);
    expect(await r.leases.release('drills', 'A')).toBe(false);
    expect(await r.leases.current('drills', T0 + 1)).toBeUndefined();
    expect(await r.leases.acquire('drills', 'B', T0 + 2, TTL)).toEqual({
      expiresAt: T0 + 2 + TTL,
      epoch: 2,
    });
    expect(await r.leases.current('never-taken', T0)).toBeUndefined();
  });

  it('gives a free lease to exactly one of ten takers at once, and an expired one too', async () => {
    const holders = Array.from({ length: 10 }, (_, i) => `replica-${i}`);
    const first = await Promise.all(holders.map((h) => r.leases.acquire('rollouts', h, T0, TTL)));
    expect(first.filter((g) => g !== undefined)).toEqual([{ expiresAt: T0 + TTL, epoch: 1 }]);
    const winner = holders[first.findIndex((g) => g !== undefined)];
    expect((await r.leases.current('rollouts', T0))?.holder).toBe(winner);

    const later = T0 + TTL;
    const second = await Promise.all(
      holders.map((h) => r.leases.acquire('rollouts', h, later, TTL)),
    );
    expect(second.filter((g) => g !== undefined)).toHaveLength(1);
    const now = await r.leases.current('rollouts', later);
    // The old holder renewing its expired lease and a new taker both count as a new epoch.
    expect(now).toMatchObject({ expiresAt: later + TTL, epoch: 2 });
    expect(holders[second.findIndex((g) => g !== undefined)]).toBe(now?.holder);
  });
});
