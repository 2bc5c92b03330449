import { randomBytes } from 'node:crypto';
import cookie, { type CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  csrfMatches,
  forbiddenMessage,
  isStateChanging,
  originAllowed,
  roleAtLeast,
  type Role,
} from './auth-policy';
import { AuthService, SESSION_TTL_MS, type RequestUser } from './auth-service';

/*
 * WHO CAN DO WHAT (the guard in front of every /api/v1 route)
 *
 * Roles, ordered viewer < operator < admin; a higher role can do everything a lower one can.
 *   viewer   – read: status, live feed, history, alerts, own account (password, own API tokens).
 *   operator – changes the clusters: drills, config pushes, acknowledging alerts.
 *   admin    – users, agents (enrolment, revocation), settings, the audit log, everyone's tokens.
 *
 * HOW A ROUTE ASKS FOR A ROLE — route config, nothing else to import:
 *     app.post('/drills', { config: { role: 'operator' }, schema: … }, handler)
 * No `role` means any logged-in user (viewer). `config: { public: true }` skips the guard
 * entirely (login; the WebSocket routes, which check credentials themselves so they can answer
 * with a close code). `app.auth.requireRole('admin')` is the same check as a preHandler, for
 * code that cannot set route config. Inside handlers, `request.user` is
 * { id, username, role, via: 'session' | 'token', tokenId? }.
 *
 * Answers: 401 {error:'unauthorized'} without valid credentials; 403 {error:'forbidden',
 * message:'this needs the operator role; you are viewer'} when the role is too low; 403
 * {error:'csrf'} / {error:'cross_origin'} for the checks below.
 *
 * CREDENTIALS
 *   - Session: POST /auth/login → HttpOnly SameSite=Lax cookie kw_session (Secure when the
 *     request came over https; behind a proxy set KEEPWATCH_TRUST_PROXY so X-Forwarded-Proto
 *     counts). Idle expiry 2 h, absolute 12 h; logout deletes it; a password change or
 *     disabling the user deletes that user's sessions.
 *   - Bearer: `Authorization: Bearer <session token | API token kwt_…>`. API tokens act with
 *     min(token role, owner's current role) and die with a disabled owner.
 * CSRF: a state-changing request (not GET/HEAD/OPTIONS) authenticated by the *cookie* must
 *   carry `x-keepwatch-csrf: <csrfToken>`; the token is bound to the session (derived from it),
 *   returned by login and /auth/me and also set as the readable cookie kw_csrf. Bearer requests
 *   are exempt (a browser never adds that header by itself). Independently, any state-changing
 *   /api/v1 request or WebSocket upgrade whose Origin header names another host is refused.
 * AUDIT: denied role checks are recorded (`app.audit`, modules/audit/audit-plugin.ts).
 */

export const SESSION_COOKIE = 'kw_session';
export const CSRF_COOKIE = 'kw_csrf';
export const CSRF_HEADER = 'x-keepwatch-csrf';

export interface AuthPluginOptions {
  adminPassword?: string;
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
    /** Set only when this start created `admin` with a generated password (print it once). */
    initialAdminPassword: string | undefined;
  }
  interface FastifyRequest {
    user: RequestUser | null;
  }
  interface FastifyContextConfig {
    /** Route handles its own authentication (login, the sockets). */
    public?: boolean;
    /** Lowest role allowed; default viewer (any logged-in user). */
    role?: Role;
  }
}

export interface Credential {
  token: string;
  source: 'bearer' | 'cookie' | 'query';
}

/** The token from `Authorization: Bearer`, the cookie, or (sockets only) `?token=`. */
export function requestCredential(
  request: FastifyRequest,
  allowQuery = false,
): Credential | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), source: 'bearer' };
  const fromCookie = request.cookies[SESSION_COOKIE];
  if (fromCookie) return { token: fromCookie, source: 'cookie' };
  if (allowQuery) {
    const q = (request.query as Record<string, unknown> | undefined)?.['token'];
    if (typeof q === 'string' && q) return { token: q, source: 'query' };
  }
  return undefined;
}

export function requestToken(request: FastifyRequest, allowQuery = false): string | undefined {
  return requestCredential(request, allowQuery)?.token;
}

/** Cookie attributes for the session (and, minus HttpOnly, the CSRF cookie). */
export function sessionCookieOptions(
  request: FastifyRequest,
  httpOnly = true,
): CookieSerializeOptions {
  return {
    httpOnly,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  };
}

function refuse(
  reply: FastifyReply,
  status: 401 | 403,
  error: string,
  message: string,
): FastifyReply {
  return reply.code(status).send({ error, message });
}

function crossOrigin(request: FastifyRequest): boolean {
  const changing =
    isStateChanging(request.method) || request.headers.upgrade?.toLowerCase() === 'websocket';
  return changing && !originAllowed(request.headers.origin, request.host);
}

/** A cookie-authenticated state change must echo the session's CSRF token in the header. */
function csrfMissing(request: FastifyRequest, credential: Credential): boolean {
  if (credential.source !== 'cookie' || !isStateChanging(request.method)) return false;
  const header = request.headers[CSRF_HEADER];
  return !csrfMatches(typeof header === 'string' ? header : undefined, credential.token);
}

/** The checks of one /api/v1 request; returns the refusal it sent, if any. */
function guard(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | undefined {
  if (crossOrigin(request)) {
    return refuse(
      reply,
      403,
      'cross_origin',
      `requests from origin ${request.headers.origin ?? ''} are not accepted`,
    );
  }
  const config = request.routeOptions.config;
  if (config?.public) return undefined;
  const credential = requestCredential(request);
  const user = app.auth.resolveToken(credential?.token);
  if (!user || !credential) {
    return refuse(
      reply,
      401,
      'unauthorized',
      'log in first: send the kw_session cookie or a Bearer token',
    );
  }
  request.user = user;
  if (csrfMissing(request, credential)) {
    return refuse(
      reply,
      403,
      'csrf',
      `cookie-authenticated ${request.method} needs the ${CSRF_HEADER} header (csrfToken of /auth/me)`,
    );
  }
  const need = config?.role ?? 'viewer';
  if (roleAtLeast(user.role, need)) return undefined;
  app.audit.fromRequest(request, {
    action: 'access.denied',
    target: `${request.method} ${request.routeOptions.url ?? request.url}`,
    result: 'denied',
    detail: { need, have: user.role },
  });
  return refuse(reply, 403, 'forbidden', forbiddenMessage(need, user.role));
}

/** Users, sessions, API tokens and the guard in front of every /api/v1 route (see above). */
export default fp<AuthPluginOptions>(
  async (app, opts) => {
    await app.register(cookie);
    const auth = new AuthService(app.db, opts.now);
    app.decorate('auth', auth);
    app.decorate('initialAdminPassword', undefined);
    app.decorateRequest('user', null);
    if (auth.userCount() === 0) {
      const generated = opts.adminPassword ? undefined : randomBytes(12).toString('base64url');
      await auth.createUser('admin', opts.adminPassword ?? generated ?? '', 'admin');
      app.initialAdminPassword = generated;
      app.audit.record({
        actor: 'system',
        action: 'user.create',
        target: 'admin',
        detail: { role: 'admin', initial: true },
      });
    }
    auth.purgeExpired();
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api/v1')) return;
      const refused = guard(app, request, reply);
      if (refused) return refused;
    });
  },
  { name: 'auth', dependencies: ['db', 'audit'], fastify: '5.x' },
);
