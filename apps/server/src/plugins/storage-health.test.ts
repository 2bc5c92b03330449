import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isStorageError, StorageHealth } from './storage-health';
import { login, testApp } from '../testing/test-app';

const sqliteError = (code: string, message = 'database or disk is full') =>
  Object.assign(new Error(message), { code });

function health(now = () => 1_000) {
  const log = { error: vi.fn(), warn: vi.fn(), info: vi.fn() };
  return { log, h: new StorageHealth({ now, log, dataDir: '/' }) };
}

describe('storage health', () => {
  it('storage errors are full/IO/read-only conditions, not every SQLite error', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'ENOSPC', 'EIO'])
      expect(isStorageError(sqliteError(code)), code).toBe(true);
    for (const err of [
      sqliteError('SQLITE_CONSTRAINT_UNIQUE'),
      sqliteError('SQLITE_ERROR'),
      new Error('x'),
      null,
    ])
      expect(isStorageError(err)).toBe(false);
  });

  it('on PostgreSQL: an unreachable, shut down or full server is a storage error, a bad query is not', () => {
    for (const code of ['ECONNREFUSED', '57P01', '08006', '53100', 'ECONNRESET'])
      expect(isStorageError(sqliteError(code, 'x')), code).toBe(true);
    expect(isStorageError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStorageError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    for (const code of ['42P01', '23505', '22P02'])
      expect(isStorageError(sqliteError(code, 'x')), code).toBe(false);
  });

  it('logs the change to failing once, counts every failed write, logs the recovery', () => {
    let t = 1_000;
    const { log, h } = health(() => t);
    h.failed(sqliteError('SQLITE_FULL'), 'batched write');
    t += 3_000;
    h.failed(sqliteError('SQLITE_FULL'), 'storage probe');
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.error.mock.calls[0]?.[1]).toMatch(
      /^storage failing: SQLITE_FULL: database or disk is full \(batched write\); data folder \//,
    );
    expect(h.state()).toMatchObject({ ok: false, failingSince: 1_000, errors: 2 });
    expect(h.state().lastError).toContain('storage probe');
    h.succeeded('storage probe');
    expect(log.info.mock.calls[0]?.[1]).toBe(
      'storage recovered: storage probe committed after 3 s of failing writes',
    );
    expect(h.state()).toMatchObject({ ok: true, failingSince: null, errors: 2 });
    h.succeeded('batched write');
    expect(log.info).toHaveBeenCalledTimes(1);
  });

  it('another error is a bug: logged each time, the state stays ok', () => {
    const { log, h } = health();
    h.failed(new TypeError('oops'), 'alert tick');
    h.failed(new TypeError('oops'), 'alert tick');
    expect(log.error).toHaveBeenCalledTimes(2);
    expect(h.ok).toBe(true);
  });

  it('a guarded timer body never throws, whether it throws or rejects', async () => {
    const { log, h } = health();
    expect(() =>
      h.guard('sync', () => {
        throw sqliteError('SQLITE_IOERR');
      })(),
    ).not.toThrow();
    h.guard('async', () => Promise.reject(new Error('later')))();
    await Promise.resolve();
    await Promise.resolve();
    expect(h.ok).toBe(false);
    expect(log.error.mock.calls.map((c): unknown => c[1])).toEqual([
      expect.stringMatching(/^storage failing: SQLITE_IOERR/),
      'async failed',
    ]);
  });
});

describe('timers of the app on a failing database', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await app?.close();
  });

  it('an alert delivery pass whose table is gone is reported, not an unhandled rejection', async () => {
    app = await testApp();
    const errors: string[] = [];
    app.alerts.onError = (_err, what) => void errors.push(what);
    app.db.exec('DROP TABLE alert_deliveries');
    app.alerts.kick();
    await app.alerts.idle();
    expect(errors).toEqual(['alert delivery pass']);
  });

  it('GET /api/v1/health tells a logged-in user whether storage works', async () => {
    app = await testApp();
    const token = await login(app);
    expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(401);
    const ok = await app.inject({
      url: '/api/v1/health',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.json()).toEqual({
      storage: { ok: true, failingSince: null, lastError: null, errors: 0, dataFreeBytes: null },
    });
    app.storage.failed(sqliteError('SQLITE_FULL'), 'test');
    const bad = await app.inject({
      url: '/api/v1/health',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.json()).toMatchObject({ storage: { ok: false, errors: 1 } });
  });
});
