import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { csrfMatches, isStateChanging } from './auth-policy';
import { AuthService, SESSION_TTL_MS, type RequestUser } from './auth-service';

/*
 * WHO CAN DO WHAT (plugins/access-guard.ts applies it to every route; this plugin holds the
 * users, sessions and API tokens it checks against)
 *
 * Roles, ordered viewer < operator < admin; a higher role can do everything a lower one can.
 *   viewer   – read: status, live feed, history, alerts, metrics, own account (password, own
 *              API tokens).
 *   operator – changes the clusters: drills, config pushes, acknowledging alerts.
 *   admin    – users, agents (enrolment, revocation), settings, the audit log, everyone's tokens.
 *
 * DECIDED FROM THE MATCHED ROUTE, DENY BY DEFAULT. The guard is an onRequest hook registered
 * before any route; it reads `request.routeOptions.config` of the route the router matched
 * (after percent-decoding), never the raw URL, so every spelling of a path that reaches a
 * handler has passed the same check. A route asks for access in its config, nothing else:
 *     app.post('/drills', { config: { role: 'operator' }, schema: … }, handler)
 *   (no config)              any logged-in user (viewer); so does every route anywhere,
 *                            including ones outside /api/v1 (/metrics).
 *   role: 'operator'|'admin' that role or higher.
 *   public: true             anyone: login, enroll (its one-time token is the credential),
 *                            /api/v1/agent-dist (installer and builds), /api/docs, the web app.
 *   agent: true              the agent socket: the upgrade must carry `Authorization: Basic
 *                            base64(agentId:token)` with a valid agent credential (enrolled, or
 *                            the shared token where allowed); the hello must then name the same
 *                            agent and pass the same check again (modules/agents).
 *   tokenInQuery: true       the credential may also be `?token=` (the browser live socket,
 *                            which cannot set headers; the cookie works too).
 *   metricsToken: true       KEEPWATCH_METRICS_TOKEN as Bearer is accepted besides a user.
 * A WebSocket upgrade is checked like any GET before it is upgraded: refused upgrades get an
 * HTTP answer, never a socket; an upgrade to a route that is not a socket is refused (400).
 * Unmatched paths get the not-found handler's 404 (the web app's SPA fallback serves
 * index.html only to clean, non-API paths). `app.auth.requireRole('admin')` is the same role
 * check as a preHandler. Inside handlers, `request.user` is
 * { id, username, role, via: 'session' | 'token', tokenId? } (null on public routes).
 *
 * Answers: 401 {error:'unauthorized'} without valid credentials; 403 {error:'forbidden',
 * message:'this needs the operator role; you are viewer'} when the role is too low; 403
 * {error:'csrf'} / {error:'cross_origin'} / {error:'host_not_allowed'} for the checks below.
 *
 * HOST: every request's Host (X-Forwarded-Host behind a trusted proxy) must be localhost,
 *   127.0.0.1, ::1, a KEEPWATCH_HOST listen address (any IP when listening on 0.0.0.0/::),
 *   the host of KEEPWATCH_PUBLIC_URL or a name in KEEPWATCH_ALLOWED_HOSTS (DNS rebinding).
 * CREDENTIALS
 *   - Session: POST /auth/login → HttpOnly SameSite=Lax cookie kw_session (Secure when the
 *     request came over https; behind a proxy set KEEPWATCH_TRUST_PROXY so X-Forwarded-Proto
 *     counts). Idle expiry 2 h, absolute 12 h; logout deletes it; a password change or
 *     disabling the user deletes that user's sessions; an admin's password reset also deletes
 *     the user's API tokens.
 *   - Bearer: `Authorization: Bearer <session token | API token kwt_…>`. API tokens act with
 *     min(token role, owner's current role) and die with a disabled owner.
 * CSRF: a state-changing request (not GET/HEAD/OPTIONS) authenticated by the *cookie* must
 *   carry `x-keepwatch-csrf: <csrfToken>`; the token is bound to the session (derived from it),
 *   returned by login and /auth/me and also set as the readable cookie kw_csrf. Bearer requests
 *   are exempt (a browser never adds that header by itself). Independently, any state-changing
 *   request or WebSocket upgrade whose Origin header names another host is refused.
 * LOGIN LIMITS: modules/auth/login-limits.ts.
 * AUDIT: denied role checks are recorded (`app.audit`, modules/audit/audit-plugin.ts).
 */

export const SESSION_COOKIE = 'kw_session';
export const CSRF_COOKIE = 'kw_csrf';
export const CSRF_HEADER = 'x-keepwatch-csrf';

export interface AuthPluginOptions {
  adminPassword?: string;
  now: () => number;
  /** How often expired and idle sessions are deleted; default SESSION_PURGE_MS. */
  purgeEveryMs?: number;
}

export const SESSION_PURGE_MS = 10 * 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
    /** Set only when this start created `admin` with a generated password (print it once). */
    initialAdminPassword: string | undefined;
  }
  interface FastifyRequest {
    user: RequestUser | null;
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

/** A cookie-authenticated state change must echo the session's CSRF token in the header. */
export function csrfMissing(request: FastifyRequest, credential: Credential): boolean {
  if (credential.source !== 'cookie' || !isStateChanging(request.method)) return false;
  const header = request.headers[CSRF_HEADER];
  return !csrfMatches(typeof header === 'string' ? header : undefined, credential.token);
}

/** Users, sessions and API tokens (the guard that checks them: plugins/access-guard.ts). */
export default fp<AuthPluginOptions>(
  async (app, opts) => {
    const auth = new AuthService(app.repos, opts.now, (err, what) =>
      app.storage.failed(err, `auth: ${what} (the request went on without it)`),
    );
    app.decorate('auth', auth);
    app.decorate('initialAdminPassword', undefined);
    app.decorateRequest('user', null);
    if ((await auth.userCount()) === 0) {
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
    await auth.purgeExpired();
    // Dead sessions are refused when used anyway; this keeps the table from growing.
    const purge = setInterval(
      app.storage.guard('purge expired sessions', () => auth.purgeExpired()),
      opts.purgeEveryMs ?? SESSION_PURGE_MS,
    );
    purge.unref();
    app.addHook('onClose', (_app, next) => {
      clearInterval(purge);
      next();
    });
  },
  { name: 'auth', dependencies: ['db', 'audit', 'access-guard'], fastify: '5.x' },
);
