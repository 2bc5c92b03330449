import type { FastifyInstance } from 'fastify';
import type { Role } from '../../plugins/auth-policy';
import { ADMIN_PASSWORD, login } from '../../testing/test-app';

/** A logged-in browser-like client: its session token and CSRF token. */
export interface Session {
  token: string;
  csrf: string;
  /** Headers of a cookie-authenticated, CSRF-carrying request. */
  cookieHeaders: { cookie: string; 'x-keepwatch-csrf': string };
  bearer: { authorization: string };
}

export async function loginAs(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const { token, csrfToken } = res.json<{ token: string; csrfToken: string }>();
  return {
    token,
    csrf: csrfToken,
    cookieHeaders: { cookie: `kw_session=${token}`, 'x-keepwatch-csrf': csrfToken },
    bearer: { authorization: `Bearer ${token}` },
  };
}

export const USER_PASSWORD = 'long enough password';

/** Creates `username` with `role` (as admin, over the API) and logs it in. */
export async function userWithRole(
  app: FastifyInstance,
  username: string,
  role: Role,
): Promise<Session> {
  const admin = await login(app);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${admin}` },
    payload: { username, password: USER_PASSWORD, role },
  });
  if (res.statusCode !== 201) throw new Error(`create ${username}: ${res.statusCode} ${res.body}`);
  return loginAs(app, username, USER_PASSWORD);
}

export const adminSession = (app: FastifyInstance): Promise<Session> =>
  loginAs(app, 'admin', ADMIN_PASSWORD);
