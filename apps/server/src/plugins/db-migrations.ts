import type { Database } from 'better-sqlite3';
import * as m001 from '../migrations/001-core';
import * as m040 from '../migrations/040-alerts';
import * as m045 from '../migrations/045-storage-probe';
import * as m050 from '../migrations/050-drills';
import * as m060 from '../migrations/060-config';
import * as m070 from '../migrations/070-alert-args';
import * as m071 from '../migrations/071-maintenance';
import * as m030 from '../migrations/030-history';
import * as m010 from '../migrations/010-enrollment';
import * as m020 from '../migrations/020-users-audit';
import * as m090 from '../migrations/090-ingest-limits';
import * as m110 from '../migrations/110-leases';
import * as m130 from '../migrations/130-drill-owner';
import * as m150 from '../migrations/150-action-requests';
import * as m151 from '../migrations/151-push-owner';
import * as m170 from '../migrations/170-transitions-ts-index';
import * as m195 from '../migrations/195-events-received-index';
import * as m196 from '../migrations/196-events-agent-ts-index';

/*
 * Schema history: one file per migration in ../migrations, named NNN-what.ts, applied in
 * id order and recorded by id in schema_migrations, each in its own transaction. Never edit
 * a shipped migration's `sql`; add a file and one line below. Feature modules own their
 * tables and take the next free number.
 *
 * One list for both stores: a migration's `sql` is SQLite's, its optional `postgres` the same
 * change for PostgreSQL (storage/pg-migrations.ts). PostgreSQL gets the longest prefix of
 * this list whose migrations all have `postgres`, so both schemas grow in the same order.
 * Every migration has one today: a new migration brings its `postgres` variant (the parity
 * test in storage/pg-migrations.test.ts compares columns, kinds, nullability and indexes).
 */
export interface Migration {
  id: string;
  sql: string;
  postgres?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  m001,
  m010,
  m020,
  m030,
  m040,
  m045,
  m050,
  m060,
  m070,
  m071,
  m090,
  m110,
  m130,
  m150,
  m151,
  m170,
  m195,
  m196,
].sort((a, b) => a.id.localeCompare(b.id));

/** The migration ids this build knows, in order (the last one is the schema it writes). */
export const KNOWN_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.id);

/** Thrown when the database was written by a newer Keepwatch than this one (a downgrade). */
export class SchemaTooNewError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(
      `the database was upgraded by a newer Keepwatch: it has migration(s) ${unknown.join(', ')} ` +
        `that this version (schema ${KNOWN_MIGRATIONS.at(-1) ?? 'none'}) does not know. ` +
        'Downgrades are refused so old code cannot misread or damage newer data: run the newer ' +
        'version again, or restore a backup taken before the upgrade (keepwatch-server restore).',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Migration ids recorded in the database that this build does not know (empty = compatible). */
export function unknownMigrations(db: Database): string[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (table === undefined) return [];
  const known = new Set(KNOWN_MIGRATIONS);
  return (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[])
    .map((r) => r.id)
    .filter((id) => !known.has(id));
}

/**
 * Applies pending migrations; returns how many the database now has. Refuses (throws
 * SchemaTooNewError, before changing anything) a database that has migrations this build
 * does not know: any unknown id, not only a higher one, since branches number in ranges.
 */
export function migrate(db: Database): number {
  const unknown = unknownMigrations(db);
  if (unknown.length > 0) throw new SchemaTooNewError(unknown);
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
