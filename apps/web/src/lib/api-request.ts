import { ApiError } from '@keepwatch/shared';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/*
 * The request machinery under the one API client (api-client.ts): same-origin cookies, the
 * CSRF header on every write, errors as ApiRequestError, and every response body checked
 * against its shared schema, so a server/web version mismatch is a clear error instead of
 * `undefined` deep in a component.
 */

export type ApiFailure =
  | { kind: 'unauthorized'; status: 401; body: ApiError | null }
  | { kind: 'forbidden'; status: 403; body: ApiError | null }
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

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestInit2 {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** false: a 401 is the caller's business (login), not "the session ended". */
  authRedirect?: boolean;
}

export type Requester = <S extends TSchema | null>(
  method: Method,
  path: string,
  schema: S,
  init?: RequestInit2,
) => Promise<S extends TSchema ? Static<S> : undefined>;

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

function queryString(query: RequestInit2['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function failureOf(res: Response, json: unknown): ApiFailure {
  const body = checkerFor(ApiError).Check(json) ? (json as ApiError) : null;
  if (res.status === 401) return { kind: 'unauthorized', status: 401, body };
  if (res.status === 403) return { kind: 'forbidden', status: 403, body };
  if (res.status === 429) {
    const retryAfterSec = parseRetryAfter(res.headers.get('retry-after'));
    return { kind: 'rate-limited', status: 429, retryAfterSec, body };
  }
  return { kind: 'http', status: res.status, body };
}

export interface RequesterOptions {
  onUnauthorized: () => void;
  fetch: typeof fetch;
  base: string;
  /** The CSRF token of the last login/me response (fallback when the cookie is not readable). */
  csrf: () => string | undefined;
}

export function createRequester(opts: RequesterOptions): Requester {
  return async function request<S extends TSchema | null>(
    method: Method,
    path: string,
    schema: S,
    init: RequestInit2 = {},
  ): Promise<S extends TSchema ? Static<S> : undefined> {
    let res: Response;
    try {
      res = await opts.fetch(`${opts.base}${path}${queryString(init.query)}`, {
        method,
        credentials: 'same-origin',
        headers: {
          ...(init.body !== undefined && { 'content-type': 'application/json' }),
          ...(method !== 'GET' && { 'x-keepwatch-csrf': csrfFromCookie() ?? opts.csrf() ?? '' }),
        },
        body: init.body === undefined ? null : JSON.stringify(init.body),
      });
    } catch (err) {
      throw new ApiRequestError({ kind: 'network', message: String(err) });
    }
    const json = await readJson(res);
    if (!res.ok) {
      const failure = failureOf(res, json);
      if (failure.kind === 'unauthorized' && init.authRedirect !== false) opts.onUnauthorized();
      throw new ApiRequestError(failure);
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
  };
}
