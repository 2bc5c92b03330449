import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectPostgres } from '../storage/pg-connect';
import { startPgCluster, type PgCluster } from '../storage/pg-harness';

/*
 * A throwaway PostgreSQL cluster (storage/pg-harness.ts) and a pool on it for the tests of the
 * describe block this is called in: started before them, ended and removed after, also when
 * one fails.
 */
export function pgSuite(): { cluster(): PgCluster; pool(): pg.Pool } {
  let cluster: PgCluster | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    cluster = await startPgCluster();
    pool = (await connectPostgres(cluster.url)).pool;
  });
  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('pgSuite: used before its beforeAll ran');
    return v;
  };
  return { cluster: () => started(cluster), pool: () => started(pool) };
}
