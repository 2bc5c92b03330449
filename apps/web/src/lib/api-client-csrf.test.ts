import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiClient } from './api-client';

function recordingClient(csrfInBody: string | undefined) {
  const headers: Record<string, string>[] = [];
  const api = createApiClient({
    onUnauthorized: () => undefined,
    fetch: (_url, init) => {
      headers.push({ ...(init?.headers as Record<string, string>) });
      const body = {
        token: 't',
        user: { username: 'a', role: 'admin' },
        expiresAt: 1,
        username: 'a',
        role: 'admin',
        csrfToken: csrfInBody,
      };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
    },
  });
  return { api, headers };
}

describe('api client CSRF header', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('echoes the csrfToken of login/me on POSTs only', async () => {
    const c = recordingClient('csrf-1');
    await c.api.login({ username: 'a', password: 'p' });
    await c.api.me();
    await c.api.logout();
    expect(c.headers[1]).not.toHaveProperty('x-keepwatch-csrf');
    expect(c.headers[2]).toMatchObject({ 'x-keepwatch-csrf': 'csrf-1' });
  });

  it('prefers the kw_csrf cookie (a reload keeps the session, not the JS memory)', async () => {
    vi.stubGlobal('document', { cookie: 'theme=dark; kw_csrf=from-cookie; other=1' });
    const c = recordingClient(undefined);
    await c.api.logout();
    expect(c.headers[0]).toMatchObject({ 'x-keepwatch-csrf': 'from-cookie' });
  });
});
