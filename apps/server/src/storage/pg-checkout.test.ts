import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOut, connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';

/*
 * checkOut (pg-connect.ts) on a real PostgreSQL: a held client whose connection is ended by the
 * server does not throw an uncaught error (vitest fails a run on one), and is not handed back.
 */

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(() => cluster.stop());

describe('checkOut', () => {
  it('a connection ended while checked out is noted, then destroyed on release', async () => {
    const { pool } = await connectPostgres(cluster.url, { max: 2 });
    const admin = await connectPostgres(cluster.url, { max: 1 });
    try {
      const out = await checkOut(pool);
      const pid = (await out.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0]?.pid;
      const ended = new Promise<void>((resolve) => out.client.once('end', resolve));
      await admin.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await ended;
      expect(out.lost).toBeInstanceOf(Error);
      out.release();
      expect(pool.totalCount).toBe(0);
      // The pool carries on with a new connection.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.pool.end();
      await pool.end();
    }
  });
});
