import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  LoginRequest,
  LoginResponse,
  MeResponse,
  OkResponse,
  PasswordChange,
} from '@keepwatch/shared';
import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  requestCredential,
  sessionCookieOptions,
} from '../../plugins/auth';
import { csrfTokenFor, passwordProblem } from '../../plugins/auth-policy';
import type { AuthUser } from '../../plugins/auth-service';
import { LoginLimits, type LoginAdmission } from './login-limits';
import tokensRoutes from './tokens-routes';

export interface AuthModuleOptions {
  now: () => number;
}

const REFUSED = {
  busy: 'too many logins at once; retry in a moment',
  ip: 'too many login attempts from this address; retry in',
  ip_user: 'too many failed logins for this name from this address; retry in',
} as const;

/** The answer to an attempt the limits did not admit (not audited: a flood would fill the log). */
function refuse(
  reply: FastifyReply,
  refused: Extract<LoginAdmission, { ok: false }>,
): FastifyReply {
  const { status, retryAfterS, reason } = refused;
  const message = reason === 'busy' ? REFUSED.busy : `${REFUSED[reason]} ${retryAfterS} s`;
  return reply
    .header('retry-after', String(retryAfterS))
    .code(status)
    .send({ error: reason === 'busy' ? 'login_busy' : 'too_many_attempts', message });
}

/** POST /auth/login, POST /auth/logout, GET /auth/me, POST /auth/password, /tokens. */
const authModule: FastifyPluginCallback<AuthModuleOptions> = (app, opts, done) => {
  const limits = new LoginLimits(opts.now);

  async function login(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const { username, password } = request.body as LoginRequest;
    const audit = { action: 'auth.login', target: username, actor: username };
    // Counted before the hash (login-limits.ts): parallel attempts cannot all get through.
    const admission = limits.begin(request.ip, username);
    if (!admission.ok) return refuse(reply, admission);
    let user: AuthUser | null = null;
    try {
      user = await app.auth.checkPassword(username, password);
    } finally {
      admission.done(user !== null);
    }
    if (!user) {
      app.audit.fromRequest(request, {
        ...audit,
        result: 'denied',
        detail: { reason: 'invalid_credentials' },
      });
      return reply
        .code(401)
        .send({ error: 'invalid_credentials', message: 'wrong username or password' });
    }
    const session = await app.auth.createSession(user);
    const csrfToken = csrfTokenFor(session.token);
    void reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(request));
    void reply.setCookie(CSRF_COOKIE, csrfToken, sessionCookieOptions(request, false));
    app.audit.fromRequest(request, { ...audit, actor: user.username, detail: { role: user.role } });
    return {
      token: session.token,
      user: { username: user.username, role: user.role },
      expiresAt: session.expiresAt,
      csrfToken,
    };
  }

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          'Log in; sets the kw_session (HttpOnly) and kw_csrf cookies, returns the token for Bearer use',
        body: LoginRequest,
        response: {
          200: LoginResponse,
          400: ApiError,
          401: ApiError,
          429: ApiError,
          503: ApiError,
        },
      },
    },
    login,
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        response: { 200: OkResponse, 401: ApiError },
      },
    },
    async (request, reply) => {
      const credential = requestCredential(request);
      if (credential && request.user?.via === 'session') await app.auth.revoke(credential.token);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      void reply.clearCookie(CSRF_COOKIE, { path: '/' });
      app.audit.fromRequest(request, {
        action: 'auth.logout',
        target: request.user?.username ?? null,
      });
      return { ok: true };
    },
  );

  app.get(
    '/auth/me',
    {
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: MeResponse, 401: ApiError } },
    },
    (request) => {
      const user = request.user;
      const credential = requestCredential(request);
      const session = user?.via === 'session' && credential;
      return {
        username: user?.username ?? '',
        role: user?.role ?? '',
        ...(session && { csrfToken: csrfTokenFor(credential.token) }),
      };
    },
  );

  app.post(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (ends my other sessions)',
        body: PasswordChange,
        response: {
          200: OkResponse,
          400: ApiError,
          401: ApiError,
          403: ApiError,
          429: ApiError,
          503: ApiError,
        },
      },
    },
    async (request, reply) => {
      const user = request.user;
      const credential = requestCredential(request);
      if (!user || !credential || user.via !== 'session') {
        return reply.code(403).send({
          error: 'forbidden',
          message: 'change a password from a login session, not with an API token',
        });
      }
      const { current, next } = request.body as PasswordChange;
      const problem = passwordProblem(next, user.username);
      if (problem) return reply.code(400).send({ error: 'weak_password', message: problem });
      // The same limits as a login: the current password is a guess too (a stolen session).
      const admission = limits.begin(request.ip, user.username);
      if (!admission.ok) return refuse(reply, admission);
      let confirmed = false;
      try {
        confirmed = (await app.auth.checkPassword(user.username, current)) !== null;
      } finally {
        admission.done(confirmed);
      }
      if (!confirmed) {
        app.audit.fromRequest(request, {
          action: 'user.password',
          target: user.username,
          result: 'denied',
        });
        return reply
          .code(403)
          .send({ error: 'invalid_credentials', message: 'the current password is wrong' });
      }
      await app.auth.setPassword(user.id, next);
      const ended = await app.auth.revokeUserSessions(user.id, credential.token);
      app.audit.fromRequest(request, {
        action: 'user.password',
        target: user.username,
        detail: { endedSessions: ended },
      });
      return { ok: true };
    },
  );

  app.register(tokensRoutes);
  done();
};

export default authModule;
