import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { SESSION_IDLE_MS, SESSION_TTL_MS } from '../../plugins/auth-service';
import { ADMIN_PASSWORD, testConfig } from '../../testing/test-app';
import { adminSession, loginAs, userWithRole, USER_PASSWORD } from './auth-test-helpers';

interface AuditPage {
  entries: {
    actor: string;
    action: string;
    target: string | null;
    result: string;
    ip: string | null;
    detail: Record<string, unknown>;
  }[];
}

describe('sessions, API tokens, throttling and the audit trail', () => {
  let app: FastifyInstance;
  let clock: number;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      now: () => clock,
    });
    await app.ready();
  });
  afterEach(() => app.close());

  const me = (headers: Record<string, string>) => app.inject({ url: '/api/v1/auth/me', headers });
  const audit = async () =>
    (
      await app.inject({ url: '/api/v1/audit', headers: (await adminSession(app)).bearer })
    ).json<AuditPage>().entries;

  it('expires a session after the idle limit, and at the absolute limit however busy', async () => {
    const s = await adminSession(app);
    clock += SESSION_IDLE_MS - 60_000;
    expect((await me(s.bearer)).statusCode).toBe(200); // use refreshes the idle clock
    clock += SESSION_IDLE_MS - 60_000;
    expect((await me(s.bearer)).statusCode).toBe(200);
    clock += SESSION_IDLE_MS + 1;
    expect((await me(s.bearer)).statusCode).toBe(401);

    const busy = await adminSession(app);
    const start = clock;
    while (clock < start + SESSION_TTL_MS - 3_600_000) {
      clock += 3_600_000;
      expect((await me(busy.bearer)).statusCode).toBe(200);
    }
    clock = start + SESSION_TTL_MS;
    expect((await me(busy.bearer)).statusCode).toBe(401);
  });

  it('logout through the cookie needs the CSRF header and ends the session', async () => {
    const s = await adminSession(app);
    const bare = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: s.cookieHeaders.cookie },
    });
    expect(bare.statusCode).toBe(403);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: s.cookieHeaders,
    });
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).toContain('kw_session=;');
    expect((await me({ cookie: s.cookieHeaders.cookie })).statusCode).toBe(401);
  });

  it('changes my password: needs the current one and the policy, ends my other sessions only', async () => {
    const a = await adminSession(app);
    const b = await adminSession(app);
    const change = (current: string, next: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: a.cookieHeaders,
        payload: { current, next },
      });
    expect((await change('wrong password!', 'another good password')).statusCode).toBe(403);
    expect((await change(ADMIN_PASSWORD, 'short')).statusCode).toBe(400);
    expect((await change(ADMIN_PASSWORD, 'another good password')).statusCode).toBe(200);
    expect((await me(a.bearer)).statusCode).toBe(200);
    expect((await me(b.bearer)).statusCode).toBe(401);
    await loginAs(app, 'admin', 'another good password');
  });

  it('API tokens: shown once, listed without secret, capped at my role, dead after revoke', async () => {
    const op = await userWithRole(app, 'otto', 'operator');
    const tooHigh = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: op.bearer,
      payload: { name: 'x', role: 'admin' },
    });
    expect(tooHigh.statusCode).toBe(403);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: op.bearer,
      payload: { name: 'ci', role: 'viewer', ttlDays: 1 },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json<{ token: string; id: number }>();
    expect(token).toMatch(/^kwt_[\w-]{40,}$/);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await me(bearer)).json()).toEqual({ username: 'otto', role: 'viewer' });
    // Bearer requests need no CSRF header; the token's role (viewer) is what counts.
    expect((await app.inject({ url: '/api/v1/users', headers: bearer })).statusCode).toBe(403);
    const list = await app.inject({ url: '/api/v1/tokens', headers: op.bearer });
    expect(list.body).not.toContain(token);
    expect(list.json()).toEqual([
      expect.objectContaining({ id, name: 'ci', role: 'viewer', owner: 'otto' }),
    ]);
    // Another non-admin cannot see or revoke it.
    const vera = await userWithRole(app, 'vera', 'viewer');
    expect((await app.inject({ url: '/api/v1/tokens', headers: vera.bearer })).json()).toEqual([]);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: vera.bearer }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: op.bearer }))
        .statusCode,
    ).toBe(200);
    expect((await me(bearer)).statusCode).toBe(401);
  });

  it('API tokens expire, and follow their owner down in role', async () => {
    const admin = await adminSession(app);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin.bearer,
      payload: { name: 'n', ttlDays: 1 },
    });
    const bearer = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
    await userWithRole(app, 'ada', 'admin');
    const ada = await loginAs(app, 'ada', USER_PASSWORD);
    await app.inject({
      method: 'PATCH',
      url: '/api/v1/users/admin',
      headers: ada.bearer,
      payload: { role: 'operator' },
    });
    expect((await me(bearer)).json()).toMatchObject({ role: 'operator' });
    clock += 86_400_000;
    expect((await me(bearer)).statusCode).toBe(401);
  });

  it('audits login success and failure with actor, target and ip', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.7',
      payload: { username: 'admin', password: 'wrong one' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.8',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const entries = (await audit()).filter((e) => e.action === 'auth.login');
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'admin',
        target: 'admin',
        result: 'denied',
        ip: '192.0.2.7',
        detail: { reason: 'invalid_credentials' },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ actor: 'admin', result: 'ok', ip: '192.0.2.8' }),
    );
    const serialized = JSON.stringify(await audit());
    expect(serialized).not.toContain(ADMIN_PASSWORD);
    expect(serialized).not.toContain('wrong one');
  });

  it('a failing session/token touch (read-only or full database) does not fail the read', async () => {
    const admin = await adminSession(app);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin.bearer,
      payload: { name: 'script' },
    });
    const apiToken = created.json<{ token: string }>().token;
    clock += 5 * 60_000; // past the touch interval: both reads below want to write
    app.db.pragma('query_only = ON'); // every write now fails like on a full disk
    try {
      expect((await me(admin.bearer)).statusCode).toBe(200);
      expect((await me({ authorization: `Bearer ${apiToken}` })).statusCode).toBe(200);
      // A dead session cannot be deleted either: still a clean 401, not a 500.
      clock += SESSION_IDLE_MS;
      expect((await me(admin.bearer)).statusCode).toBe(401);
    } finally {
      app.db.pragma('query_only = OFF');
    }
  });
});
