import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SchemaTooNewError } from '../plugins/db-migrations';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { sqliteIndexes, sqliteTables } from '../testing/sqlite-schema';
import {
  migratePostgres,
  portedMigrations,
  unknownPgMigrations,
  unportedMigrations,
} from './pg-migrations';

describe('one migration list, two dialects', () => {
  it('PostgreSQL gets the longest prefix with a postgres variant; nothing after it has one', () => {
    const ported = portedMigrations();
    // Every module's tables (issue 12 item 1): a new migration brings its postgres variant.
    expect(ported.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    // A postgres variant past the first gap would never run: port migrations in order.
    const after = MIGRATIONS.slice(ported.length).filter((m) => m.postgres !== undefined);
    expect(after.map((m) => m.id)).toEqual([]);
    expect(unportedMigrations()).toEqual(MIGRATIONS.slice(ported.length).map((m) => m.id));
  });

  it('the prefix rule on a made-up list', () => {
    const list = [
      { id: '1', sql: '', postgres: '' },
      { id: '2', sql: '' },
      { id: '3', sql: '', postgres: '' },
    ];
    expect(portedMigrations(list).map((m) => m.id)).toEqual(['1']);
    expect(unportedMigrations(list)).toEqual(['2', '3']);
  });
});

describe('migratePostgres (real PostgreSQL)', () => {
  let cluster: PgCluster;
  let pool: pg.Pool;
  beforeAll(async () => {
    cluster = await startPgCluster();
    pool = (await connectPostgres(cluster.url)).pool;
  });
  afterAll(async () => {
    await pool.end();
    await cluster.stop();
  });

  it('two replicas migrating at once: each migration applied once, then nothing to do', async () => {
    const other = (await connectPostgres(cluster.url)).pool;
    try {
      const [a, b] = await Promise.all([migratePostgres(pool), migratePostgres(other)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(portedMigrations().map((m) => m.id));
      expect(a.schema).toEqual(b.schema);
      expect(a.unported).toEqual(unportedMigrations());
      expect((await migratePostgres(pool)).applied).toEqual([]);
      const r = await pool.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(r.rows.map((row) => row.id)).toEqual(a.schema);
    } finally {
      await other.end();
    }
  });

  it('after the same prefix, every table has the same columns in the same order as SQLite', async () => {
    await migratePostgres(pool);
    // SQLite at the same point of the one list (later migrations alter agents and events).
    const db = new Database(':memory:');
    for (const m of portedMigrations()) db.exec(m.sql);
    const tables = sqliteTables(db);
    const pgTables = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name",
    );
    expect(pgTables.rows.map((t) => t.table_name)).toEqual(tables);
    for (const table of tables) {
      const sqlite = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(
        (c) => c.name,
      );
      const r = await pool.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
        [table],
      );
      expect({ table, columns: r.rows.map((c) => c.column_name) }).toEqual({
        table,
        columns: sqlite,
      });
    }
    db.close();
  });

  it('and the same kind of value, nullability and indexes per column', async () => {
    await migratePostgres(pool);
    const db = new Database(':memory:');
    for (const m of portedMigrations()) db.exec(m.sql);
    const tables = sqliteTables(db);
    const sqliteKind = (t: string): string =>
      ({ INTEGER: 'integer', REAL: 'float', TEXT: 'text', BLOB: 'bytes' })[t.toUpperCase()] ?? t;
    const pgKind = (t: string): string =>
      ({
        bigint: 'integer',
        integer: 'integer',
        'double precision': 'float',
        text: 'text',
        bytea: 'bytes',
      })[t] ?? t;
    for (const table of tables) {
      const sqlite = (
        db.prepare(`PRAGMA table_info(${table})`).all() as {
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }[]
      ).map((c) => `${c.name} ${sqliteKind(c.type)}${c.notnull || c.pk ? ' not null' : ''}`);
      const r = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
        'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
        [table],
      );
      const postgres = r.rows.map(
        (c) =>
          `${c.column_name} ${pgKind(c.data_type)}${c.is_nullable === 'NO' ? ' not null' : ''}`,
      );
      expect({ table, columns: postgres }).toEqual({ table, columns: sqlite });
    }
    // Named indexes (not the ones a PRIMARY KEY or UNIQUE makes by itself).
    const pgIndexes = await pool.query<{ indexname: string }>(
      "SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname",
    );
    expect(pgIndexes.rows.map((i) => i.indexname)).toEqual(sqliteIndexes(db));
    db.close();
  });

  it('a database with a migration this build does not know is refused before any change', async () => {
    await migratePostgres(pool);
    await pool.query("INSERT INTO schema_migrations (id, applied_at) VALUES ('999-future', 0)");
    try {
      expect(await unknownPgMigrations(pool)).toEqual(['999-future']);
      await expect(migratePostgres(pool)).rejects.toBeInstanceOf(SchemaTooNewError);
    } finally {
      await pool.query("DELETE FROM schema_migrations WHERE id = '999-future'");
    }
  });

  it('a failing migration rolls back and names itself', async () => {
    const list = [
      ...portedMigrations(),
      { id: '900-broken', sql: '', postgres: 'CREATE TABLE broken (x nosuchtype)' },
    ];
    await expect(migratePostgres(pool, list)).rejects.toThrow(
      /PostgreSQL migration 900-broken failed: type "nosuchtype" does not exist/,
    );
    const r = await pool.query("SELECT 1 FROM schema_migrations WHERE id = '900-broken'");
    expect(r.rowCount).toBe(0);
  });
});
