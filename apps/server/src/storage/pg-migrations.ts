import type pg from 'pg';
import { MIGRATIONS, SchemaTooNewError, type Migration } from '../plugins/db-migrations';
import { checkOut } from './pg-connect';

/*
 * The migration list of plugins/db-migrations.ts applied to PostgreSQL: the longest prefix
 * of it whose migrations have a `postgres` variant, each in its own transaction, recorded in
 * schema_migrations like SQLite's. Replicas starting together are serialised by an advisory
 * lock, so each migration runs once.
 */

/** The migrations PostgreSQL gets today: the ported prefix of the one list. */
export function portedMigrations(list: readonly Migration[] = MIGRATIONS): Migration[] {
  const firstMissing = list.findIndex((m) => m.postgres === undefined);
  return firstMissing === -1 ? [...list] : list.slice(0, firstMissing);
}

/** Ids after the ported prefix: what PostgreSQL lacks (their modules cannot run on it yet). */
export function unportedMigrations(list: readonly Migration[] = MIGRATIONS): string[] {
  return list.slice(portedMigrations(list).length).map((m) => m.id);
}

// Any fixed 64-bit key; keepwatch's own so it cannot collide with an application's.
const MIGRATE_LOCK = 'keepwatch.migrate';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

async function recordedIds(q: Queryable): Promise<string[] | undefined> {
  const exists = await q.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (exists.rows[0]?.t == null) return undefined;
  const r = await q.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
  return r.rows.map((row) => row.id);
}

/** Ids recorded in the database that this build does not know (a downgrade); read-only. */
export async function unknownPgMigrations(
  q: Queryable,
  list: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  const known = new Set(list.map((m) => m.id));
  return ((await recordedIds(q)) ?? []).filter((id) => !known.has(id));
}

export interface PgMigrateResult {
  /** Applied by this call. */
  applied: string[];
  /** The schema the database has now (the ported prefix). */
  schema: string[];
  /** Not ported to PostgreSQL yet. */
  unported: string[];
}

/**
 * Brings the database to the ported prefix. Refuses (SchemaTooNewError, nothing changed) a
 * database holding migrations this build does not know.
 */
export async function migratePostgres(
  pool: pg.Pool,
  list: readonly Migration[] = MIGRATIONS,
): Promise<PgMigrateResult> {
  // A connection lost mid-migration fails the start with its error, not an uncaught one.
  const out = await checkOut(pool);
  const client = out.client;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATE_LOCK]);
    try {
      const unknown = await unknownPgMigrations(client, list);
      if (unknown.length > 0) throw new SchemaTooNewError(unknown);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const done = new Set((await recordedIds(client)) ?? []);
      const ported = portedMigrations(list);
      const applied: string[] = [];
      for (const m of ported) {
        if (done.has(m.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.postgres ?? '');
          await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [
            m.id,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${m.id} failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        applied.push(m.id);
      }
      return { applied, schema: ported.map((m) => m.id), unported: unportedMigrations(list) };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATE_LOCK]);
    }
  } finally {
    out.release();
  }
}
