import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqliteDriver } from './sql-driver';

/* The SQLite side of sql-driver.ts: what the PostgreSQL side gets from pg by itself. */

describe('sqliteDriver', () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  function open(): Database.Database {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY);
      CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`);
    return db;
  }

  it('prepares each SQL text once, however often it runs', async () => {
    const d = open();
    const prepare = vi.spyOn(d, 'prepare');
    const q = sqliteDriver(d);
    await q.run('INSERT INTO p (id) VALUES ($1)', [1]);
    for (let i = 0; i < 5; i++) {
      expect(await q.get<{ id: number }>('SELECT id FROM p WHERE id = $1', [1])).toEqual({ id: 1 });
    }
    expect(await q.get('SELECT id FROM p WHERE id = $1', [2])).toBeUndefined();
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it('an INSERT … RETURNING whose commit fails rejects instead of returning a row never stored', async () => {
    // A deferred foreign key is checked at the implicit commit, after the row was returned:
    // the same place a full disk (SQLITE_FULL on the WAL write) fails.
    const q = sqliteDriver(open());
    await expect(
      q.get<{ id: number }>('INSERT INTO c (p) VALUES ($1) RETURNING id', [42]),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(await q.get('SELECT COUNT(*) AS n FROM c')).toEqual({ n: 0 });
    await q.run('INSERT INTO p (id) VALUES ($1)', [42]);
    expect(await q.get('INSERT INTO c (p) VALUES ($1) RETURNING id', [42])).toEqual({ id: 1 });
  });
});
