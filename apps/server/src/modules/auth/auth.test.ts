import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, testApp } from '../../testing/test-app';

describe('auth module', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('logs in with the right password: HttpOnly SameSite=Lax cookie and token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ token: string; user: { username: string }; expiresAt: number }>();
    expect(body.user.username).toBe('admin');
    expect(body.token.length).toBeGreaterThan(20);
    expect(body.expiresAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`kw_session=${body.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');

    expect(cookie).toMatch(/kw_csrf=[\w-]{20,}; Max-Age=\d+; Path=\/; SameSite=Lax(?!; HttpOnly)/);
    expect(cookie).not.toContain('Secure');

    const me = await app.inject({ url: '/api/v1/auth/me', cookies: { kw_session: body.token } });
    expect(me.json()).toEqual({
      username: 'admin',
      role: 'admin',
      csrfToken: res.json<{ csrfToken: string }>().csrfToken,
    });
  });

  it('marks both cookies Secure when a trusted proxy says https, not when anyone says so', async () => {
    const loginVia = (a: FastifyInstance) =>
      a.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
    const untrusted = String((await loginVia(app)).headers['set-cookie']);
    expect(untrusted).not.toContain('Secure');
    const proxied = await testApp({ trustProxy: true });
    try {
      const cookies = (await loginVia(proxied)).headers['set-cookie'] as string[];
      expect(cookies).toHaveLength(2);
      for (const c of cookies) expect(c).toContain('; Secure');
    } finally {
      await proxied.close();
    }
  });

  it('rejects a wrong password with 401 {error, message}', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'nope' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_credentials' });
    expect(typeof res.json<{ message: unknown }>().message).toBe('string');
    const ghost = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ghost', password: 'nope' },
    });
    expect(ghost.statusCode).toBe(401);
  });

  it('rejects a malformed login body with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request' });
  });

  it('rate-limits failed logins per IP and name with 429', async () => {
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: 'x' },
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
    const blocked = await attempt();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  }, 60_000); // many scrypt hashes on a shared CPU

  it('logout revokes the token', async () => {
    const { token } = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      })
    ).json<{ token: string }>();
    const auth = { authorization: `Bearer ${token}` };
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/api/v1/auth/me', headers: auth })).statusCode).toBe(401);
  });

  it('generates an admin password when none is configured and exposes it once', async () => {
    const other = await testApp({ adminPassword: undefined });
    try {
      const generated = other.initialAdminPassword;
      expect(generated).toMatch(/^[\w-]{12,}$/);
      const res = await other.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: generated },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await other.close();
    }
    expect(app.initialAdminPassword).toBeUndefined();
  });
});
