import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  LoginRequest,
  LoginResponse,
  MeResponse,
  OkResponse,
} from '@keepwatch/shared';
import { SESSION_COOKIE, requestToken } from '../../plugins/auth';
import { SESSION_TTL_MS } from '../../plugins/auth-service';
import { LoginLimiter } from './login-limiter';

export interface AuthModuleOptions {
  now: () => number;
  /** Set the Secure flag on the session cookie (behind TLS). */
  secureCookie?: boolean;
}

/** POST /auth/login, POST /auth/logout, GET /auth/me. */
const authModule: FastifyPluginCallback<AuthModuleOptions> = (app, opts, done) => {
  const limiter = new LoginLimiter(opts.now);

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the kw_session cookie and returns the same token for Bearer use',
        body: LoginRequest,
        response: { 200: LoginResponse, 401: ApiError, 429: ApiError },
      },
    },
    async (request, reply) => {
      const wait = limiter.blockedFor(request.ip);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        return reply
          .code(429)
          .send({ error: 'too_many_attempts', message: `too many failed logins; retry in ${wait} s` });
      }
      const { username, password } = request.body as LoginRequest;
      const user = await app.auth.checkPassword(username, password);
      if (!user) {
        limiter.fail(request.ip);
        return reply
          .code(401)
          .send({ error: 'invalid_credentials', message: 'wrong username or password' });
      }
      limiter.succeed(request.ip);
      const session = app.auth.createSession(user);
      void reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.secureCookie ?? false,
        path: '/',
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      return {
        token: session.token,
        user: { username: user.username, role: user.role },
        expiresAt: session.expiresAt,
      };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], summary: 'End this session', response: { 200: OkResponse, 401: ApiError } } },
    (request, reply) => {
      const token = requestToken(request);
      if (token) app.auth.revoke(token);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], summary: 'Who am I', response: { 200: MeResponse, 401: ApiError } } },
    (request) => {
      const user = request.user;
      return { username: user?.username ?? '', role: user?.role ?? '' };
    },
  );
  done();
};

export default authModule;
