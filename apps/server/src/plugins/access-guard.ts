import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import { parseAgentAuthorization, type AgentUpgradeCredential } from '@keepwatch/shared';
import { csrfMissing, requestCredential } from './auth';
import { forbiddenMessage, isStateChanging, originAllowed, roleAtLeast } from './auth-policy';
import type { HostPolicy } from './host-policy';
import { isUpgrade, routeAccess, type RouteAccess, type RouteAccessConfig } from './route-access';
import { sameSecret } from './same-secret';

/*
 * The guard in front of every route, HTTP and WebSocket upgrade alike (the rules are in the
 * comment block of plugins/auth.ts). Registered first in buildApp, so its onRequest hook and
 * its onRoute hook reach every route and the not-found handler: nothing registered later
 * can escape it, and it reads `request.routeOptions.config` of the route the router matched.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method, url, final config), for the access tests. */
    routeTable: readonly RouteEntry[];
  }
  interface FastifyRequest {
    /** The agent credential of an accepted agent-socket upgrade. */
    agentUpgrade: AgentUpgradeCredential | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
    role?: RouteAccessConfig['role'];
    agent?: boolean;
    metricsToken?: boolean;
    tokenInQuery?: boolean;
    websocket?: boolean;
  }
}

export interface RouteEntry {
  methods: readonly string[];
  url: string;
  readonly config: RouteAccessConfig;
}

export interface AccessGuardOptions {
  hosts: HostPolicy;
  /** KEEPWATCH_METRICS_TOKEN, accepted on routes with `config.metricsToken`. */
  metricsToken?: string | undefined;
}

/** Marks every route registered in this scope (and below) public: docs, the static web app. */
export function markRoutesPublic(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });
}

type Refusal = { status: 400 | 401 | 403; error: string; message: string };

const refusal = (status: Refusal['status'], error: string, message: string): Refusal => ({
  status,
  error,
  message,
});

function crossOrigin(request: FastifyRequest): Refusal | undefined {
  const changing = isStateChanging(request.method) || isUpgrade(request.headers);
  if (!changing || originAllowed(request.headers.origin, request.host)) return undefined;
  const origin = request.headers.origin ?? '';
  return refusal(403, 'cross_origin', `requests from origin ${origin} are not accepted`);
}

async function agentGuard(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<Refusal | undefined> {
  const presented = parseAgentAuthorization(request.headers.authorization);
  if (!presented) {
    return refusal(
      401,
      'unauthorized',
      'agents send their credential on the upgrade: Authorization: Basic base64(agentId:token)',
    );
  }
  // modules/enrollment decorates the verifier; without it no agent can be told apart: refuse.
  const verdict = app.hasDecorator('agentCredentials')
    ? await app.agentCredentials.verify(presented.agentId, presented.token)
    : { ok: false as const, reason: 'agent credentials are not configured' };
  if (!verdict.ok) return refusal(401, 'unauthorized', verdict.reason);
  request.agentUpgrade = presented;
  return undefined;
}

async function userGuard(
  app: FastifyInstance,
  opts: AccessGuardOptions,
  request: FastifyRequest,
  access: Extract<RouteAccess, { kind: 'user' }>,
): Promise<Refusal | undefined> {
  const credential = requestCredential(request, access.tokenInQuery);
  if (access.metricsToken && opts.metricsToken !== undefined && credential?.source === 'bearer') {
    if (sameSecret(credential.token, opts.metricsToken)) return undefined;
  }
  const user = await app.auth.resolveToken(credential?.token);
  if (!user || !credential) {
    return refusal(
      401,
      'unauthorized',
      'log in first: send the kw_session cookie or a Bearer token',
    );
  }
  request.user = user;
  if (csrfMissing(request, credential)) {
    return refusal(
      403,
      'csrf',
      `cookie-authenticated ${request.method} needs the x-keepwatch-csrf header (csrfToken of /auth/me)`,
    );
  }
  if (roleAtLeast(user.role, access.role)) return undefined;
  app.audit.fromRequest(request, {
    action: 'access.denied',
    target: `${request.method} ${request.routeOptions.url ?? request.url}`,
    result: 'denied',
    detail: { need: access.role, have: user.role },
  });
  return refusal(403, 'forbidden', forbiddenMessage(access.role, user.role));
}

/** The checks of one request, in order; the refusal to send, if any. */
async function check(
  app: FastifyInstance,
  opts: AccessGuardOptions,
  request: FastifyRequest,
): Promise<Refusal | undefined> {
  if (!opts.hosts.allows(request.host)) {
    return refusal(
      403,
      'host_not_allowed',
      `this server does not answer to the name ${JSON.stringify(request.host ?? '')}; add it to KEEPWATCH_ALLOWED_HOSTS or KEEPWATCH_PUBLIC_URL`,
    );
  }
  // Not a route: the not-found handler answers 404 and serves nothing else.
  if (request.is404) return undefined;
  const config = request.routeOptions.config;
  if (isUpgrade(request.headers) && config.websocket !== true) {
    return refusal(400, 'not_a_websocket', `${request.routeOptions.url} is not a WebSocket`);
  }
  const foreign = crossOrigin(request);
  if (foreign) return foreign;
  const access = routeAccess(config);
  switch (access.kind) {
    case 'public':
      return undefined;
    case 'agent':
      return agentGuard(app, request);
    case 'user':
      return userGuard(app, opts, request, access);
  }
}

function methodsOf(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? [...route.method] : [route.method];
}

export default fp<AccessGuardOptions>(
  async (app, opts) => {
    // The guard reads the session cookie: the parser's onRequest hook must run before ours.
    await app.register(cookie);
    const table: RouteEntry[] = [];
    app.decorate('routeTable', table);
    app.decorateRequest('agentUpgrade', null);
    app.addHook('onRoute', (route) => {
      if (route.websocket === true) route.config = { ...route.config, websocket: true };
      // Keep the options object: scopes' own onRoute hooks (markRoutesPublic) run after this.
      table.push({
        methods: methodsOf(route),
        url: route.url,
        get config() {
          return route.config ?? {};
        },
      });
    });
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const refused = await check(app, opts, request);
      if (!refused) return;
      if (refused.status === 401 && request.routeOptions.config?.metricsToken === true) {
        void reply.header('www-authenticate', 'Bearer');
      }
      return reply.code(refused.status).send({ error: refused.error, message: refused.message });
    });
  },
  { name: 'access-guard', fastify: '5.x' },
);
