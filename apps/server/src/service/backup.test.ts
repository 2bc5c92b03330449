import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { KNOWN_MIGRATIONS, SchemaTooNewError } from '../plugins/db-migrations';
import { agent, snapshot, testConfig } from '../testing/test-app';
import { backupDatabase, restoreDatabase } from './backup';
import { runServiceCommand } from './commands';

const dir = mkdtempSync(join(tmpdir(), 'kw-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fileApp(dataDir: string): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig({ dataDir }), logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

const eventCount = (dbPath: string): number => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** Sends `count` snapshots from lb1 and waits until the last is acknowledged (stored). */
async function ingest(app: FastifyInstance, from: number, count: number): Promise<void> {
  const lb1 = await agent(app);
  for (let seq = from; seq < from + count; seq++)
    lb1.send(snapshot(seq, seq % 2 ? 'MASTER' : 'BACKUP', seq % 2 === 1, 1_000 + seq));
  const last = from + count - 1;
  await lb1.next((m) => m['type'] === 'ack' && Number(m['seq']) >= last);
  lb1.ws.close();
}

describe('online backup and restore', () => {
  const dataDir = join(dir, 'data');
  const dbPath = join(dataDir, 'keepwatch.db');
  const backup = join(dir, 'backup.db');

  it('copies the database while the server runs and writes, and restores that copy', async () => {
    const app = await fileApp(dataDir);
    await ingest(app, 1, 50);
    // More writes race the backup: the copy is consistent whichever of them it includes.
    const racing = ingest(app, 51, 50);
    const r = await backupDatabase(dbPath, backup);
    await racing;
    expect(r.schema).toBe(KNOWN_MIGRATIONS.at(-1));
    const inBackup = eventCount(backup);
    expect(inBackup).toBeGreaterThanOrEqual(50);
    // A restore under a running server is refused: it would pull the file from under it.
    expect(() => restoreDatabase(backup, dbPath)).toThrow(/in use: stop the server first/);
    await ingest(app, 101, 20);
    await app.close();
    expect(eventCount(dbPath)).toBe(120);

    const restored = restoreDatabase(backup, dbPath, Date.UTC(2026, 0, 2));
    expect(restored.previous).toBe(`${dbPath}.before-restore-2026-01-02T00-00-00-000Z`);
    expect(eventCount(restored.previous ?? '')).toBe(120);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
    const again = await fileApp(dataDir);
    await again.close();
    expect(eventCount(dbPath)).toBe(inBackup);
  });

  it('refuses to restore a damaged file or one from a newer version', () => {
    const junk = join(dir, 'junk.db');
    new Database(junk).close();
    expect(() => restoreDatabase(join(dir, 'missing.db'), dbPath)).toThrow(/no backup file/);
    expect(() => restoreDatabase(junk, dbPath)).toThrow(/schema_migrations/);
  });

  it('the command line: backup and restore with usage errors', async () => {
    const out: string[] = [];
    const run = (argv: string[]) => runServiceCommand(argv, dataDir, (l) => out.push(l));
    expect(await run([])).toBeUndefined();
    expect(await run(['backup'])).toBe(2);
    expect(out.join('')).toContain('usage: server.mjs');
    expect(await run(['backup', join(dir, 'cli.db')])).toBe(0);
    expect(out.join('')).toMatch(/backed up .* bytes, schema \d{3}-/);
    expect(await run(['restore', join(dir, 'cli.db')])).toBe(0);
    expect(out.join('')).toContain('the replaced database is kept as');
  });
});

describe('on PostgreSQL', () => {
  it('backup and restore refuse, pointing to pg_dump, and touch no file', async () => {
    const out: string[] = [];
    const url = 'postgres://keepwatch:secret@db.example:5432/keepwatch';
    const dataDir = join(dir, 'on-pg');
    const target = join(dir, 'pg-backup.db');
    const run = (argv: string[]) => runServiceCommand(argv, dataDir, (l) => out.push(l), url);
    expect(await run(['backup', target])).toBe(1);
    expect(out.join('')).toMatch(/^backup refused: .*PostgreSQL.*pg_dump/);
    expect(out.join('')).not.toContain('secret');
    expect(existsSync(target)).toBe(false);
    out.length = 0;
    expect(await run(['restore', target])).toBe(1);
    expect(out.join('')).toMatch(/^restore refused: .*pg_restore/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('upgrades and downgrades', () => {
  it('a database written by a newer version is refused with a clear message, untouched', async () => {
    const dataDir = join(dir, 'newer');
    const app = await fileApp(dataDir);
    await app.close();
    const dbPath = join(dataDir, 'keepwatch.db');
    const db = new Database(dbPath);
    db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(
      '999-from-the-future',
      Date.now(),
    );
    db.close();
    const err = await buildApp({ config: testConfig({ dataDir }), logger: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect(String((err as Error).message)).toMatch(
      /upgraded by a newer Keepwatch: it has migration\(s\) 999-from-the-future .* restore a backup/,
    );
    // Nothing was applied or dropped, and the file is closed again (a backup may be taken).
    const check = new Database(dbPath, { readonly: true });
    const ids = check.prepare('SELECT id FROM schema_migrations ORDER BY id').all();
    check.close();
    expect(ids).toHaveLength(KNOWN_MIGRATIONS.length + 1);
    await expect(backupDatabase(dbPath, join(dir, 'newer-backup.db'))).resolves.toBeDefined();
    expect(() => restoreDatabase(join(dir, 'newer-backup.db'), join(dir, 'x', 'k.db'))).toThrow(
      /comes from a newer Keepwatch \(migrations 999-from-the-future/,
    );
  });
});
