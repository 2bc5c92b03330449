import { connectPostgres, type PgConnectOptions } from './pg-connect';
import { redactUrl } from './pg-url';
import { StorageStartError } from './storage-errors';

/** What runs on PostgreSQL so far (docs/storage.md keeps the full list). */
export const PG_READY_MODULES: readonly string[] = [];

/**
 * KEEPWATCH_DATABASE_URL at start: reaches PostgreSQL (or refuses with the reason), then
 * refuses anyway while the server's modules still read and write SQLite only, rather than
 * split the data across two stores behind the operator's back (issue 12, docs/storage.md).
 */
export async function checkPostgresAtStart(
  url: string,
  opts: PgConnectOptions = {},
): Promise<never> {
  const { pool, serverVersion } = await connectPostgres(url, opts);
  await pool.end();
  throw new StorageStartError(
    `KEEPWATCH_DATABASE_URL (${redactUrl(url)}): PostgreSQL ${serverVersion} is reachable, but ` +
      'this Keepwatch cannot run on it yet: its modules still store their data in SQLite only ' +
      `(on PostgreSQL so far: ${PG_READY_MODULES.length > 0 ? PG_READY_MODULES.join(', ') : 'nothing'}; see docs/storage.md). ` +
      'Unset KEEPWATCH_DATABASE_URL to run on SQLite in KEEPWATCH_DATA.',
  );
}
