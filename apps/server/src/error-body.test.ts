import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app';
import { errorBody } from './error-body';
import { startPgCluster, type PgCluster } from './storage/pg-harness';
import { ADMIN_PASSWORD, testApp, testConfig } from './testing/test-app';

/*
 * A storage failure answers 503 storage_unavailable with a hint for the engine the server
 * runs on: free space in KEEPWATCH_DATA on SQLite; PostgreSQL's server (running, reachable,
 * disk space) with KEEPWATCH_DATABASE_URL, where the data folder holds no data at all.
 */

const fail = (code: string | undefined, message = 'failed'): FastifyError =>
  Object.assign(new Error(message), code === undefined ? {} : { code }) as FastifyError;

describe('errorBody: the 503 hint per engine', () => {
  it('SQLite: free space in KEEPWATCH_DATA', () => {
    const { status, body } = errorBody(fail('SQLITE_FULL'), 'sqlite');
    expect(status).toBe(503);
    expect(body.error).toBe('storage_unavailable');
    expect(body.message).toMatch(/data folder \(SQLITE_FULL\).*Free space in KEEPWATCH_DATA/);
  });

  it('PostgreSQL: the server of KEEPWATCH_DATABASE_URL, never the data folder', () => {
    for (const [code, message, shown] of [
      ['57P01', 'terminating connection due to administrator command', '57P01'],
      ['53100', 'could not extend file: No space left on device', '53100'],
      [undefined, 'Connection terminated unexpectedly', 'Connection terminated unexpectedly'],
    ] as const) {
      const { status, body } = errorBody(fail(code, message), 'postgres');
      expect(status).toBe(503);
      expect(body.error).toBe('storage_unavailable');
      expect(body.message).toContain(`could not write to PostgreSQL (${shown})`);
      expect(body.message).toMatch(/KEEPWATCH_DATABASE_URL is running, reachable/);
      expect(body.message).not.toMatch(/KEEPWATCH_DATA\b|data folder/);
    }
  });

  it('other errors are not storage errors on either engine', () => {
    for (const engine of ['sqlite', 'postgres'] as const) {
      expect(errorBody(fail('FST_ERR_NOT_FOUND'), engine).body.error).toBe('FST_ERR_NOT_FOUND');
    }
  });
});

async function loginStatus(app: FastifyInstance): Promise<{ status: number; message: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  return { status: res.statusCode, message: res.json<{ message?: string }>().message ?? '' };
}

describe('the whole app answers with its own engine’s hint', () => {
  let pg: PgCluster;
  const dataDir = mkdtempSync(join(tmpdir(), 'kw-errbody-'));
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    pg = await startPgCluster();
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SQLite: a write that hits a full disk says to free space in KEEPWATCH_DATA', async () => {
    const app = await testApp();
    apps.push(app);
    // The database may not grow by one page more: SQLITE_FULL, as on a full disk. Logins
    // write a session each; one of the next ones needs a new page.
    const pages = app.db.pragma('page_count', { simple: true }) as number;
    app.db.pragma(`max_page_count = ${pages}`);
    let r = { status: 200, message: '' };
    for (let i = 0; i < 200 && r.status === 200; i++) r = await loginStatus(app);
    expect(r.status).toBe(503);
    expect(r.message).toMatch(/Free space in KEEPWATCH_DATA/);
  });

  it('PostgreSQL stopped under the server: the hint names PostgreSQL, not the data folder', async () => {
    const app = await buildApp({
      config: testConfig({ databaseUrl: pg.url, dataDir, replicaId: 'errbody' }),
      dbPath: join(dataDir, 'keepwatch.db'),
      logger: false,
    });
    apps.push(app);
    await app.ready();
    expect((await loginStatus(app)).status).toBe(200);
    let down = { status: 0, message: '' };
    await pg.restart(async () => {
      down = await loginStatus(app);
    });
    expect(down.status).toBe(503);
    expect(down.message).toMatch(/could not write to PostgreSQL \(.+\).*KEEPWATCH_DATABASE_URL/);
    expect(down.message).not.toMatch(/KEEPWATCH_DATA\b/);
  }, 60_000);
});
