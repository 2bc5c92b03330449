import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../plugins/db-migrations';
import { pgSuite } from '../testing/pg-suite';
import { sqliteIndexes } from '../testing/sqlite-schema';
import { migratePostgres } from './pg-migrations';

/*
 * Migration 196: events keeps only the indexes a query reads, its primary key (agent_id, seq)
 * and events_received (retention's pick, migration 195); events_agent_ts (agent_id, ts) is
 * dropped on both engines, from a database at 195 holding rows, which stay.
 */

const BEFORE = MIGRATIONS.filter((m) => m.id < '196-events-agent-ts-index');
const ROW =
  "('agent-lb1', 1, 1000, 1000, 'snapshot', '{}'), ('agent-lb1', 2, 2000, 2000, 'vrrp', '{}')";
const INSERT = `INSERT INTO events (agent_id, seq, ts, received_at, type, payload) VALUES ${ROW}`;

describe('the events indexes after migration 196', () => {
  it('SQLite: a database at 195 loses events_agent_ts and keeps its rows', () => {
    const db = new Database(':memory:');
    // The database as 195 left it, recorded as migrate() records it.
    db.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of BEFORE) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, 0)').run(m.id);
    }
    db.exec(INSERT);
    expect(sqliteIndexes(db, 'events')).toEqual(['events_agent_ts', 'events_received']);
    migrate(db);
    expect(sqliteIndexes(db, 'events')).toEqual(['events_received']);
    expect(db.prepare('SELECT seq FROM events ORDER BY seq').all()).toEqual([
      { seq: 1 },
      { seq: 2 },
    ]);
    db.close();
  });

  describe('PostgreSQL (real)', () => {
    const pg = pgSuite();

    const pgIndexes = async (): Promise<string[]> =>
      (
        await pg
          .pool()
          .query<{ indexname: string }>(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname",
          )
      ).rows.map((r) => r.indexname);

    it('a database at 195 loses events_agent_ts and keeps its rows', async () => {
      const pool = pg.pool();
      await migratePostgres(pool, BEFORE);
      await pool.query(INSERT);
      expect(await pgIndexes()).toEqual(['events_agent_ts', 'events_pkey', 'events_received']);
      expect((await migratePostgres(pool)).applied).toEqual(['196-events-agent-ts-index']);
      expect(await pgIndexes()).toEqual(['events_pkey', 'events_received']);
      const rows = await pool.query<{ seq: number }>('SELECT seq FROM events ORDER BY seq');
      expect(rows.rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    });
  });
});
