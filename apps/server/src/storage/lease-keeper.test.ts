import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../plugins/db-migrations';
import { LeaseKeeper } from './lease-keeper';
import type { LeaseRepository } from './lease-repository';
import { sqliteRepositories } from './sql-repositories';

/*
 * Two replicas' keepers of one lease on one store (SQLite here; the store's atomicity on
 * PostgreSQL is lease.contract.test.ts's), on a fake clock: one acts at a time, the other
 * takes over only after the first stopped renewing, and a keeper cut off from its store
 * stops acting before the other can take the lease.
 */

const TTL = 9_000;
let db: Database.Database;
let repo: LeaseRepository;
let t: number;
const now = (): number => t;

beforeEach(() => {
  db = new Database(':memory:');
  migrate(db);
  repo = sqliteRepositories(db).leases;
  t = 1_800_000_000_000;
});
afterEach(() => db.close());

const keeper = (holder: string, r: LeaseRepository = repo, log: string[] = []) =>
  new LeaseKeeper({
    repo: r,
    name: 'detect',
    holder,
    ttlMs: TTL,
    marginMs: 1_000,
    now,
    onChange: (held, epoch) => log.push(`${holder} ${held ? `holds (epoch ${epoch})` : 'lost'}`),
    onError: (err) => log.push(`${holder} store error: ${(err as Error).message}`),
  });

describe('LeaseKeeper', () => {
  it('lets one replica act at a time; the other takes over after the first stops renewing', async () => {
    const log: string[] = [];
    const a = keeper('A', repo, log);
    const b = keeper('B', repo, log);
    expect(await a.tick()).toBe(true);
    expect(await b.tick()).toBe(false);
    // A renews every ttl/3 for a while: B never gets it.
    for (let i = 0; i < 6; i++) {
      t += TTL / 3;
      expect(await a.tick()).toBe(true);
      expect(await b.tick()).toBe(false);
    }
    expect(a.epoch).toBe(1);
    // A dies (no more ticks): it would stop acting by its own clock before B can take over.
    const diedAt = t;
    t = diedAt + TTL - 1_000;
    expect(a.held()).toBe(false);
    expect(await b.tick()).toBe(false);
    t = diedAt + TTL;
    expect(await b.tick()).toBe(true);
    expect(b.epoch).toBe(2);
    expect(log).toEqual(['A holds (epoch 1)', 'B holds (epoch 2)']);
  });

  it('stops acting at its margin when its store fails, says so once, and takes the lease back after', async () => {
    const log: string[] = [];
    let down = false;
    const flaky: LeaseRepository = {
      acquire: (...args) =>
        down ? Promise.reject(new Error('connection refused')) : repo.acquire(...args),
      release: (...args) => repo.release(...args),
      current: (...args) => repo.current(...args),
    };
    const a = keeper('A', flaky, log);
    expect(await a.tick()).toBe(true);
    down = true;
    t += TTL / 3;
    expect(await a.tick()).toBe(true); // still inside the hold it has
    t += TTL / 3;
    expect(await a.tick()).toBe(true);
    t += TTL / 3 - 1_000; // the margin before the stored expiry
    expect(await a.tick()).toBe(false);
    expect(log).toEqual(['A holds (epoch 1)', 'A store error: connection refused', 'A lost']);
    down = false;
    t += 1_000;
    expect(await a.tick()).toBe(true);
    expect(a.epoch).toBe(2); // it lapsed: work from the old hold is stale
  });

  it('hands the lease over at once on a clean stop', async () => {
    const a = keeper('A');
    const b = keeper('B');
    await a.tick();
    await a.release();
    expect(a.held()).toBe(false);
    expect(await b.tick()).toBe(true);
  });
});
