import { SchemaTooNewError } from '../plugins/db-migrations';
import { connectPostgres, type PgConnectOptions } from './pg-connect';
import { unknownPgMigrations, unportedMigrations } from './pg-migrations';
import { redactUrl } from './pg-url';
import { StorageStartError } from './storage-errors';

/** Repositories with a PostgreSQL implementation (docs/storage.md keeps the full picture). */
export const PG_REPOSITORIES: readonly string[] = [
  'users',
  'sessions',
  'API tokens',
  'enrollment',
  'audit',
];

/**
 * KEEPWATCH_DATABASE_URL at start: reaches PostgreSQL (or refuses with the reason), refuses a
 * schema from a newer Keepwatch, then refuses anyway while the server's modules still read
 * and write SQLite only, rather than split the data across two stores behind the operator's
 * back (issue 12, docs/storage.md). Read-only: nothing is created in the database.
 */
export async function checkPostgresAtStart(
  url: string,
  opts: PgConnectOptions = {},
): Promise<never> {
  const where = redactUrl(url);
  const { pool, serverVersion } = await connectPostgres(url, opts);
  let unknown: string[];
  try {
    unknown = await unknownPgMigrations(pool);
  } catch (err) {
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): cannot read the schema: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await pool.end();
  }
  const unported = unportedMigrations();
  if (unknown.length > 0)
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): ${new SchemaTooNewError(unknown).message}`,
    );
  throw new StorageStartError(
    `KEEPWATCH_DATABASE_URL (${where}): PostgreSQL ${serverVersion} is reachable, but ` +
      'this Keepwatch cannot run on it yet: its modules still store their data in SQLite only ' +
      `(repositories with a PostgreSQL implementation, not yet used by the modules: ${PG_REPOSITORIES.join(', ')}; ` +
      `${unported.length > 0 ? `migrations not ported: ${unported.join(', ')}` : 'the schema itself is ported'}; see docs/storage.md). ` +
      'Unset KEEPWATCH_DATABASE_URL to run on SQLite in KEEPWATCH_DATA.',
  );
}
