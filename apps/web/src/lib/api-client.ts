import {
  AlertChannel,
  AlertChannelList,
  AlertDeliveryResult,
  AlertsResponse,
  ApiError,
  LoginResponse,
  MeResponse,
  StatusResponse,
  type AlertChannelInput,
  type LoginRequest,
} from '@keepwatch/shared';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/*
 * The one typed REST client. Response bodies are checked against the shared schemas, so a
 * server/web version mismatch shows up as a clear error instead of `undefined` deep in a
 * component. Cookies are same-origin; the token in the login body is not stored (the
 * HttpOnly cookie is the session, out of reach of injected scripts).
 */

export type ApiFailure =
  | { kind: 'unauthorized'; status: 401; body: ApiError | null }
  | { kind: 'rate-limited'; status: 429; retryAfterSec: number | null; body: ApiError | null }
  | { kind: 'http'; status: number; body: ApiError | null }
  | { kind: 'network'; message: string }
  | { kind: 'bad-response'; status: number; message: string };

export class ApiRequestError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(
      'message' in failure
        ? failure.message
        : (failure.body?.message ?? `HTTP ${failure.status} (${failure.kind})`),
    );
    this.name = 'ApiRequestError';
  }
}

export interface ApiClientOptions {
  /** Called on a 401 from any request that needs a session (login itself excluded). */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
  base?: string;
}

export interface ApiClient {
  login(body: LoginRequest): Promise<LoginResponse>;
  logout(): Promise<void>;
  me(): Promise<MeResponse>;
  status(): Promise<StatusResponse>;
  alerts(): Promise<AlertsResponse>;
  /** Admin only: notification channels, secrets masked as "********". */
  alertChannels(): Promise<AlertChannelList>;
  createAlertChannel(body: AlertChannelInput): Promise<AlertChannel>;
  /** A "********" secret in `body` keeps the stored one. */
  updateAlertChannel(id: number, body: AlertChannelInput): Promise<AlertChannel>;
  deleteAlertChannel(id: number): Promise<void>;
  testAlertChannel(id: number): Promise<AlertDeliveryResult>;
}

const checks = new Map<TSchema, TypeCheck<TSchema>>();
function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/**
 * The session's CSRF token for the x-keepwatch-csrf header: the readable kw_csrf cookie the
 * server sets at login, else the last one a login/me response carried.
 */
function csrfFromCookie(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const match = /(?:^|;\s*)kw_csrf=([^;]+)/.exec(document.cookie);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.base ?? '/api/v1';
  let csrfToken: string | undefined;
  const remember = <T extends { csrfToken?: string }>(body: T): T => {
    if (body.csrfToken !== undefined) csrfToken = body.csrfToken;
    return body;
  };

  async function request<S extends TSchema | null>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: S,
    init: { body?: unknown; authRedirect?: boolean } = {},
  ): Promise<S extends TSchema ? Static<S> : undefined> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        credentials: 'same-origin',
        headers: {
          ...(init.body !== undefined && { 'content-type': 'application/json' }),
          ...(method !== 'GET' && { 'x-keepwatch-csrf': csrfFromCookie() ?? csrfToken ?? '' }),
        },
        body: init.body === undefined ? null : JSON.stringify(init.body),
      });
    } catch (err) {
      throw new ApiRequestError({ kind: 'network', message: String(err) });
    }
    const json = await readJson(res);
    if (!res.ok) {
      const body = checkerFor(ApiError).Check(json) ? (json as ApiError) : null;
      if (res.status === 401) {
        if (init.authRedirect !== false) opts.onUnauthorized();
        throw new ApiRequestError({ kind: 'unauthorized', status: 401, body });
      }
      if (res.status === 429) {
        const retryAfterSec = parseRetryAfter(res.headers.get('retry-after'));
        throw new ApiRequestError({ kind: 'rate-limited', status: 429, retryAfterSec, body });
      }
      throw new ApiRequestError({ kind: 'http', status: res.status, body });
    }
    if (schema === null) return undefined as S extends TSchema ? Static<S> : undefined;
    const check = checkerFor(schema);
    if (!check.Check(json)) {
      const first = check.Errors(json).First();
      throw new ApiRequestError({
        kind: 'bad-response',
        status: res.status,
        message: `${method} ${path}: unexpected response at ${first?.path || '/'}: ${first?.message ?? 'invalid'}`,
      });
    }
    return json as S extends TSchema ? Static<S> : undefined;
  }

  return {
    // A wrong password is the login form's business, not a reason to "go back to login".
    login: async (body) =>
      remember(await request('POST', '/auth/login', LoginResponse, { body, authRedirect: false })),
    logout: () => request('POST', '/auth/logout', null, { authRedirect: false }),
    me: async () => remember(await request('GET', '/auth/me', MeResponse, { authRedirect: false })),
    status: () => request('GET', '/status', StatusResponse),
    alerts: () => request('GET', '/alerts', AlertsResponse),
    alertChannels: () => request('GET', '/alerts/channels', AlertChannelList),
    createAlertChannel: (body) => request('POST', '/alerts/channels', AlertChannel, { body }),
    updateAlertChannel: (id, body) =>
      request('PUT', `/alerts/channels/${id}`, AlertChannel, { body }),
    deleteAlertChannel: (id) => request('DELETE', `/alerts/channels/${id}`, null),
    testAlertChannel: (id) => request('POST', `/alerts/channels/${id}/test`, AlertDeliveryResult),
  };
}
