import type pg from 'pg';
import { SchemaTooNewError } from '../plugins/db-migrations';
import { connectPostgres, type PgConnectOptions } from './pg-connect';
import { migratePostgres, unknownPgMigrations, unportedMigrations } from './pg-migrations';
import { redactUrl } from './pg-url';
import { StorageStartError } from './storage-errors';

export interface PostgresAtStart {
  pool: pg.Pool;
  /**
   * The agents' batch commits' own connection (plugins/db.ts): on the shared pool a commit
   * waited behind the reads of a connect storm, up to 3.6 s for a connection (the replicas
   * bench, `pnpm bench ingest-replicas`, 10,000 agents), and every ack with it.
   */
  writePool: pg.Pool;
  serverVersion: string;
  /** The URL without its password, for logs. */
  where: string;
  /** Migrations this start applied. */
  applied: string[];
}

/**
 * KEEPWATCH_DATABASE_URL at start (issue 12, docs/storage.md): reaches PostgreSQL (or refuses
 * with the reason: no fallback to SQLite), refuses a schema from a newer Keepwatch before any
 * change, then applies the migrations (serialised across replicas starting together) and
 * hands back the pool the server runs on. Any refusal ends the pool again. The migrations
 * run on a connection of their own whose queries may take long (pg-connect.ts, 'migrate'):
 * building an index on a large table outlasts the serving pool's 10 s query_timeout. The
 * agents' batch commits get a pool of their own (WRITE_POOL_MAX: they run one at a time).
 */
/** Connections of the commit pool: the batch writer commits one batch at a time. */
export const WRITE_POOL_MAX = 1;

export async function startPostgres(
  url: string,
  opts: PgConnectOptions = {},
): Promise<PostgresAtStart> {
  const where = redactUrl(url);
  const { pool, serverVersion } = await connectPostgres(url, opts);
  try {
    const migrator = await connectPostgres(url, { ...opts, max: 1, purpose: 'migrate' });
    try {
      const applied = await migrate(migrator.pool, where);
      const writes = await connectPostgres(url, { ...opts, max: WRITE_POOL_MAX });
      return { pool, writePool: writes.pool, serverVersion, where, applied };
    } finally {
      await migrator.pool.end().catch(() => undefined);
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** The refusals and the migrations of startPostgres, on the migration pool. */
async function migrate(pool: pg.Pool, where: string): Promise<string[]> {
  let unknown: string[];
  try {
    unknown = await unknownPgMigrations(pool);
  } catch (err) {
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): cannot read the schema: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (unknown.length > 0)
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): ${new SchemaTooNewError(unknown).message}`,
    );
  const unported = unportedMigrations();
  if (unported.length > 0)
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): this Keepwatch cannot run on PostgreSQL: ` +
        `migrations not ported: ${unported.join(', ')}. Unset KEEPWATCH_DATABASE_URL to run on SQLite.`,
    );
  try {
    return (await migratePostgres(pool)).applied;
  } catch (err) {
    if (err instanceof SchemaTooNewError)
      throw new StorageStartError(`KEEPWATCH_DATABASE_URL (${where}): ${err.message}`);
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): migrating the schema failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
