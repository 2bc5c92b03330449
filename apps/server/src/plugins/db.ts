import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import fp from 'fastify-plugin';
import type { Repositories } from '../storage/repositories';
import { sqliteRepositories } from '../storage/sql-repositories';
import { BatchWriter } from './batch-writer';
import { migrate } from './db-migrations';
import { StorageHealth } from './storage-health';

export interface DbPluginOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  now?: () => number;
  /** How often a failing data folder is probed with a real write; default 5 s. */
  probeMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Database.Database;
    writer: BatchWriter;
    /**
     * The storage contract (storage/repositories.ts) on this database: the modules moved
     * onto it so far read and write through it (docs/storage.md lists which).
     */
    repos: Repositories;
    /** Whether writes reach the data folder (plugins/storage-health.ts). */
    storage: StorageHealth;
  }
}

export const STORAGE_PROBE_MS = 5_000;

/** While writes fail, rewrites one row now and then: its commit is what "recovered" means. */
function startProbe(db: Database.Database, storage: StorageHealth, now: () => number, ms: number) {
  const probe = db.prepare(
    'INSERT INTO storage_probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at',
  );
  const timer = setInterval(
    storage.guard('storage probe', () => {
      if (storage.ok) return;
      probe.run(now());
      storage.succeeded('storage probe');
    }),
    ms,
  );
  timer.unref();
  return timer;
}

/** SQLite (WAL) with migrations and a batched writer; closed after every other plugin. */
export default fp<DbPluginOptions>(
  (app, opts, done) => {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path);
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
      done(err as Error);
      return;
    }
    const now = opts.now ?? Date.now;
    const storage = new StorageHealth({
      now,
      log: app.log,
      dataDir: opts.path === ':memory:' ? undefined : dirname(opts.path),
    });
    const repos = sqliteRepositories(db);
    const writer = new BatchWriter(repos.ingest, {
      onCommit: () => storage.succeeded('batched write'),
      onError: (err) => storage.failed(err, 'batched write'),
    });
    const probe = startProbe(db, storage, now, opts.probeMs ?? STORAGE_PROBE_MS);
    app.decorate('db', db);
    app.decorate('writer', writer);
    app.decorate('repos', repos);
    app.decorate('storage', storage);
    app.addHook('onClose', async () => {
      clearInterval(probe);
      await writer.close();
      db.close();
    });
    done();
  },
  { name: 'db', fastify: '5.x' },
);
