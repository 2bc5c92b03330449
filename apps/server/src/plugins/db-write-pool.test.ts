import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../storage/pg-connect';
import { startPgCluster, type PgCluster } from '../storage/pg-harness';
import { migratePostgres } from '../storage/pg-migrations';
import { WRITE_POOL_MAX } from '../storage/postgres-start';
import { helloWrite } from '../testing/ingest-writes';
import dbPlugin from './db';

/*
 * On PostgreSQL the agents' batch commits run on a pool of their own (storage/postgres-start.ts):
 * reads that take every connection of the serving pool (a connect storm's) do not hold back a
 * commit, and so an ack. Real PostgreSQL from the harness.
 */

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
  const { pool } = await connectPostgres(cluster.url, { max: 1 });
  await migratePostgres(pool);
  await pool.end();
});
afterAll(() => cluster.stop());

describe('db plugin on PostgreSQL', () => {
  it('a batch commits while every connection of the serving pool is taken', async () => {
    const { pool } = await connectPostgres(cluster.url, { max: 2 });
    const { pool: writePool } = await connectPostgres(cluster.url, { max: WRITE_POOL_MAX });
    const app = Fastify({ logger: false });
    await app.register(dbPlugin, {
      path: ':memory:',
      postgres: { pool, writePool, where: 'the harness' },
      probeMs: 3_600_000,
    });
    await app.ready();
    const held = [await pool.connect(), await pool.connect()];
    const release = () => held.splice(0).forEach((c) => c.release());
    try {
      const read = app.repos.ingest.agents();
      expect(pool.waitingCount).toBe(1);
      // Without a pool of its own this commit waits behind the read, for as long as they hold.
      await app.writer.ingest(helloWrite('a1'));
      expect((await writePool.query('SELECT agent_id FROM agents')).rows).toEqual([
        { agent_id: 'a1' },
      ]);
      expect(pool.waitingCount).toBe(1);
      release();
      expect((await read).map((a) => a.agentId)).toEqual(['a1']);
    } finally {
      release();
      await app.close();
    }
  }, 20_000);
});
