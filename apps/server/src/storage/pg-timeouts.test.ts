import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../plugins/db-migrations';
import { copySqliteToPostgres } from './copy-to-postgres';
import {
  MIGRATION_QUERY_TIMEOUT_MS,
  QUERY_TIMEOUT_MS,
  connectPostgres,
  pgClientConfig,
} from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { startPostgres } from './postgres-start';

/*
 * The client-side query_timeout by purpose (pg-connect.ts): the running server's connections
 * give up on a query after 10 s (a stalled path), the migrations at start and
 * copy-to-postgres wait up to an hour (an index built on a large table, a big copy's COUNT
 * and COMMIT). Asserted on the config, on what each path's queries actually ran with (a real
 * throwaway PostgreSQL), and on PostgreSQL itself: an 11 s statement is cut on a serving
 * connection and completes on a migration one.
 */

let cluster: PgCluster;
const dir = mkdtempSync(join(tmpdir(), 'kw-pg-timeouts-'));

beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function databaseOf(name: string): Promise<string> {
  const { pool } = await connectPostgres(cluster.url);
  await pool.query(`CREATE DATABASE ${name}`);
  await pool.end();
  return cluster.url.replace(/\/keepwatch(\?|$)/, `/${name}$1`);
}

/** Every query sent from now on, with the query_timeout of the connection it ran on. */
function recordQueries(): () => { sql: string; timeout: number | undefined }[] {
  const spy = vi.spyOn(pg.Client.prototype, 'query'); // calls through
  return () =>
    spy.mock.calls.map((args, i) => {
      const first: unknown = args[0];
      const client = spy.mock.contexts[i] as { connectionParameters: { query_timeout?: number } };
      return {
        sql: typeof first === 'string' ? first : String((first as { text?: unknown }).text),
        timeout: client.connectionParameters.query_timeout,
      };
    });
}

describe('query_timeout by purpose', () => {
  it('pgClientConfig: 10 s to serve, an hour to migrate, everything else the same', () => {
    const url = 'postgres://kw@db.example:5432/keepwatch';
    const { query_timeout: serve, ...serveRest } = pgClientConfig(url);
    const { query_timeout: mig, ...migRest } = pgClientConfig(url, 'migrate');
    expect(serve).toBe(10_000);
    expect(QUERY_TIMEOUT_MS).toBe(10_000);
    expect(mig).toBe(MIGRATION_QUERY_TIMEOUT_MS);
    expect(MIGRATION_QUERY_TIMEOUT_MS).toBeGreaterThanOrEqual(60 * 60_000);
    expect(migRest).toEqual(serveRest);
  });

  it('startPostgres: the migrations run with the long timeout, the pool it hands back keeps 10 s', async () => {
    const url = await databaseOf('kw_start');
    const queries = recordQueries();
    const started = await startPostgres(url);
    try {
      const seen = queries();
      expect(started.applied.length).toBeGreaterThan(0);
      expect(started.pool.options.query_timeout).toBe(QUERY_TIMEOUT_MS);
      expect(started.writePool.options.query_timeout).toBe(QUERY_TIMEOUT_MS);
      const migration = seen.filter((q) => /schema_migrations|pg_advisory_lock/.test(q.sql));
      expect(migration.length).toBeGreaterThan(started.applied.length);
      expect(new Set(migration.map((q) => q.timeout))).toEqual(
        new Set([MIGRATION_QUERY_TIMEOUT_MS]),
      );
      const served = await started.pool.query<{ one: number }>('SELECT 1 AS one');
      expect(served.rows).toEqual([{ one: 1 }]);
      expect(queries().at(-1)).toEqual({ sql: 'SELECT 1 AS one', timeout: QUERY_TIMEOUT_MS });
    } finally {
      await started.pool.end();
      await started.writePool.end();
    }
  });

  it('copy-to-postgres: every statement of the copy runs with the long timeout', async () => {
    const file = join(dir, 'source.db');
    const src = new Database(file);
    migrate(src);
    src.close();
    const url = await databaseOf('kw_copy');
    const queries = recordQueries();
    const result = await copySqliteToPostgres(file, url);
    const seen = queries();
    expect(result.tables.length).toBeGreaterThan(5);
    const copy = seen.filter((q) => /^(LOCK TABLE|SELECT COUNT|COMMIT)/.test(q.sql));
    expect(copy.length).toBeGreaterThan(result.tables.length);
    expect(new Set(seen.map((q) => q.timeout))).toEqual(new Set([MIGRATION_QUERY_TIMEOUT_MS]));
  });

  it('an 11 s statement: cut at 10 s on a serving connection, completed on a migration one', async () => {
    const serve = await connectPostgres(cluster.url, { max: 1 });
    const migrator = await connectPostgres(cluster.url, { max: 1, purpose: 'migrate' });
    try {
      const began = Date.now();
      const [cut, done] = await Promise.allSettled([
        serve.pool.query('SELECT pg_sleep(11)'),
        migrator.pool.query('SELECT pg_sleep(11) AS slept'),
      ]);
      expect(cut.status).toBe('rejected');
      expect(cut.status === 'rejected' && (cut.reason as Error).message).toMatch(
        /Query read timeout/,
      );
      expect(done.status).toBe('fulfilled');
      expect(Date.now() - began).toBeGreaterThanOrEqual(11_000);
    } finally {
      await serve.pool.end().catch(() => undefined);
      await migrator.pool.end().catch(() => undefined);
    }
  }, 30_000);
});
