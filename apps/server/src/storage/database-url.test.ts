import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { testConfig } from '../testing/test-app';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { redactUrl } from './pg-url';
import { StorageStartError } from './storage-errors';

async function pgTables(url: string): Promise<string[]> {
  const { pool } = await connectPostgres(url);
  try {
    const r = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    return r.rows.map((t) => t.table_name);
  } finally {
    await pool.end();
  }
}

const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'kw-dburl-'));

describe('KEEPWATCH_DATABASE_URL: shape (loadConfig)', () => {
  it('unset or empty keeps SQLite in KEEPWATCH_DATA', () => {
    expect(loadConfig({ KEEPWATCH_DATA: tmp() }).databaseUrl).toBeUndefined();
    expect(
      loadConfig({ KEEPWATCH_DATA: tmp(), KEEPWATCH_DATABASE_URL: '' }).databaseUrl,
    ).toBeUndefined();
  });

  it('a postgres:// or postgresql:// URL selects PostgreSQL', () => {
    for (const url of [
      'postgres://kw:pw@db.example:5432/keepwatch',
      'postgresql://kw@10.0.0.5/keepwatch',
      'postgres:///keepwatch?host=/run/postgresql',
    ]) {
      expect(loadConfig({ KEEPWATCH_DATA: tmp(), KEEPWATCH_DATABASE_URL: url }).databaseUrl).toBe(
        url,
      );
    }
  });

  it('refuses other schemes, non-URLs and URLs with no host, naming the variable', () => {
    const bad = (url: string) => () =>
      loadConfig({ KEEPWATCH_DATA: tmp(), KEEPWATCH_DATABASE_URL: url });
    expect(bad('mysql://kw@db/keepwatch')).toThrow(
      /KEEPWATCH_DATABASE_URL must start with postgres:\/\//,
    );
    expect(bad('sqlite:///var/lib/keepwatch.db')).toThrow(/only PostgreSQL/);
    expect(bad('db.example:5432')).toThrow(/KEEPWATCH_DATABASE_URL/);
    expect(bad('keepwatch')).toThrow(/not a URL/);
    expect(bad('postgres:///keepwatch')).toThrow(/names no host/);
  });

  it('messages never show the password', () => {
    expect(redactUrl('postgres://kw:s3cret@db/keepwatch')).toBe('postgres://kw:***@db/keepwatch');
    expect(() =>
      loadConfig({ KEEPWATCH_DATA: tmp(), KEEPWATCH_DATABASE_URL: 'postgres://kw:s3cret@/x' }),
    ).toThrow(/^(?!.*s3cret)/);
  });
});

describe('KEEPWATCH_DATABASE_URL: reachability (real PostgreSQL)', () => {
  let pg: PgCluster;
  let deadUrl: string;
  beforeAll(async () => {
    pg = await startPgCluster();
    // A cluster made and stopped: its port is (almost surely) closed now.
    const dead = await startPgCluster();
    await dead.stop();
    deadUrl = dead.url.replace(`${dead.user}@`, `${dead.user}:s3cret@`);
  }, 60_000);
  afterAll(async () => {
    await pg.stop();
  });

  it('connects to a reachable server and reads its version', async () => {
    const { pool, serverVersion } = await connectPostgres(pg.url);
    expect(serverVersion).toMatch(/^1[3-9]|^[2-9]\d/);
    await pool.end();
  });

  it('an unreachable server: the reason, with the URL but not its password', async () => {
    const err = await connectPostgres(deadUrl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageStartError);
    expect(String((err as Error).message)).toMatch(
      /KEEPWATCH_DATABASE_URL \(postgres:\/\/keepwatch:\*\*\*@127\.0\.0\.1:\d+\/keepwatch\): cannot use PostgreSQL: .*ECONNREFUSED.*is PostgreSQL running/,
    );
    expect((err as Error).message).not.toContain('s3cret');
  });

  it("a missing database or an unknown user: in the server's own words", async () => {
    await expect(connectPostgres(pg.url.replace(/\/keepwatch$/, '/nope'))).rejects.toThrow(
      /database "nope" does not exist.*createdb/,
    );
    await expect(connectPostgres(pg.url.replace('keepwatch@', 'nobody@'))).rejects.toThrow(
      /role "nobody" does not exist/,
    );
  });

  it('buildApp refuses an unreachable URL before it opens any SQLite file', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'keepwatch.db');
    await expect(
      buildApp({ config: testConfig({ databaseUrl: deadUrl }), dbPath, logger: false }),
    ).rejects.toThrow(/cannot use PostgreSQL: .*ECONNREFUSED/);
    expect(existsSync(dbPath)).toBe(false);
  });

  it('buildApp starts on a reachable PostgreSQL: migrated, no SQLite file', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'keepwatch.db');
    const app = await buildApp({
      config: testConfig({ databaseUrl: pg.url }),
      dbPath,
      logger: false,
    });
    try {
      await app.ready();
      expect(app.repos.dialect).toBe('postgres');
      expect(existsSync(dbPath)).toBe(false);
      const tables = await pgTables(pg.url);
      expect(tables).toContain('schema_migrations');
      expect(tables).toContain('events');
    } finally {
      await app.close();
    }
  });

  it('a schema written by a newer Keepwatch is refused with the downgrade message', async () => {
    const { pool } = await connectPostgres(pg.url);
    try {
      await pool.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL); INSERT INTO schema_migrations VALUES ('999-future', 0)",
      );
      const before = await pgTables(pg.url);
      await expect(
        buildApp({
          config: testConfig({ databaseUrl: pg.url }),
          dbPath: join(tmp(), 'k.db'),
          logger: false,
        }),
      ).rejects.toThrow(/upgraded by a newer Keepwatch: it has migration\(s\) 999-future/);
      // Refused before any change.
      expect(await pgTables(pg.url)).toEqual(before);
    } finally {
      await pool.query("DELETE FROM schema_migrations WHERE id = '999-future'");
      await pool.end();
    }
  });

  it('the server process exits 1 with the reason on stderr, no stack trace', async () => {
    const data = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      env: {
        ...process.env,
        KEEPWATCH_DATA: data,
        KEEPWATCH_PORT: '0',
        KEEPWATCH_DATABASE_URL: deadUrl,
        KEEPWATCH_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^keepwatch server failed to start: KEEPWATCH_DATABASE_URL .*ECONNREFUSED/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('s3cret');
    expect(existsSync(join(data, 'keepwatch.db'))).toBe(false);
  });
});
