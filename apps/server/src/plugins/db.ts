import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import fp from 'fastify-plugin';
import { BatchWriter } from './batch-writer';
import { migrate } from './db-migrations';

export interface DbPluginOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Database.Database;
    writer: BatchWriter;
  }
}

/** SQLite (WAL) with migrations and a batched writer; closed after every other plugin. */
export default fp<DbPluginOptions>(
  (app, opts, done) => {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last ones.
    db.pragma('synchronous = NORMAL');
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
    const writer = new BatchWriter(db);
    app.decorate('db', db);
    app.decorate('writer', writer);
    app.addHook('onClose', (_app, next) => {
      writer.close();
      db.close();
      next();
    });
    done();
  },
  { name: 'db', fastify: '5.x' },
);
