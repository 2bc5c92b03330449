import Database from 'better-sqlite3';
import type pg from 'pg';
import { migrate } from '../plugins/db-migrations';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { migratePostgres } from './pg-migrations';
import type { Repositories } from './repositories';
import { postgresRepositories, sqliteRepositories } from './sql-repositories';

/*
 * The two engines the storage contract suites run on: SQLite (:memory:, the production
 * migrations) and a real PostgreSQL from the harness (its own throwaway cluster per suite).
 * fresh() hands out repositories over empty tables.
 */

export interface Backend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<void>;
  fresh(): Promise<Repositories>;
  /** Plain SQL on the current database, for rows the contract cannot make (old shapes). */
  exec(text: string): Promise<void>;
  teardown(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let db: Database.Database | undefined;
  return {
    name: 'sqlite',
    setup: () => Promise.resolve(),
    fresh: () => {
      db?.close();
      db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return Promise.resolve(sqliteRepositories(db));
    },
    exec: (text) => {
      if (!db) throw new Error('fresh first');
      db.exec(text);
      return Promise.resolve();
    },
    teardown: () => {
      db?.close();
      return Promise.resolve();
    },
  };
}

export function postgresBackend(): Backend {
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
      if (!pool) throw new Error('setup first');
      // Every table of the schema, so each suite's tests start from empty ones.
      const tables = await pool.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
      );
      await pool.query(
        `TRUNCATE ${tables.rows.map((r) => `"${r.t}"`).join(', ')} RESTART IDENTITY CASCADE`,
      );
      return postgresRepositories(pool);
    },
    async exec(text) {
      if (!pool) throw new Error('setup first');
      await pool.query(text);
    },
    async teardown() {
      await pool?.end();
      await cluster?.stop();
    },
  };
}
