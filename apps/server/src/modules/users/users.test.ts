import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../testing/test-app';
import {
  USER_PASSWORD,
  adminSession,
  loginAs,
  userWithRole,
  type Session,
} from '../auth/auth-test-helpers';
import { removesLastAdmin, type UserInfo } from './user-store';

describe('removesLastAdmin', () => {
  const admin: UserInfo = {
    id: 1,
    username: 'a',
    role: 'admin',
    disabled: false,
    createdAt: 0,
    updatedAt: null,
  };
  it('guards the only enabled admin against delete, demotion and disabling, nothing else', () => {
    expect(removesLastAdmin(admin, 'delete', 1)).toBe(true);
    expect(removesLastAdmin(admin, { role: 'operator' }, 1)).toBe(true);
    expect(removesLastAdmin(admin, { disabled: true }, 1)).toBe(true);
    expect(removesLastAdmin(admin, { role: 'admin', disabled: false }, 1)).toBe(false);
    expect(removesLastAdmin(admin, { passwordHash: 'x' }, 1)).toBe(false);
    expect(removesLastAdmin(admin, 'delete', 2)).toBe(false);
    expect(removesLastAdmin({ ...admin, disabled: true }, 'delete', 1)).toBe(false);
    expect(removesLastAdmin({ ...admin, role: 'viewer' }, 'delete', 1)).toBe(false);
  });
});

describe('users API', () => {
  let app: FastifyInstance;
  let admin: Session;
  beforeEach(async () => {
    app = await testApp();
    admin = await adminSession(app);
  });
  afterEach(() => app.close());

  const patch = (username: string, payload: object, s: Session = admin) =>
    app.inject({ method: 'PATCH', url: `/api/v1/users/${username}`, headers: s.bearer, payload });

  it('creates, lists, changes and deletes users, auditing each', async () => {
    const vera = await userWithRole(app, 'vera', 'viewer');
    const list = await app.inject({ url: '/api/v1/users', headers: admin.bearer });
    expect(
      list.json<{ username: string; role: string }[]>().map((u) => [u.username, u.role]),
    ).toEqual([
      ['admin', 'admin'],
      ['vera', 'viewer'],
    ]);
    expect(list.body).not.toContain('scrypt');
    const promoted = await patch('vera', { role: 'operator' });
    expect(promoted.json()).toMatchObject({ username: 'vera', role: 'operator', disabled: false });
    // A role change applies to live sessions at once.
    expect(
      (await app.inject({ url: '/api/v1/auth/me', headers: vera.bearer })).json(),
    ).toMatchObject({ role: 'operator' });
    const token = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: vera.bearer,
        payload: { name: 't' },
      })
    ).json<{ token: string }>().token;
    const dup = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.bearer,
      payload: { username: 'vera', password: USER_PASSWORD, role: 'viewer' },
    });
    expect(dup.statusCode).toBe(409);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/users/vera', headers: admin.bearer }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/users/vera', headers: admin.bearer }))
        .statusCode,
    ).toBe(404);
    // Her session and API token went with her.
    expect((await app.inject({ url: '/api/v1/auth/me', headers: vera.bearer })).statusCode).toBe(
      401,
    );
    expect(
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(401);
    const audit = await app.inject({ url: '/api/v1/audit', headers: admin.bearer });
    const actions = audit
      .json<{ entries: { action: string; actor: string; target: string }[] }>()
      .entries.filter((e) => e.target === 'vera')
      .map((e) => `${e.actor} ${e.action}`);
    expect(actions).toEqual([
      'admin user.delete',
      'admin user.update',
      'vera auth.login',
      'admin user.create',
    ]);
  });

  it('enforces the password policy and a sane username', async () => {
    const short = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.bearer,
      payload: { username: 'bob', password: 'short', role: 'viewer' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({
      error: 'weak_password',
      message: 'the password needs at least 10 characters',
    });
    const html = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.bearer,
      payload: { username: '<b>x</b>', password: USER_PASSWORD, role: 'viewer' },
    });
    expect(html.statusCode).toBe(400);
    expect((await patch('admin', { password: 'tiny' })).statusCode).toBe(400);
  });

  it('never removes, demotes or disables the last enabled admin', async () => {
    for (const change of [{ role: 'viewer' }, { disabled: true }]) {
      const res = await patch('admin', change);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'last_admin' });
    }
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/users/admin', headers: admin.bearer }))
        .statusCode,
    ).toBe(409);
    // With a second admin the first may go.
    const second = await userWithRole(app, 'ada', 'admin');
    expect((await patch('admin', { role: 'viewer' }, second)).statusCode).toBe(200);
    expect((await patch('ada', { disabled: true }, second)).statusCode).toBe(409);
  });

  it("an admin's password reset revokes the user's API tokens and sessions, and says how many", async () => {
    const olga = await userWithRole(app, 'olga', 'operator');
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: olga.bearer,
      payload: { name: 'script' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const script = { authorization: `Bearer ${made.json<{ token: string }>().token}` };
    const me = (headers: Record<string, string>) => app.inject({ url: '/api/v1/auth/me', headers });
    expect((await me(script)).statusCode).toBe(200);
    // A role change is no reset: the token lives on.
    expect((await patch('olga', { role: 'viewer' })).statusCode).toBe(200);
    expect((await me(script)).statusCode).toBe(200);
    expect((await patch('olga', { password: 'a reset by the admin' })).statusCode).toBe(200);
    expect((await me(script)).statusCode).toBe(401);
    expect((await me(olga.bearer)).statusCode).toBe(401);
    const audit = await app.inject({ url: '/api/v1/audit?limit=5', headers: admin.bearer });
    const entry = audit
      .json<{ entries: { action: string; target: string; detail: Record<string, unknown> }[] }>()
      .entries.find((e) => e.action === 'user.update' && e.detail['passwordReset'] === true);
    expect(entry).toMatchObject({ target: 'olga', detail: { revokedTokens: 1, endedSessions: 1 } });
  });

  it('a password reset or disabling ends that user’s sessions; disabled users cannot log in', async () => {
    const vera = await userWithRole(app, 'vera', 'viewer');
    const me = () => app.inject({ url: '/api/v1/auth/me', headers: vera.bearer });
    expect((await me()).statusCode).toBe(200);
    expect((await patch('vera', { password: 'a brand new password' })).statusCode).toBe(200);
    expect((await me()).statusCode).toBe(401);
    const again = await loginAs(app, 'vera', 'a brand new password');
    expect((await patch('vera', { disabled: true })).json()).toMatchObject({ disabled: true });
    expect((await app.inject({ url: '/api/v1/auth/me', headers: again.bearer })).statusCode).toBe(
      401,
    );
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'vera', password: 'a brand new password' },
    });
    expect(refused.statusCode).toBe(401);
    expect((await patch('vera', { disabled: false })).statusCode).toBe(200);
    await loginAs(app, 'vera', 'a brand new password');
  });
});
