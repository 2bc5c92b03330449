import type { Role } from './auth-policy';

/*
 * What a route asks of its caller, read from the route's own config (never from the URL:
 * the router matches the decoded, normalised path, so any decision taken from the raw URL
 * can be walked around with another spelling of it). Deny by default: a route without
 * config needs a logged-in user.
 */

/** The access fields of a route's `config`. */
export interface RouteAccessConfig {
  /** Anyone may call it (login, enroll with its one-time token, the agent installer). */
  public?: boolean;
  /** Lowest role allowed; default viewer (any logged-in user). */
  role?: Role;
  /** Callers are agents: the upgrade must carry an agent credential (Authorization: Basic). */
  agent?: boolean;
  /** KEEPWATCH_METRICS_TOKEN is accepted as a Bearer token besides a user's credential. */
  metricsToken?: boolean;
  /** The credential may come as `?token=` (browsers cannot set headers on a WebSocket). */
  tokenInQuery?: boolean;
  /** Set by the access guard's onRoute hook for `websocket: true` routes. */
  websocket?: boolean;
}

export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'agent' }
  | { kind: 'user'; role: Role; metricsToken: boolean; tokenInQuery: boolean };

/** The one place a route's config turns into an access rule. */
export function routeAccess(config: RouteAccessConfig | undefined): RouteAccess {
  if (config?.public === true) return { kind: 'public' };
  if (config?.agent === true) return { kind: 'agent' };
  return {
    kind: 'user',
    role: config?.role ?? 'viewer',
    metricsToken: config?.metricsToken === true,
    tokenInQuery: config?.tokenInQuery === true,
  };
}

/** A request asking to become a WebSocket (header values are case-insensitive). */
export function isUpgrade(headers: { upgrade?: string | undefined }): boolean {
  return headers.upgrade?.toLowerCase() === 'websocket';
}
