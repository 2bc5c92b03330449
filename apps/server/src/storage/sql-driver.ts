import type { Database, Statement } from 'better-sqlite3';
import type pg from 'pg';
import { DuplicateKeyError, type Dialect } from './repositories';
import { checkOut } from './pg-connect';

/*
 * The two dialects behind one small async interface. SQL is written once, in the portable
 * subset both engines run (docs/storage.md): `$1…$n` parameters (rewritten to named ones for
 * better-sqlite3), INTEGER/BIGINT numbers, TEXT, `RETURNING`, `ON CONFLICT … DO UPDATE`,
 * no engine functions beyond substr/length/COUNT.
 *
 * Transactions are generators that yield their statements. SQLite then runs the whole body
 * synchronously inside one better-sqlite3 transaction, so no other code of the process can
 * slip a write in between (better-sqlite3 has one connection; an async body could not promise
 * that); PostgreSQL runs the same body on one pooled client between BEGIN and COMMIT.
 */

/** A Buffer binds as BLOB (SQLite) / BYTEA (PostgreSQL) and reads back as a Buffer. */
export type SqlValue = string | number | Buffer | null;

export type TxStep =
  | { kind: 'all' | 'get' | 'run'; sql: string; params: readonly SqlValue[] }
  /** Serialises bodies that take the same lock (pg_advisory_xact_lock; SQLite: one writer anyway). */
  | { kind: 'lock'; name: string };

/** A transaction body: yield steps (each yield returns the step's result), return a value. */
export type TxBody<T> = Generator<TxStep, T, unknown>;

export const txAll = (sql: string, params: readonly SqlValue[] = []): TxStep => ({
  kind: 'all',
  sql,
  params,
});
export const txGet = (sql: string, params: readonly SqlValue[] = []): TxStep => ({
  kind: 'get',
  sql,
  params,
});
/** Yields the number of rows changed. */
export const txRun = (sql: string, params: readonly SqlValue[] = []): TxStep => ({
  kind: 'run',
  sql,
  params,
});
export const txLock = (name: string): TxStep => ({ kind: 'lock', name });

export interface SqlDriver {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** The number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  transaction<T>(body: () => TxBody<T>): Promise<T>;
}

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
};

/** node-postgres's error for a query past its query_timeout. */
const QUERY_TIMED_OUT = 'Query read timeout';

const mapError = (err: unknown): unknown =>
  isUniqueViolation(err) ? new DuplicateKeyError(err) : err;

/** `$1` → `@p1` (better-sqlite3 binds named parameters), once per SQL text. */
const toNamed = (sql: string): string => sql.replace(/\$(\d+)/g, '@p$1');

/** The values as the object better-sqlite3 binds by name (`p1`, `p2`, …). */
function bindNamed(params: readonly SqlValue[]): Record<string, SqlValue> {
  const values: Record<string, SqlValue> = {};
  for (let i = 0; i < params.length; i++) values[`p${i + 1}`] = params[i] ?? null;
  return values;
}

export function sqliteDriver(db: Database): SqlDriver {
  // Each SQL text is rewritten and prepared once for the life of the connection: the hot
  // paths (a session lookup per request, a credential per hello) run a cached statement.
  const cache = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(toNamed(sql));
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const exec = (step: TxStep): unknown => {
    if (step.kind === 'lock') return undefined;
    const stmt = prepare(step.sql);
    const values = bindNamed(step.params);
    try {
      if (step.kind === 'all') return stmt.all(values);
      // A writing statement (INSERT … RETURNING) is run to its end: get() stops at the first
      // row and loses an error of the implicit commit (SQLITE_FULL), handing back a row that
      // was never stored.
      if (step.kind === 'get') return stmt.readonly ? stmt.get(values) : stmt.all(values)[0];
      return stmt.run(values).changes;
    } catch (err) {
      throw mapError(err);
    }
  };
  const now = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    dialect: 'sqlite',
    all: <T>(sql: string, params: readonly SqlValue[] = []) =>
      now(() => exec(txAll(sql, params)) as T[]),
    get: <T>(sql: string, params: readonly SqlValue[] = []) =>
      now(() => exec(txGet(sql, params)) as T | undefined),
    run: (sql, params = []) => now(() => exec(txRun(sql, params)) as number),
    transaction: <T>(body: () => TxBody<T>) =>
      now(() =>
        db
          .transaction((): T => {
            const gen = body();
            let step = gen.next();
            while (!step.done) step = gen.next(exec(step.value));
            return step.value;
          })
          .immediate(),
      ),
  };
}

export function postgresDriver(pool: pg.Pool): SqlDriver {
  const query = async (client: pg.Pool | pg.PoolClient, step: TxStep): Promise<unknown> => {
    if (step.kind === 'lock') {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [step.name]);
      return undefined;
    }
    try {
      const r = await client.query(step.sql, step.params as SqlValue[]);
      if (step.kind === 'all') return r.rows;
      if (step.kind === 'get') return r.rows[0];
      return r.rowCount ?? 0;
    } catch (err) {
      throw mapError(err);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await query(pool, txAll(sql, params))) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await query(pool, txGet(sql, params))) as T | undefined,
    run: async (sql, params = []) => (await query(pool, txRun(sql, params))) as number,
    transaction: async <T>(body: () => TxBody<T>): Promise<T> => {
      // A connection lost while out is destroyed, not an uncaught error (pg-connect.ts).
      const out = await checkOut(pool);
      const client = out.client;
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const gen = body();
        let step = gen.next();
        while (!step.done) step = gen.next(await query(client, step.value));
        await client.query('COMMIT');
        return step.value;
      } catch (err) {
        // A query that timed out (pg-connect.ts, query_timeout) is still the connection's
        // active one: a ROLLBACK would queue behind it and time out too. Such a connection, or
        // one whose ROLLBACK fails (a cut), is destroyed, not handed back to the pool for the
        // next transaction to hang on (storage/pg-network-cut.test.ts, "stall").
        broken =
          (err as Error).message === QUERY_TIMED_OUT
            ? (err as Error)
            : await client.query('ROLLBACK').then(
                () => undefined,
                (e: unknown) => e as Error,
              );
        throw err;
      } finally {
        out.release(broken);
      }
    },
  };
}
