import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../testing/route-list';
import { testApp } from '../../testing/test-app';
import { adminSession, userWithRole, type Session } from './auth-test-helpers';

// Routes that authenticate by other means; adding one here is a security decision.
const PUBLIC = [
  'POST /api/v1/auth/login',
  'POST /api/v1/agents/enroll', // the enrollment token is the credential
];
const PUBLIC_PREFIX = ['/api/v1/agent-dist/']; // the agent binary and installer, no secrets

const isPublic = (method: string, path: string): boolean =>
  PUBLIC.includes(`${method === 'HEAD' ? 'GET' : method} ${path}`) ||
  PUBLIC_PREFIX.some((p) => path.startsWith(p));

describe('access control over every /api/v1 route', () => {
  let app: FastifyInstance;
  let admin: Session;
  let viewer: Session;
  let operator: Session;
  beforeAll(async () => {
    app = await testApp();
    admin = await adminSession(app);
    viewer = await userWithRole(app, 'vera', 'viewer');
    operator = await userWithRole(app, 'otto', 'operator');
  });
  afterAll(() => app.close());

  it('answers 401 without credentials on every route except the public ones', async () => {
    const routes = routesOf(app).filter(
      (r) => r.path.startsWith('/api/v1/') && !isPublic(r.method, r.path),
    );
    expect(routes.length).toBeGreaterThan(10);
    expect(routes).toContainEqual({ method: 'PATCH', path: '/api/v1/users/:username' });
    for (const { method, path } of routes) {
      const url = path.replace(/:\w+/g, '1');
      const res = await app.inject({
        method,
        url,
        payload: method === 'GET' || method === 'HEAD' ? undefined : {},
      });
      expect(`${method} ${path} → ${res.statusCode}`).toBe(`${method} ${path} → 401`);
    }
  });

  it('refuses a viewer on admin routes with 403 naming both roles, and audits it', async () => {
    for (const url of ['/api/v1/users', '/api/v1/audit']) {
      const res = await app.inject({ url, headers: viewer.bearer });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: 'forbidden',
        message: 'this needs the admin role; you are viewer',
      });
    }
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: operator.bearer,
      payload: { username: 'x', password: 'long enough password', role: 'admin' },
    });
    expect(denied.json()).toMatchObject({ message: 'this needs the admin role; you are operator' });
    const audit = await app.inject({ url: '/api/v1/audit?limit=50', headers: admin.bearer });
    expect(
      audit.json<{ entries: { actor: string; action: string; result: string }[] }>().entries,
    ).toContainEqual(
      expect.objectContaining({ actor: 'vera', action: 'access.denied', result: 'denied' }),
    );
  });

  it('lets a viewer read status and its own identity', async () => {
    expect((await app.inject({ url: '/api/v1/status', headers: viewer.bearer })).statusCode).toBe(
      200,
    );
    expect(
      (await app.inject({ url: '/api/v1/auth/me', headers: viewer.bearer })).json(),
    ).toMatchObject({ username: 'vera', role: 'viewer' });
  });

  it('app.auth.requireRole is the same check as route config', async () => {
    const hook = app.auth.requireRole('operator');
    const calls: unknown[] = [];
    const reply = {
      code: (c: number) => ({ send: (b: unknown) => calls.push([c, b]) }),
    } as unknown as FastifyReply;
    const as = (role: string) => ({ user: { role } }) as unknown as FastifyRequest;
    await hook(as('viewer'), reply);
    await hook(as('operator'), reply);
    expect(calls).toEqual([
      [403, { error: 'forbidden', message: 'this needs the operator role; you are viewer' }],
    ]);
  });
});

describe('CSRF and Origin', () => {
  let app: FastifyInstance;
  let s: Session;
  beforeAll(async () => {
    app = await testApp();
    s = await adminSession(app);
  });
  afterAll(() => app.close());
  const createToken = (headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload: { name: 'ci' } });

  it('refuses a cookie POST without the header, or with a wrong one', async () => {
    const none = await createToken({ cookie: s.cookieHeaders.cookie });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ error: 'csrf' });
    const wrong = await createToken({
      ...s.cookieHeaders,
      'x-keepwatch-csrf': 'A'.repeat(s.csrf.length),
    });
    expect(wrong.statusCode).toBe(403);
  });

  it('accepts a cookie POST with the header, a bearer POST without, and cookie GETs without', async () => {
    expect((await createToken(s.cookieHeaders)).statusCode).toBe(201);
    expect((await createToken(s.bearer)).statusCode).toBe(201);
    expect(
      (await app.inject({ url: '/api/v1/tokens', headers: { cookie: s.cookieHeaders.cookie } }))
        .statusCode,
    ).toBe(200);
  });

  it('binds the token to the session: another session’s CSRF token does not work', async () => {
    const other = await adminSession(app);
    const res = await createToken({
      cookie: s.cookieHeaders.cookie,
      'x-keepwatch-csrf': other.csrf,
    });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a cross-origin Origin on state changes, even on login', async () => {
    const cross = await createToken({ ...s.cookieHeaders, origin: 'https://evil.example' });
    expect(cross.statusCode).toBe(403);
    expect(cross.json()).toMatchObject({ error: 'cross_origin' });
    const same = await createToken({
      ...s.cookieHeaders,
      origin: 'http://localhost:80',
      host: 'localhost:80',
    });
    expect(same.statusCode).toBe(201);
    // Cross-site WebSocket hijacking: the live feed's upgrade from another origin is refused
    // before the socket handler (which would accept the cookie) runs.
    const ws = {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    const hijack = await app.inject({
      url: '/api/v1/live',
      headers: { ...ws, cookie: s.cookieHeaders.cookie, origin: 'https://evil.example' },
    });
    expect(hijack.statusCode).toBe(403);
    expect(hijack.json()).toMatchObject({ error: 'cross_origin' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: 'null' },
      payload: { username: 'admin', password: 'x' },
    });
    expect(login.statusCode).toBe(403);
  });
});
