import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Repositories } from '../storage/repositories';
import { postgresDriver, sqliteDriver, type SqlDriver } from '../storage/sql-driver';
import { SqlIngest } from '../storage/sql-ingest';
import { sqlRepositories } from '../storage/sql-repositories';
import { BatchWriter } from './batch-writer';
import { migrate } from './db-migrations';
import { StorageHealth } from './storage-health';

export interface DbPluginOptions {
  /** SQLite file path, or ':memory:' for tests; unused when `postgres` is given. */
  path: string;
  /**
   * PostgreSQL instead of SQLite (KEEPWATCH_DATABASE_URL): a pool already connected and
   * migrated by storage/postgres-start.ts, and the batch writer's own (`writePool`, else it
   * commits on `pool`). Ended when the app closes.
   */
  postgres?: { pool: pg.Pool; writePool?: pg.Pool; where: string };
  now?: () => number;
  /** How often a failing store is probed with a real write; default 5 s. */
  probeMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The SQLite handle: SQLite only, for tests and tools (no module reads it). On PostgreSQL
     * reading it throws; everything goes through `repos`.
     */
    db: Database.Database;
    writer: BatchWriter;
    /** The storage contract (storage/repositories.ts) on this store, SQLite or PostgreSQL. */
    repos: Repositories;
    /** Whether writes reach the store (plugins/storage-health.ts). */
    storage: StorageHealth;
  }
}

export const STORAGE_PROBE_MS = 5_000;

const PROBE_SQL =
  'INSERT INTO storage_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at';

/** While writes fail, rewrites one row now and then: its commit is what "recovered" means. */
function startProbe(q: SqlDriver, storage: StorageHealth, now: () => number, ms: number) {
  const timer = setInterval(
    storage.guard('storage probe', async () => {
      if (storage.ok) return;
      await q.run(PROBE_SQL, [now()]);
      storage.succeeded('storage probe');
    }),
    ms,
  );
  timer.unref();
  return timer;
}

/**
 * On PostgreSQL a batch is flushed as soon as the commit before it settled (batch-writer.ts
 * gathers what arrives meanwhile): a commit is a round trip, not an fsync of the whole file,
 * and the 20 ms SQLite waits to gather was most of a failover's way to the other replica.
 */
const PG_BATCH_INTERVAL_MS = 0;

/** Opens the SQLite file (WAL) and migrates it; a refused downgrade leaves it closed. */
function openSqlite(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL + FULL: every commit is fsynced before it returns, so an ack sent after the batch
  // commits (agents' events) survives an OS crash or power loss too, not only a process crash.
  // One fsync per batch (plugins/batch-writer.ts); cost measured in modules/agents/README.md.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db);
  } catch (err) {
    // A refused downgrade (SchemaTooNewError) leaves the file closed and untouched.
    db.close();
    throw err;
  }
  return db;
}

/**
 * The store (SQLite in KEEPWATCH_DATA, or PostgreSQL), its repositories and the agents'
 * batched writer; closed after every other plugin.
 */
export default fp<DbPluginOptions>(
  (app, opts, done) => {
    const now = opts.now ?? Date.now;
    let db: Database.Database | undefined;
    let driver: SqlDriver;
    let commits: SqlDriver | undefined;
    if (opts.postgres) {
      driver = postgresDriver(opts.postgres.pool);
      if (opts.postgres.writePool) commits = postgresDriver(opts.postgres.writePool);
    } else {
      try {
        db = openSqlite(opts.path);
      } catch (err) {
        done(err as Error);
        return;
      }
      driver = sqliteDriver(db);
    }
    const storage = new StorageHealth({
      now,
      log: app.log,
      dataDir: opts.postgres || opts.path === ':memory:' ? undefined : dirname(opts.path),
      ...(opts.postgres && { where: `PostgreSQL ${opts.postgres.where}` }),
    });
    const repos = sqlRepositories(driver);
    // On PostgreSQL the commits do not wait for a connection behind the reads (postgres-start.ts).
    const writer = new BatchWriter(commits ? new SqlIngest(commits) : repos.ingest, {
      ...(opts.postgres && { intervalMs: PG_BATCH_INTERVAL_MS }),
      onCommit: () => storage.succeeded('batched write'),
      onError: (err) => storage.failed(err, 'batched write'),
    });
    const probe = startProbe(driver, storage, now, opts.probeMs ?? STORAGE_PROBE_MS);
    if (db) app.decorate('db', db);
    else
      app.decorate('db', {
        getter(): never {
          throw new Error('app.db is the SQLite handle; on PostgreSQL use app.repos');
        },
      });
    app.decorate('writer', writer);
    app.decorate('repos', repos);
    app.decorate('storage', storage);
    const pool = opts.postgres?.pool;
    const writePool = opts.postgres?.writePool;
    app.addHook('onClose', async () => {
      clearInterval(probe);
      await writer.close();
      db?.close();
      await writePool?.end();
      await pool?.end();
    });
    done();
  },
  { name: 'db', fastify: '5.x' },
);
