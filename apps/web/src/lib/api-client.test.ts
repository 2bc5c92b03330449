import { describe, expect, it } from 'vitest';
import { ApiRequestError, createApiClient } from './api-client';

function client(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  let unauthorized = 0;
  const api = createApiClient({
    onUnauthorized: () => (unauthorized += 1),
    fetch: (url, init) => {
      calls.push({ url: url as string, init });
      return Promise.resolve(
        new Response(body === undefined ? '' : JSON.stringify(body), { status, headers }),
      );
    },
  });
  return { api, calls, unauthorized: () => unauthorized };
}

async function failure(p: Promise<unknown>) {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiRequestError);
  return (err as ApiRequestError).failure;
}

describe('api client', () => {
  it('posts the login with same-origin credentials and returns the typed body', async () => {
    const c = client(200, { token: 't', user: { username: 'admin', role: 'admin' }, expiresAt: 1 });
    const res = await c.api.login({ username: 'admin', password: 'pw' });
    expect(res.user.username).toBe('admin');
    expect(c.calls[0]).toMatchObject({
      url: '/api/v1/auth/login',
      init: {
        method: 'POST',
        credentials: 'same-origin',
        body: '{"username":"admin","password":"pw"}',
      },
    });
  });

  it('a 401 on login is a form error, not a session loss', async () => {
    const c = client(401, { error: 'bad_credentials', message: 'no' });
    expect((await failure(c.api.login({ username: 'a', password: 'b' }))).kind).toBe(
      'unauthorized',
    );
    expect(c.unauthorized()).toBe(0);
  });

  it('a 401 elsewhere sends the app back to login', async () => {
    const c = client(401, { error: 'unauthorized', message: 'no' });
    expect((await failure(c.api.status())).kind).toBe('unauthorized');
    expect(c.unauthorized()).toBe(1);
  });

  it('reads Retry-After on 429', async () => {
    const c = client(429, { error: 'rate_limited', message: 'slow' }, { 'retry-after': '12' });
    expect(await failure(c.api.login({ username: 'a', password: 'b' }))).toMatchObject({
      kind: 'rate-limited',
      retryAfterSec: 12,
    });
  });

  it('rejects a body that does not match the shared schema', async () => {
    const c = client(200, { clusters: 'nope' });
    expect((await failure(c.api.status())).kind).toBe('bad-response');
  });

  it('reports an unreachable server as a network failure', async () => {
    const api = createApiClient({
      onUnauthorized: () => undefined,
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    expect((await failure(api.me())).kind).toBe('network');
  });
});
