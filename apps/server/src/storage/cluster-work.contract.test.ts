import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { PushView } from '@keepwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../plugins/db-migrations';
import { drillRow } from '../testing/drill-rows';
import type { NewDrill } from './drill-repository';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { migratePostgres } from './pg-migrations';
import type { Repositories } from './repositories';
import { postgresRepositories, sqliteRepositories } from './sql-repositories';

/*
 * Config SPEC PU-15 / drills SPEC RS-6: a drill and a config push of one cluster exclude each
 * other in the database, across replicas. Two replicas are two stores on one database: two
 * better-sqlite3 connections on one WAL file, or two pools on one real PostgreSQL (its own
 * throwaway cluster), as two server processes would have.
 */

const T0 = 1_800_000_000_000;

const drill = (id: string, clusterId: string, owner: string): NewDrill =>
  drillRow(id, clusterId, owner, { startedAt: T0 });

const push = (id: string, clusterId: string): PushView => ({
  id,
  clusterId,
  status: 'running',
  hosts: [],
  summary: '',
  message: 'tune',
  author: 'bob',
  dryRun: false,
  createdAt: T0,
});

interface TwoReplicas {
  name: string;
  setup(): Promise<[Repositories, Repositories]>;
  teardown(): Promise<void>;
}

function sqliteReplicas(): TwoReplicas {
  const dir = mkdtempSync(join(tmpdir(), 'kw-cluster-work-'));
  const dbs: Database.Database[] = [];
  const open = (): Repositories => {
    const db = new Database(join(dir, 'keepwatch.db'));
    db.pragma('journal_mode = WAL');
    dbs.push(db);
    return sqliteRepositories(db);
  };
  return {
    name: 'sqlite',
    setup: () => {
      const a = open();
      migrate(dbs[0] as Database.Database);
      return Promise.resolve([a, open()]);
    },
    teardown: () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresReplicas(): TwoReplicas {
  let cluster: PgCluster | undefined;
  const pools: pg.Pool[] = [];
  return {
    name: 'postgres',
    async setup() {
      cluster = await startPgCluster();
      for (let i = 0; i < 2; i++) pools.push((await connectPostgres(cluster.url)).pool);
      await migratePostgres(pools[0] as pg.Pool);
      return [postgresRepositories(pools[0] as pg.Pool), postgresRepositories(pools[1] as pg.Pool)];
    },
    async teardown() {
      for (const pool of pools) await pool.end();
      await cluster?.stop();
    },
  };
}

describe.each([sqliteReplicas(), postgresReplicas()])('cluster work on $name', (replicas) => {
  let a: Repositories;
  let b: Repositories;
  beforeAll(async () => {
    [a, b] = await replicas.setup();
  });
  afterAll(() => replicas.teardown());

  it('PU-15/RS-6: a push is refused while a drill of its cluster runs on another replica, and a drill while a push runs; naming it', async () => {
    expect(await a.drills.insert(drill('dr-1', 'seq-1', 'A'))).toEqual({ ok: true });
    expect(await b.config.createPush(push('push-1', 'seq-1'), [], 'B')).toEqual({
      ok: false,
      holder: { kind: 'drill', id: 'dr-1', by: 'alice', owner: 'A' },
    });
    expect(await b.config.push('push-1')).toBeUndefined();

    expect(await b.config.createPush(push('push-2', 'seq-2'), [], 'B')).toEqual({ ok: true });
    expect(await a.drills.insert(drill('dr-2', 'seq-2', 'A'))).toEqual({
      ok: false,
      holder: { kind: 'push', id: 'push-2', by: 'bob', owner: 'B' },
    });
    expect(await a.drills.get('dr-2')).toBeUndefined();

    // Once the drill ended and the push was interrupted, each cluster takes the other kind.
    await a.drills.update('dr-1', { status: 'passed', endedAt: T0 + 1 });
    expect(await b.config.createPush(push('push-3', 'seq-1'), [], 'B')).toEqual({ ok: true });
    await b.config.interruptPush({ ...push('push-2', 'seq-2'), status: 'interrupted' });
    expect(await a.drills.insert(drill('dr-3', 'seq-2', 'A'))).toEqual({ ok: true });
  });

  it('PU-15/RS-6: a drill and a push of one cluster started at once on two replicas: exactly one is stored', async () => {
    // Repeated, both orders: one round can serialise by luck; the lock must hold every time.
    for (let round = 0; round < 20; round++) {
      const c = `race-${round}`;
      const startDrill = () => a.drills.insert(drill(`dr-r${round}`, c, 'A'));
      const startPush = () => b.config.createPush(push(`push-r${round}`, c), [], 'B');
      const [d, p] =
        round % 2 === 0
          ? await Promise.all([startDrill(), startPush()])
          : await Promise.all([startPush(), startDrill()]).then(([p2, d2]) => [d2, p2] as const);
      expect([d.ok, p.ok].filter(Boolean)).toHaveLength(1);
      const stored = [
        ...(await a.drills.list(c, 10)).map((x) => x.id),
        ...(await b.config.pushes(c)).map((x) => x.id),
      ];
      expect(stored).toEqual([d.ok ? `dr-r${round}` : `push-r${round}`]);
      // The refused start names the stored one.
      expect(d.ok ? p : d).toEqual({
        ok: false,
        holder: d.ok
          ? { kind: 'drill', id: `dr-r${round}`, by: 'alice', owner: 'A' }
          : { kind: 'push', id: `push-r${round}`, by: 'bob', owner: 'B' },
      });
    }
  });

  it('PU-15/RS-6: a drill and a push of different clusters started at once on two replicas both proceed', async () => {
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.all([
        a.drills.insert(drill(`dr-free-${round}`, `free-d-${round}`, 'A')),
        b.config.createPush(push(`push-free-${round}`, `free-p-${round}`), [], 'B'),
      ]);
      expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    }
  });
});
