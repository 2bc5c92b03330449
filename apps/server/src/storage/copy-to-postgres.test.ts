import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { MIGRATIONS, migrate } from '../plugins/db-migrations';
import { runServiceCommand } from '../service/commands';
import { ADMIN_PASSWORD, agent, hello, snapshot, testConfig } from '../testing/test-app';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { CopyRefusedError, copySqliteToPostgres } from './copy-to-postgres';
import { postgresRepositories } from './sql-repositories';

/*
 * Issue 12 item 4: an existing SQLite database (made by the real app: users, a token, an
 * enrollment token, a maintenance window, agents and their events, a history chunk) copied
 * into a real PostgreSQL, counts verified; a non-empty target and a half-migrated source are
 * refused with nothing written.
 */

let cluster: PgCluster;
let dir: string;
let dbFile: string;

async function databaseOf(name: string): Promise<string> {
  const { pool } = await connectPostgres(cluster.url);
  await pool.query(`CREATE DATABASE ${name}`);
  await pool.end();
  return cluster.url.replace(/\/keepwatch(\?|$)/, `/${name}$1`);
}

beforeAll(async () => {
  cluster = await startPgCluster();
  dir = mkdtempSync(join(tmpdir(), 'kw-copy-'));
  dbFile = join(dir, 'keepwatch.db');
  const app = await buildApp({
    config: testConfig({ dataDir: dir }),
    dbPath: dbFile,
    logger: false,
  });
  try {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const auth = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    const post = async (url: string, payload: object) => {
      const r = await app.inject({ method: 'POST', url, headers: auth, payload });
      expect(r.statusCode, `${url}: ${r.body}`).toBeLessThan(300);
    };
    await post('/api/v1/users', {
      username: 'viewer1',
      password: 'a long enough password',
      role: 'viewer',
    });
    await post('/api/v1/tokens', { name: 'prometheus' });
    await post('/api/v1/agents/enrollment-tokens', {});
    const lb1 = await agent(app, hello());
    for (let seq = 1; seq <= 30; seq++) lb1.send(snapshot(seq, 'MASTER', true, 1_000 + seq));
    await lb1.next((m) => m['type'] === 'ack' && Number(m['seq']) >= 30, 5000);
    lb1.ws.terminate();
    await app.writer.flush();
    // A series chunk as history writes them: bytes that must arrive unchanged.
    app.db
      .prepare("INSERT INTO history_series (cluster_id, node, metric) VALUES ('lab', 'lb1', 'rps')")
      .run();
    app.db
      .prepare(
        'INSERT INTO history_chunks (series_id, res, start, sealed, data) VALUES (1, 0, 0, 1, ?)',
      )
      .run(Buffer.from([0, 1, 2, 254, 255]));
  } finally {
    await app.close();
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const countsOf = (file: string): Record<string, number> => {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
      )
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map((t) => [
        t.name,
        (db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    db.close();
  }
};

describe('copy-to-postgres', () => {
  it('copies every table, counts match, the data reads back through the repositories, ids continue', async () => {
    const url = await databaseOf('copy_ok');
    const lines: string[] = [];
    const r = await copySqliteToPostgres(dbFile, url, (l) => lines.push(l));
    const sqlite = countsOf(dbFile);
    expect(Object.fromEntries(r.tables.map((t) => [t.table, t.rows]))).toEqual(sqlite);
    expect(sqlite['events']).toBeGreaterThanOrEqual(30);
    expect(sqlite['users']).toBe(2);
    expect(r.schema).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.id);
    expect(lines).toContain(`events: ${sqlite['events']} rows\n`);

    const { pool } = await connectPostgres(url);
    try {
      const pg = postgresRepositories(pool);
      const src = new Database(dbFile, { readonly: true });
      const hash = (
        src.prepare("SELECT password_hash AS h FROM users WHERE username = 'admin'").get() as {
          h: string;
        }
      ).h;
      const events = src.prepare('SELECT seq, payload FROM events ORDER BY seq').all();
      src.close();
      expect((await pg.users.credentials('admin'))?.passwordHash).toBe(hash);
      const copied = await pool.query('SELECT seq, payload FROM events ORDER BY seq');
      expect(copied.rows).toEqual(events);
      expect(await pg.ingest.storedSeq('agent-lb1')).toBe(30);
      const chunk = await pool.query<{ data: Buffer }>('SELECT data FROM history_chunks');
      expect([...(chunk.rows[0]?.data ?? [])]).toEqual([0, 1, 2, 254, 255]);
      // Identities continue after the copied ids: a new user does not collide.
      const id = await pg.users.create({
        username: 'after',
        passwordHash: 'x',
        role: 'viewer',
        createdAt: 1,
      });
      expect(id).toBe(3);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('refuses a target that holds any row, and writes nothing', async () => {
    const url = await databaseOf('copy_twice');
    await copySqliteToPostgres(dbFile, url);
    const err = await copySqliteToPostgres(dbFile, url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyRefusedError);
    expect((err as Error).message).toMatch(/is not empty: .*users \(2\)/);
    const { pool } = await connectPostgres(url);
    const n = await pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    await pool.end();
    expect(n.rows[0]?.n).toBe(2);
  }, 60_000);

  it('refuses a source that is not fully migrated, before touching the target', async () => {
    const old = join(dir, 'old.db');
    const db = new Database(old);
    migrate(db);
    db.prepare("DELETE FROM schema_migrations WHERE id = '090-ingest-limits'").run();
    db.close();
    const url = await databaseOf('copy_old');
    await expect(copySqliteToPostgres(old, url)).rejects.toThrow(
      /not fully migrated \(missing 090-ingest-limits\): start this Keepwatch on it once/,
    );
    const { pool } = await connectPostgres(url);
    const t = await pool.query("SELECT to_regclass('schema_migrations') AS t");
    await pool.end();
    expect(t.rows[0]).toEqual({ t: null });
  });

  it('the server command: exit 0 with the counts, exit 1 with the reason, 2 without a URL', async () => {
    const url = await databaseOf('copy_cmd');
    const out: string[] = [];
    expect(await runServiceCommand(['copy-to-postgres', url], dir, (l) => out.push(l))).toBe(0);
    expect(out.join('')).toMatch(/copied \d+ rows in \d+ tables \(schema .*\); row counts match/);
    const again: string[] = [];
    expect(await runServiceCommand(['copy-to-postgres'], dir, (l) => again.push(l), url)).toBe(1);
    expect(again.join('')).toMatch(
      /copy-to-postgres refused: .* is not empty.*\nNothing was written/s,
    );
    expect(await runServiceCommand(['copy-to-postgres'], dir, () => undefined)).toBe(2);
    const bad: string[] = [];
    expect(
      await runServiceCommand(['copy-to-postgres', 'mysql://h/db'], dir, (l) => bad.push(l)),
    ).toBe(1);
    expect(bad.join('')).toMatch(/must start with postgres:\/\//);
  }, 60_000);
});
