import pg from 'pg';
import { redactUrl } from './pg-url';
import { StorageStartError } from './storage-errors';

/** The oldest PostgreSQL the schema is written for (Debian 12 ships 15). */
export const MIN_PG_VERSION_NUM = 130000;

/*
 * int8 (BIGINT: millisecond timestamps, ids, COUNT(*)) as a JS number, as better-sqlite3
 * gives them: every value Keepwatch stores is far below 2^53. node-postgres's default is a
 * string. Per pool, not the global pg.types, so nothing else in the process is affected.
 */
const INT8_OID = 20;
const parseInt8 = (v: string): number => Number(v);
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : (pg.types.getTypeParser(
          oid,
          format ?? 'text',
        ) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgConnectOptions {
  /** Give up on an unreachable server after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Pool size; default 10. */
  max?: number;
  /** Told about an error on an idle pooled connection (PostgreSQL restarted, network cut). */
  onIdleError?: (err: Error) => void;
}

export interface PgConnection {
  pool: pg.Pool;
  /** SHOW server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  serverVersion: string;
}

/** Why a connection failed, in words an operator can act on (pg error codes → a hint). */
function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  switch (e.code ?? '') {
    case 'ECONNREFUSED':
      return `${message} (is PostgreSQL running and listening there?)`;
    case 'ENOTFOUND':
      return `${message} (unknown host name)`;
    case '28P01':
    case '28000':
      return `${message} (check the user and password in the URL, and pg_hba.conf)`;
    case '3D000':
      return `${message} (create it first: createdb)`;
    default:
      return message;
  }
}

/**
 * A pool on `url` whose first connection has been made and checked (version), or a
 * StorageStartError saying why not. The pool is closed again on failure.
 */
export async function connectPostgres(
  url: string,
  opts: PgConnectOptions = {},
): Promise<PgConnection> {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    max: opts.max ?? 10,
    types: PG_TYPES,
  });
  // Without a listener an idle client's error (server restart) would crash the process.
  pool.on('error', (err) => opts.onIdleError?.(err));
  const where = redactUrl(url);
  try {
    const r = await pool.query<{ num: string; version: string }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version",
    );
    const row = r.rows[0];
    if (!row) throw new Error('the server answered no row to a version query');
    if (Number(row.num) < MIN_PG_VERSION_NUM) {
      throw new StorageStartError(
        `KEEPWATCH_DATABASE_URL (${where}): PostgreSQL ${row.version} is too old; Keepwatch needs 13 or newer`,
      );
    }
    return { pool, serverVersion: row.version };
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StorageStartError) throw err;
    throw new StorageStartError(
      `KEEPWATCH_DATABASE_URL (${where}): cannot use PostgreSQL: ${reasonOf(err)}`,
      { cause: err },
    );
  }
}
