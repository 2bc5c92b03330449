import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DrillSchedule } from '@keepwatch/shared';
import { migrate } from '../../plugins/db-migrations';
import { LeaseKeeper } from '../../storage/lease-keeper';
import type { Repositories } from '../../storage/repositories';
import { sqliteRepositories } from '../../storage/sql-repositories';
import { SCHEDULER_LEASE } from './drill-replica';
import { ScheduleStore } from './drill-schedule';
import { DrillScheduler } from './drill-scheduler';
import type { StartResult } from './drill-service';

/*
 * SC-5: two replicas (two schedulers, each with its own repositories over one database) on a
 * fake clock. A start takes 200 ms, as one waiting for the database does, so a second
 * scheduler looking at the same due run meanwhile would start it again.
 */

const T0 = Date.UTC(2026, 11, 7, 0, 0);
const MIN = 60_000;
const TTL = 9_000;

interface Replica {
  name: string;
  repos: Repositories;
  keeper?: LeaseKeeper;
  renew?: NodeJS.Timeout;
  scheduler: DrillScheduler;
}

let db: Database.Database;
let replicas: Replica[];
const started: { by: string; at: number }[] = [];

function replica(name: string, withLease: boolean, slowReads = false): Replica {
  const repos = sqliteRepositories(db);
  if (slowReads) {
    // A slow link to the database: the rows are read at the call, the answer comes 100 ms
    // later, so both replicas read a due run before either has claimed it.
    const list = repos.drillSchedules.list.bind(repos.drillSchedules);
    vi.spyOn(repos.drillSchedules, 'list').mockImplementation(async () => {
      const rows = await list();
      await new Promise((r) => setTimeout(r, 100));
      return rows;
    });
  }
  const keeper = withLease
    ? new LeaseKeeper({
        repo: repos.leases,
        name: SCHEDULER_LEASE,
        holder: name,
        ttlMs: TTL,
        now: Date.now,
      })
    : undefined;
  const scheduler = new DrillScheduler({
    now: Date.now,
    store: new ScheduleStore(repos.drillSchedules, Date.now),
    start: async (_s: DrillSchedule): Promise<StartResult> => {
      started.push({ by: name, at: Date.now() });
      await new Promise((r) => setTimeout(r, 200));
      return { ok: true, id: `dr-${started.length}` };
    },
    announce: () => undefined,
    alertsChanged: () => undefined,
    onError: (err) => {
      throw err;
    },
    ...(keeper && { lease: keeper }),
    maxWaitMs: 30_000,
  });
  const r: Replica = { name, repos, scheduler, ...(keeper && { keeper }) };
  if (keeper) r.renew = setInterval(() => void keeper.tick(), TTL / 3);
  return r;
}

/** The replica dies: no more renewals, no more timers. */
function kill(r: Replica): void {
  clearInterval(r.renew);
  r.scheduler.close();
}

beforeEach(async () => {
  vi.useFakeTimers({ now: T0 });
  db = new Database(':memory:');
  migrate(db);
  started.length = 0;
  await sqliteRepositories(db).drillSchedules.create(
    {
      clusterId: 'lab',
      kind: 'keepalived-stop',
      options: {},
      cron: '*/10 * * * *',
      timezone: 'UTC',
      window: { start: '00:00', end: '23:00' },
      enabled: true,
    },
    'alice',
    T0,
  );
});

afterEach(() => {
  for (const r of replicas) kill(r);
  db.close();
  vi.useRealTimers();
});

const at = (minutes: number) => T0 + minutes * MIN;

describe('drill scheduler across replicas', () => {
  it('SC-5: only the lease holder fires; after it dies the other takes over; each run fires once', async () => {
    replicas = [replica('A', true), replica('B', true)];
    const [a, b] = replicas as [Replica, Replica];
    const claimsB = vi.spyOn(b.repos.drillSchedules, 'claimRun');
    expect(await a.keeper?.tick()).toBe(true);
    expect(await b.keeper?.tick()).toBe(false);
    await a.scheduler.arm();
    await b.scheduler.arm();
    await vi.advanceTimersByTimeAsync(35 * MIN);
    expect(started).toEqual([10, 20, 30].map((m) => ({ by: 'A', at: at(m) })));
    // B never even claimed a run while A held the lease.
    expect(claimsB).not.toHaveBeenCalled();

    kill(a);
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(started).toEqual([
      ...[10, 20, 30].map((m) => ({ by: 'A', at: at(m) })),
      ...[40, 50, 60].map((m) => ({ by: 'B', at: at(m) })),
    ]);
    const s = (await a.repos.drillSchedules.list())[0];
    expect(s).toMatchObject({ lastRunAt: at(60), lastResult: 'running', lastDrillId: 'dr-6' });
  });

  it('SC-5: without a lease (or in a hand-over) the claim alone keeps each run to one start', async () => {
    replicas = [replica('A', false, true), replica('B', false, true)];
    const armed = Promise.all(replicas.map((r) => r.scheduler.arm()));
    await vi.advanceTimersByTimeAsync(25 * MIN);
    await armed;
    // Each start comes 100 ms after its due time (the slow read); without the claim: four.
    expect(started.map((s) => s.at)).toEqual([at(10) + 100, at(20) + 100]);
  });
});
