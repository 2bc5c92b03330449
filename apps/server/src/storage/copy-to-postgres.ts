import Database from 'better-sqlite3';
import type pg from 'pg';
import { KNOWN_MIGRATIONS, SchemaTooNewError, unknownMigrations } from '../plugins/db-migrations';
import { checkOut, connectPostgres } from './pg-connect';
import { migratePostgres, unknownPgMigrations } from './pg-migrations';
import { redactUrl } from './pg-url';

/*
 * The migration path to PostgreSQL (issue 12 item 4): `server.mjs copy-to-postgres <url>`
 * copies an existing SQLite database, every table, into an empty PostgreSQL database, then
 * compares the row counts table by table. It refuses a target that holds any Keepwatch row
 * (nothing is merged or overwritten), a source that is not fully migrated, and a schema from
 * a newer Keepwatch on either side. The copy is one PostgreSQL transaction read from one
 * SQLite read transaction (a consistent snapshot even if a server still writes the file):
 * a failure or a count mismatch leaves the target as it was.
 */

export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

export interface CopyResult {
  /** Rows per table, equal on both sides (checked). */
  tables: { table: string; rows: number }[];
  schema: string;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const ROWS_PER_INSERT = 500;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Tables in an order where each comes after the tables its foreign keys point to. */
function tablesInDependencyOrder(db: Database.Database): string[] {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const deps = new Map(
    names.map((n) => [
      n,
      (db.prepare(`PRAGMA foreign_key_list(${quote(n)})`).all() as { table: string }[])
        .map((f) => f.table)
        .filter((t) => t !== n),
    ]),
  );
  const out: string[] = [];
  const placed = new Set<string>();
  // Bounded: each pass places at least one table, else the schema has a cycle.
  for (let pass = 0; out.length < names.length; pass++) {
    if (pass > names.length) throw new Error('foreign keys form a cycle: cannot order the copy');
    for (const n of names) {
      if (placed.has(n)) continue;
      if ((deps.get(n) ?? []).every((d) => placed.has(d))) {
        out.push(n);
        placed.add(n);
      }
    }
  }
  return out;
}

function checkSource(db: Database.Database, file: string): string {
  const unknown = unknownMigrations(db);
  if (unknown.length > 0) throw new SchemaTooNewError(unknown);
  const applied = new Set(
    (db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id),
  );
  const missing = KNOWN_MIGRATIONS.filter((id) => !applied.has(id));
  if (missing.length > 0)
    throw new CopyRefusedError(
      `${file} is not fully migrated (missing ${missing.join(', ')}): start this Keepwatch ` +
        'on it once (SQLite), stop it, then copy',
    );
  return KNOWN_MIGRATIONS[KNOWN_MIGRATIONS.length - 1] ?? '';
}

async function rowsIn(q: Pick<pg.PoolClient, 'query'>, table: string): Promise<number> {
  const r = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
  return Number(r.rows[0]?.n ?? 0);
}

/** Identity columns continue after the copied ids (else the next insert would collide). */
async function advanceIdentities(client: pg.PoolClient, tables: readonly string[]): Promise<void> {
  const ids = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'",
  );
  for (const { table_name: t, column_name: c } of ids.rows) {
    if (!tables.includes(t)) continue;
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT MAX(${quote(c)}) FROM ${quote(t)}), 0), 1), (SELECT COUNT(*) > 0 FROM ${quote(t)}))`,
      [t, c],
    );
  }
}

/**
 * Copies the SQLite database `file` into the (empty) PostgreSQL database at `url`. Throws
 * CopyRefusedError / SchemaTooNewError / StorageStartError with the reason; `progress` is
 * told each table as it is copied.
 */
export async function copySqliteToPostgres(
  file: string,
  url: string,
  progress: (line: string) => void = () => undefined,
): Promise<CopyResult> {
  const src = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const schema = checkSource(src, file);
    const tables = tablesInDependencyOrder(src);
    // Long queries allowed: a big table's INSERTs, COUNT(*) and COMMIT outlast the serving 10 s.
    const { pool } = await connectPostgres(url, { max: 2, purpose: 'migrate' });
    try {
      const tooNew = await unknownPgMigrations(pool);
      if (tooNew.length > 0) throw new SchemaTooNewError(tooNew);
      await migratePostgres(pool);
      const out = await checkOut(pool);
      const client = out.client;
      try {
        await client.query('BEGIN');
        // Under the lock a server replica's migrate takes: nobody writes while we check and copy.
        await client.query('LOCK TABLE ' + tables.map(quote).join(', ') + ' IN EXCLUSIVE MODE');
        const busy: string[] = [];
        for (const t of tables) {
          const n = await rowsIn(client, t);
          if (n > 0) busy.push(`${t} (${n})`);
        }
        if (busy.length > 0)
          throw new CopyRefusedError(
            `${redactUrl(url)} is not empty: ${busy.join(', ')}. The copy only fills an empty ` +
              'database (nothing is merged or overwritten): use a new database, or empty this one.',
          );
        const result: CopyResult = { tables: [], schema };
        // One read transaction over the whole copy: a consistent snapshot of every table,
        // streamed ROWS_PER_INSERT rows at a time (memory stays flat on a large events table).
        src.exec('BEGIN');
        try {
          for (const t of tables) {
            const columns = (
              src.prepare(`PRAGMA table_info(${quote(t)})`).all() as { name: string }[]
            ).map((c) => c.name);
            const insert = (rows: unknown[][]) => {
              const values: unknown[] = [];
              const tuples = rows.map((row) => {
                const marks = row.map((v) => {
                  values.push(v);
                  return `$${values.length}`;
                });
                return `(${marks.join(', ')})`;
              });
              return client.query(
                `INSERT INTO ${quote(t)} (${columns.map(quote).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`,
                values,
              );
            };
            let read = 0;
            let chunk: unknown[][] = [];
            for (const row of src
              .prepare(`SELECT * FROM ${quote(t)}`)
              .raw()
              .iterate()) {
              chunk.push(row as unknown[]);
              read += 1;
              if (chunk.length === ROWS_PER_INSERT) {
                await insert(chunk);
                chunk = [];
              }
            }
            if (chunk.length > 0) await insert(chunk);
            const copied = await rowsIn(client, t);
            if (copied !== read)
              throw new Error(`${t}: ${read} rows in SQLite, ${copied} in PostgreSQL`);
            result.tables.push({ table: t, rows: copied });
            progress(`${t}: ${copied} rows\n`);
          }
        } finally {
          src.exec('COMMIT');
        }
        await advanceIdentities(client, tables);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        out.release();
      }
    } finally {
      await pool.end();
    }
  } finally {
    src.close();
  }
}
