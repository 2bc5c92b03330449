import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { buildApp } from '../../app';
import type { AuthService } from '../../plugins/auth-service';
import { ADMIN_PASSWORD, testConfig } from '../../testing/test-app';
import { LOGIN_LIMITS, LoginLimits } from './login-limits';

describe('LoginLimits (pure)', () => {
  it('counts an attempt when it starts, frees its in-flight slot once, refunds a success', () => {
    let clock = 0;
    const limits = new LoginLimits(() => clock);
    const a = limits.begin('192.0.2.1', 'admin');
    const b = limits.begin('192.0.2.1', 'admin');
    expect(a.ok && b.ok).toBe(true);
    expect(limits.begin('192.0.2.1', 'admin')).toMatchObject({
      ok: false,
      status: 429,
      reason: 'busy',
    });
    if (a.ok) {
      a.done(false);
      a.done(false); // a second call must not free a second slot
    }
    const c = limits.begin('192.0.2.1', 'admin');
    expect(c.ok).toBe(true);
    expect(limits.begin('192.0.2.1', 'admin')).toMatchObject({ ok: false, reason: 'busy' });
    if (b.ok) b.done(true);
    if (c.ok) c.done(false);
    // b's success cleared the pair: 5 more failures are allowed before the pair is refused.
    for (let i = 0; i < LOGIN_LIMITS.perIpUser.max; i++) {
      const t = limits.begin('192.0.2.1', 'ADMIN');
      expect(t.ok, `attempt ${i}`).toBe(true);
      if (t.ok) t.done(false);
    }
    expect(limits.begin('192.0.2.1', 'admin')).toMatchObject({ ok: false, reason: 'ip_user' });
    clock += LOGIN_LIMITS.perIpUser.windowMs;
    expect(limits.begin('192.0.2.1', 'admin').ok).toBe(true);
  });
});

describe('POST /auth/login limits (issue 7 item 6)', () => {
  let app: FastifyInstance;
  let clock: number;
  let checks: MockInstance<AuthService['checkPassword']>;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      now: () => clock,
    });
    await app.ready();
    checks = vi.spyOn(app.auth, 'checkPassword');
  });
  afterEach(() => app.close());

  const attempt = (username: string, password: string, ip = '192.0.2.10') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: ip,
      payload: { username, password },
    });

  it('50 parallel wrong logins from one address: at most 2 reach the password check', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attempt('admin', `wrong password ${i}`)),
    );
    expect(checks.mock.calls.length).toBeLessThanOrEqual(LOGIN_LIMITS.inFlightPerIp);
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(checks.mock.calls.length);
    expect(codes.filter((c) => c === 429)).toHaveLength(50 - checks.mock.calls.length);
    const refused = answers.find((r) => r.statusCode === 429);
    expect(refused?.headers['retry-after']).toBe('1');
    expect(refused?.json()).toMatchObject({ error: 'login_busy' });
  }, 60_000);

  it('50 parallel wrong logins from 50 addresses: at most 4 reach the password check', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attempt('admin', 'wrong password', `198.51.100.${i}`)),
    );
    expect(checks.mock.calls.length).toBeLessThanOrEqual(LOGIN_LIMITS.inFlightTotal);
    expect(answers.filter((r) => r.statusCode === 503)).toHaveLength(50 - checks.mock.calls.length);
    expect(answers.some((r) => r.statusCode === 200)).toBe(false);
  }, 60_000);

  it('10 attempts a minute per address, whatever the names; the 11th is refused without a hash', async () => {
    for (let i = 0; i < 10; i++)
      expect((await attempt(`user${i}`, 'bad password')).statusCode).toBe(401);
    const refused = await attempt('admin', ADMIN_PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'too_many_attempts' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(checks).toHaveBeenCalledTimes(10);
    clock += 60_000;
    expect((await attempt('admin', ADMIN_PASSWORD)).statusCode).toBe(200);
  }, 60_000);

  it('a stranger failing as admin from many addresses never locks the real admin out', async () => {
    for (let ip = 0; ip < 6; ip++) {
      for (let i = 0; i < 5; i++)
        expect((await attempt('admin', 'guess', `203.0.113.${ip}`)).statusCode).toBe(401);
      // That address + name pair is done for 15 minutes, even with the right password…
      expect((await attempt('admin', ADMIN_PASSWORD, `203.0.113.${ip}`)).statusCode).toBe(429);
    }
    // …and unknown names are counted alike (the answers reveal nothing about which exist).
    for (let i = 0; i < 5; i++) await attempt('ghost', 'guess', '203.0.113.99');
    const ghost = await attempt('ghost', 'guess', '203.0.113.99');
    const admin = await attempt('admin', 'guess', '203.0.113.0');
    expect(ghost.statusCode).toBe(429);
    expect(ghost.json()).toEqual(admin.json());
    // The real admin, from its own address, is not affected at all.
    expect((await attempt('admin', ADMIN_PASSWORD, '192.0.2.200')).statusCode).toBe(200);
  }, 120_000); // ~36 scrypt hashes on a shared CPU
});
