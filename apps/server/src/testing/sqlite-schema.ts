import type Database from 'better-sqlite3';

/*
 * What a migrated SQLite holds, by name, for the migration tests: its tables, and its named
 * indexes (not the ones a PRIMARY KEY or UNIQUE makes by itself), of one table if given.
 */

export const sqliteTables = (db: Database.Database): string[] =>
  (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((t) => t.name);

export const sqliteIndexes = (db: Database.Database, table?: string): string[] =>
  (
    db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'
         ${table === undefined ? '' : 'AND tbl_name = ?'} ORDER BY name`,
      )
      .all(...(table === undefined ? [] : [table])) as { name: string }[]
  ).map((i) => i.name);
