import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../plugins/db-migrations';
import type { NodeBinding } from '../modules/enrollment/node-binding';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { migratePostgres } from './pg-migrations';
import type { Repositories } from './repositories';
import { postgresRepositories, sqliteRepositories } from './sql-repositories';

/*
 * EnrollmentRepository.bindIfFree (ID-5 of modules/enrollment/node-binding.ts) on SQLite and a
 * real PostgreSQL. Credentials enrolled before bindings existed cannot be made through the
 * contract any more (enroll always binds), so this suite writes them with plain SQL.
 */

interface Engine {
  name: string;
  setup(): Promise<void>;
  fresh(): Promise<{ repos: Repositories; sql: (text: string) => Promise<void> }>;
  teardown(): Promise<void>;
}

function sqlite(): Engine {
  let db: Database.Database | undefined;
  return {
    name: 'sqlite',
    setup: () => Promise.resolve(),
    fresh: () => {
      db?.close();
      const d = new Database(':memory:');
      d.pragma('foreign_keys = ON');
      migrate(d);
      db = d;
      return Promise.resolve({
        repos: sqliteRepositories(d),
        sql: (text) => Promise.resolve(void d.exec(text)),
      });
    },
    teardown: () => {
      db?.close();
      return Promise.resolve();
    },
  };
}

function postgres(): Engine {
  let cluster: PgCluster | undefined;
  let pool: pg.Pool | undefined;
  return {
    name: 'postgres',
    async setup() {
      cluster = await startPgCluster();
      pool = (await connectPostgres(cluster.url)).pool;
      await migratePostgres(pool);
    },
    async fresh() {
      const p = pool;
      if (!p) throw new Error('setup first');
      await p.query('TRUNCATE agent_credentials, enrollment_tokens CASCADE');
      return {
        repos: postgresRepositories(p),
        sql: async (text) => void (await p.query(text)),
      };
    },
    async teardown() {
      await pool?.end();
      await cluster?.stop();
    },
  };
}

const T0 = 1_800_000_000_000;
const node: NodeBinding = { name: 'lb1', clusterId: 'lab', role: 'lb' };

describe.each([sqlite(), postgres()])('enrollment bindIfFree on $name', (engine) => {
  let r: Repositories;
  let sql: (text: string) => Promise<void>;
  beforeAll(() => engine.setup());
  afterAll(() => engine.teardown());
  beforeEach(async () => {
    ({ repos: r, sql } = await engine.fresh());
  });

  /** A live credential with no binding, as enrolled before bindings existed. */
  const legacy = (agentId: string): Promise<void> =>
    sql(`INSERT INTO agent_credentials (agent_id, credential_hash, hostname, enrolled_at)
         VALUES ('${agentId}', 'hash-${agentId}', '${agentId}.example', ${T0})`);

  it('binds an unbound live credential once; bound, revoked or unknown ones are not bindable', async () => {
    await legacy('old-a');
    expect(await r.enrollment.bindIfFree('old-a', node)).toEqual({ outcome: 'bound' });
    expect((await r.enrollment.credential('old-a'))?.binding).toEqual(node);
    expect(await r.enrollment.nodeHolder(node)).toBe('old-a');
    // Bound already: a later hello naming another node does not move it.
    expect(await r.enrollment.bindIfFree('old-a', { ...node, name: 'lb2' })).toEqual({
      outcome: 'not_bindable',
    });
    expect((await r.enrollment.credential('old-a'))?.binding).toEqual(node);
    await legacy('old-b');
    expect(await r.enrollment.revokeAgent('old-b', T0 + 1)).toBe(true);
    expect(await r.enrollment.bindIfFree('old-b', { ...node, name: 'lb2' })).toEqual({
      outcome: 'not_bindable',
    });
    expect(await r.enrollment.bindIfFree('nobody', { ...node, name: 'lb3' })).toEqual({
      outcome: 'not_bindable',
    });
  });

  it('a node a live credential holds is not bound to another one (ID-2/ID-3), until revoked', async () => {
    await legacy('old-a');
    await legacy('old-b');
    expect(await r.enrollment.bindIfFree('old-a', node)).toEqual({ outcome: 'bound' });
    expect(await r.enrollment.bindIfFree('old-b', node)).toEqual({
      outcome: 'node_taken',
      holder: 'old-a',
    });
    expect((await r.enrollment.credential('old-b'))?.binding).toBeNull();
    await r.enrollment.revokeAgent('old-a', T0 + 1);
    expect(await r.enrollment.bindIfFree('old-b', node)).toEqual({ outcome: 'bound' });
  });

  it('four unbound credentials binding one node at once (four replicas admitting hellos): one wins', async () => {
    const ids = ['old-1', 'old-2', 'old-3', 'old-4'];
    for (const id of ids) await legacy(id);
    // Warm connections (PostgreSQL's pool), so the transactions really run at once.
    await Promise.all(ids.map(() => r.enrollment.nodeHolder(node)));
    const outcomes = await Promise.all(ids.map((id) => r.enrollment.bindIfFree(id, node)));
    expect(outcomes.filter((o) => o.outcome === 'bound')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'node_taken')).toHaveLength(3);
    const bound = (await r.enrollment.allCredentials()).filter((c) => c.binding !== null);
    expect(bound).toHaveLength(1);
  });
});
