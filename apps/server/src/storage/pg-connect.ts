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

/*
 * Timeouts for a path to PostgreSQL that breaks without closing (a network cut that
 * black-holes packets, a VIP moved under open connections): without them a query on such a
 * connection waits forever, the batch writer with it, and the server acks nothing again even
 * after the network healed (storage/pg-network-cut.test.ts, "stall", fails without them: seq 9
 * never acked within 45 s). Measured there (3 s stall, 127.0.0.1): heal → first new ack
 * about QUERY_TIMEOUT_MS after the cut began, less the cut's length.
 *  - query_timeout (client side): a query unanswered for 10 s fails and its connection is
 *    thrown away. Every query the running server makes takes milliseconds (the 10,000-agent
 *    bench's p99 write is well under a second); 10 s bounds how long a stall blocks ingest.
 *    Not so the migrations at start and copy-to-postgres (purpose 'migrate'): one statement
 *    there may build an index on a large table, count or commit a big copy, or wait for a
 *    running server's locks, so their connections wait up to an hour.
 *  - keepAlive: TCP keepalive from 10 s idle, so an idle pooled connection or the change
 *    feed's LISTEN connection on a black-holed path is reset by the kernel (not measurable
 *    through the test relay: its kernel answers the probes; the feed also has a heartbeat of
 *    its own, change-feed.ts).
 *  - idle_in_transaction_session_timeout (server side, 30 s): a transaction whose client
 *    vanished mid-way releases its row locks (leases, agents) for the other replica.
 * A connection attempt gives up after connectTimeoutMs (5 s), which also bounds a wait for a
 * free pooled connection.
 */
export const QUERY_TIMEOUT_MS = 10_000;
export const MIGRATION_QUERY_TIMEOUT_MS = 60 * 60_000;
const KEEPALIVE_IDLE_MS = 10_000;
const IDLE_IN_TX_TIMEOUT_MS = 30_000;

/** 'serve': the running server's pool and change feed; 'migrate': migrations, copy-to-postgres. */
export type PgPurpose = 'serve' | 'migrate';

/** The settings of every connection to PostgreSQL; only query_timeout differs by purpose. */
export function pgClientConfig(url: string, purpose: PgPurpose = 'serve'): pg.ClientConfig {
  return {
    connectionString: url,
    query_timeout: purpose === 'migrate' ? MIGRATION_QUERY_TIMEOUT_MS : QUERY_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TX_TIMEOUT_MS,
  };
}

export interface PgConnectOptions {
  /** Give up on an unreachable server after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Pool size; default 10. */
  max?: number;
  /** Told about an error on an idle pooled connection (PostgreSQL restarted, network cut). */
  onIdleError?: (err: Error) => void;
  /** Whose pool: the running server's (default) or migrations' and copies' (long queries). */
  purpose?: PgPurpose;
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
    ...pgClientConfig(url, opts.purpose),
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

/** A client taken from a pool with checkOut; release() hands it back, or destroys it if broken. */
export interface CheckedOut {
  client: pg.PoolClient;
  /** The connection's own error while it was out (it ended: PostgreSQL stopped, a cut). */
  readonly lost: Error | undefined;
  /** Back to the pool; destroyed instead if `err` is given or the connection was lost. */
  release(err?: Error): void;
}

/**
 * pool.connect() for code that holds a client across several queries. A connection that ends
 * while checked out fails the query in hand and also emits 'error' on the client; the pool
 * listens only while it is idle, so without a listener that error is an uncaught exception and
 * the process exits (storage/pg-async-standby.test.ts, PostgreSQL stopped during a COMMIT).
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    get lost() {
      return lost;
    },
    release(err?: Error) {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      client.release(err ?? lost);
    },
  };
}
