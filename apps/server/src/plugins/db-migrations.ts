import type { Database } from 'better-sqlite3';
import * as m001 from '../migrations/001-core';
import * as m040 from '../migrations/040-alerts';
import * as m070 from '../migrations/070-alert-args';
import * as m030 from '../migrations/030-history';
import * as m010 from '../migrations/010-enrollment';
import * as m020 from '../migrations/020-users-audit';

/*
 * Schema history: one file per migration in ../migrations, named NNN-what.ts, applied in
 * id order and recorded by id in schema_migrations, each in its own transaction. Never edit
 * a shipped migration; add a file and one line below. Feature modules own their tables and
 * take the next free number.
 */
const MIGRATIONS: readonly { id: string; sql: string }[] = [
  m001,
  m010,
  m020,
  m030,
  m040,
  m070,
].sort((a, b) => a.id.localeCompare(b.id));

/** Applies pending migrations; returns how many the database now has. */
export function migrate(db: Database): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, Date.now());
    })();
  }
  return MIGRATIONS.length;
}
