import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { KNOWN_MIGRATIONS, unknownMigrations } from '../plugins/db-migrations';
import { redactUrl } from '../storage/pg-url';

/*
 * Online backups of the SQLite file and their restore. A backup uses SQLite's backup API
 * (better-sqlite3's db.backup): a consistent copy page by page while the server keeps
 * writing, without stopping it; the copy is written beside the destination and renamed, so
 * a destination file is always whole. A restore needs the server stopped (it checks).
 */

/**
 * Why `backup` / `restore` do nothing on PostgreSQL (KEEPWATCH_DATABASE_URL set), or undefined
 * on SQLite. The data is then in PostgreSQL, not in KEEPWATCH_DATA: a copy of the SQLite file
 * would be an old or empty database, so the commands refuse rather than seem to work.
 */
export function backupRefusal(
  command: 'backup' | 'restore',
  databaseUrl: string | undefined,
): string | undefined {
  if (databaseUrl === undefined) return undefined;
  const where = redactUrl(databaseUrl);
  return command === 'backup'
    ? `backup refused: Keepwatch stores its data in PostgreSQL (KEEPWATCH_DATABASE_URL=${where}), ` +
        "not in a SQLite file. Use PostgreSQL's own backups: pg_dump (e.g. pg_dump -Fc -f keepwatch.dump " +
        `'${where}'), or base backups with WAL archiving (pg_basebackup) for point-in-time recovery.`
    : `restore refused: Keepwatch stores its data in PostgreSQL (KEEPWATCH_DATABASE_URL=${where}). ` +
        'Restore a pg_dump with pg_restore (into an empty database, the servers stopped), or ' +
        "PostgreSQL's point-in-time recovery.";
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** The newest migration the copy carries (its schema version). */
  schema: string | undefined;
}

function checkIntegrity(file: string): { schema: string | undefined; unknown: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok')
      throw new Error(`${file} fails SQLite's integrity check: ${String(result)}`);
    const row = db.prepare('SELECT max(id) AS id FROM schema_migrations').get() as
      { id: string | null } | undefined;
    return { schema: row?.id ?? undefined, unknown: unknownMigrations(db) };
  } finally {
    db.close();
  }
}

/** Copies the live database at `dbPath` to `dest` (replaced atomically if it exists). */
export async function backupDatabase(dbPath: string, dest: string): Promise<BackupResult> {
  if (!existsSync(dbPath)) throw new Error(`no database at ${dbPath} (is KEEPWATCH_DATA right?)`);
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  const src = new Database(dbPath, { fileMustExist: true, timeout: 5000 });
  try {
    await src.backup(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    src.close();
  }
  try {
    const { schema } = checkIntegrity(partial);
    renameSync(partial, dest);
    return { file: dest, bytes: statSync(dest).size, schema };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/** Throws a clear error if another process (the server) has the database open. */
function assertNotInUse(dbPath: string): void {
  if (!existsSync(dbPath)) return;
  const db = new Database(dbPath, { fileMustExist: true, timeout: 0 });
  try {
    // A WAL database open elsewhere holds a shared lock: an exclusive one is then refused.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      throw new Error(
        `${dbPath} is in use: stop the server first (systemctl stop keepwatch-server)`,
        { cause: err },
      );
    throw err;
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  /** Where the database that was replaced now is (undefined if there was none). */
  previous: string | undefined;
  schema: string | undefined;
}

/**
 * Puts `backup` in place of the database at `dbPath`. The server must be stopped; the
 * replaced database is kept beside it as `<db>.before-restore-<time>`; a backup written by
 * a newer Keepwatch is refused (this build could not open it). `now` names the kept file.
 */
export function restoreDatabase(backup: string, dbPath: string, now = Date.now()): RestoreResult {
  if (!existsSync(backup)) throw new Error(`no backup file at ${backup}`);
  const { schema, unknown } = checkIntegrity(backup);
  if (unknown.length > 0)
    throw new Error(
      `${backup} comes from a newer Keepwatch (migrations ${unknown.join(', ')}; this version ` +
        `knows up to ${KNOWN_MIGRATIONS.at(-1) ?? 'none'}): restore it with that version`,
    );
  // Closing the last connection checkpoints the WAL into the file: the kept copy is whole.
  assertNotInUse(dbPath);
  const partial = `${dbPath}.partial`;
  copyFileSync(backup, partial);
  let previous: string | undefined;
  if (existsSync(dbPath)) {
    previous = `${dbPath}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dbPath, previous);
  }
  // A WAL left by the replaced database would be replayed onto the restored one: drop it.
  for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  renameSync(partial, dbPath);
  return { previous, schema };
}
