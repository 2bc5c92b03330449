import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthService, type AuthUser } from './auth-service';

export const SESSION_COOKIE = 'kw_session';

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
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Route handles its own authentication (login, the sockets). */
    public?: boolean;
  }
}

/** The session token from the cookie, `Authorization: Bearer`, or (sockets only) `?token=`. */
export function requestToken(request: FastifyRequest, allowQuery = false): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const fromCookie = request.cookies[SESSION_COOKIE];
  if (fromCookie) return fromCookie;
  if (allowQuery) {
    const q = (request.query as Record<string, unknown> | undefined)?.['token'];
    if (typeof q === 'string' && q) return q;
  }
  return undefined;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .send({ error: 'unauthorized', message: 'log in first: send the kw_session cookie or a Bearer token' });
}

/**
 * Users, sessions and the guard in front of every /api/v1 route. Routes that authenticate by
 * other means set `config: { public: true }`.
 */
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
    }
    auth.purgeExpired();
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api/v1')) return;
      if (request.routeOptions.config?.public) return;
      request.user = auth.resolveToken(requestToken(request));
      if (!request.user) return unauthorized(reply);
    });
  },
  { name: 'auth', dependencies: ['db'], fastify: '5.x' },
);
