import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../app';
import { SESSION_TTL_MS } from '../../plugins/auth-service';
import { SESSION_PURGE_MS } from '../../plugins/auth';
import { login, testApp, testConfig } from '../../testing/test-app';
import { adminSession, type Session } from '../auth/auth-test-helpers';
import { AUDIT_PRUNE_EVERY_MS, AUDIT_RETENTION_MS } from './audit-plugin';

interface Page {
  entries: {
    id: number;
    actor: string;
    action: string;
    target: string | null;
    result: string;
    detail: Record<string, unknown>;
    ip: string | null;
  }[];
  nextBefore: number | null;
}

describe('audit log', () => {
  let app: FastifyInstance;
  let admin: Session;
  beforeEach(async () => {
    app = await testApp();
    admin = await adminSession(app);
  });
  afterEach(() => app.close());
  const page = async (query: string) =>
    (await app.inject({ url: `/api/v1/audit${query}`, headers: admin.bearer })).json<Page>();

  it('starts with the bootstrap admin, created by system', async () => {
    const { entries } = await page('');
    expect(entries.at(-1)).toMatchObject({
      actor: 'system',
      action: 'user.create',
      target: 'admin',
      result: 'ok',
      ip: null,
    });
  });

  it('records what modules send through app.audit.record and pages newest first', async () => {
    for (let i = 0; i < 5; i++) {
      app.audit.record({
        actor: `agent:a${i}`,
        action: 'agent.enroll',
        target: `a${i}`,
        detail: { n: i },
      });
    }
    app.audit.record({
      actor: 'system',
      action: 'agent.revoke',
      target: 'a0',
      result: 'error',
      ip: '192.0.2.1',
    });
    const first = await page('?limit=3');
    expect(first.entries.map((e) => e.action)).toEqual([
      'agent.revoke',
      'agent.enroll',
      'agent.enroll',
    ]);
    expect(first.entries[0]).toMatchObject({ result: 'error', ip: '192.0.2.1', detail: {} });
    expect(first.entries[1]).toMatchObject({ actor: 'agent:a4', detail: { n: 4 } });
    const second = await page(`?limit=3&before=${first.nextBefore}`);
    expect(second.entries.map((e) => e.target)).toEqual(['a2', 'a1', 'a0']);
    const all = await page('?limit=500');
    expect(all.nextBefore).toBeNull();
    expect(new Set(all.entries.map((e) => e.id)).size).toBe(all.entries.length);
  });

  it('filters by actor, action (exact or a prefix ending in a dot) and time, and pages within the filter', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 4; i++)
      app.audit.record({ actor: 'ops', action: 'maintenance.start', target: `c${i}` });
    app.audit.record({ actor: 'ops', action: 'maintenance.end', target: 'c0' });
    app.audit.record({ actor: 'eve', action: 'maintenance.start', target: 'x' });
    const byOps = await page('?actor=ops&action=maintenance.start&limit=3');
    expect(byOps.entries.map((e) => e.target)).toEqual(['c3', 'c2', 'c1']);
    const rest = await page(
      `?actor=ops&action=maintenance.start&limit=3&before=${byOps.nextBefore}`,
    );
    expect(rest.entries.map((e) => e.target)).toEqual(['c0']);
    expect((await page('?action=maintenance.')).entries).toHaveLength(6);
    expect((await page('?action=maintenance')).entries).toHaveLength(0);
    expect((await page(`?from=${t0 - 1}&actor=eve`)).entries.map((e) => e.target)).toEqual(['x']);
    expect((await page(`?to=${t0 - 60_000}`)).entries).toHaveLength(0);
  });

  it('prunes entries older than the retention', async () => {
    const store = app.repos.audit;
    const before = (await store.list(500)).length;
    app.db
      .prepare("UPDATE audit SET at = at - ? WHERE action = 'user.create'")
      .run(AUDIT_RETENTION_MS + 1);
    expect(await store.prune(Date.now() - AUDIT_RETENTION_MS)).toBe(1);
    expect(await store.list(500)).toHaveLength(before - 1);
  });

  it('rejects a bad limit with 400', async () => {
    expect(
      (await app.inject({ url: '/api/v1/audit?limit=0', headers: admin.bearer })).statusCode,
    ).toBe(400);
  });
});

describe('housekeeping while the server runs (issue 7 item 9)', () => {
  afterEach(() => vi.useRealTimers());

  it('audit rows past retention and dead sessions are deleted on a timer, not only at start', async () => {
    // Fake intervals only: the injected clock says what time it is, the fake timers when.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      now: () => clock,
    });
    try {
      await app.ready();
      await login(app);
      app.audit.record({ actor: 'system', action: 'test.old' });
      clock += AUDIT_RETENTION_MS + 1;
      app.audit.record({ actor: 'system', action: 'test.new' });
      const actions = async () => (await app.repos.audit.list(500)).map((e) => e.action);
      const sessions = () =>
        (app.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
      expect(clock - SESSION_TTL_MS).toBeGreaterThan(0);
      expect(await actions()).toContain('test.old');
      expect(sessions()).toBe(1);

      vi.advanceTimersByTime(SESSION_PURGE_MS);
      expect(sessions()).toBe(0);
      expect(await actions()).toContain('test.old');
      vi.advanceTimersByTime(AUDIT_PRUNE_EVERY_MS - SESSION_PURGE_MS);
      expect(await actions()).not.toContain('test.old');
      expect(await actions()).toContain('test.new');
    } finally {
      await app.close();
    }
  });
});
