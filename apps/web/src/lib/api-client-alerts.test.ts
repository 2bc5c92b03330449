import { describe, expect, it } from 'vitest';
import { ApiRequestError, createApiClient } from './api-client';

function client(responses: { status: number; body?: unknown }[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const api = createApiClient({
    onUnauthorized: () => undefined,
    fetch: (url, init) => {
      calls.push({ url: url as string, init });
      const r = responses.shift() ?? { status: 500 };
      return Promise.resolve(
        new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status }),
      );
    },
  });
  return { api, calls };
}

const channel = {
  id: 3,
  name: 'ops',
  type: 'dingtalk',
  enabled: true,
  config: { url: 'https://x.example/a', secret: '********' },
  createdAt: 1,
  updatedAt: 2,
};

describe('api client: alerts', () => {
  it('PUT sends the body (masked secret included) with the CSRF header; DELETE accepts 204', async () => {
    const c = client([{ status: 200, body: channel }, { status: 204 }]);
    const body = {
      name: 'ops',
      enabled: true,
      type: 'dingtalk' as const,
      config: { url: 'https://x.example/a', secret: '********' },
    };
    await expect(c.api.updateAlertChannel(3, body)).resolves.toEqual(channel);
    await expect(c.api.deleteAlertChannel(3)).resolves.toBeUndefined();
    expect(c.calls.map((x) => [x.init?.method, x.url])).toEqual([
      ['PUT', '/api/v1/alerts/channels/3'],
      ['DELETE', '/api/v1/alerts/channels/3'],
    ]);
    expect(c.calls[0]?.init?.body).toBe(JSON.stringify(body));
    for (const call of c.calls) expect(call.init?.headers).toHaveProperty('x-keepwatch-csrf');
  });

  it('returns the test delivery result and rejects a malformed alerts body', async () => {
    const c = client([
      { status: 200, body: { ok: false, error: 'HTTP 500', durationMs: 12 } },
      { status: 200, body: { active: [{ id: 'x' }], recent: [] } },
    ]);
    await expect(c.api.testAlertChannel(3)).resolves.toEqual({
      ok: false,
      error: 'HTTP 500',
      durationMs: 12,
    });
    expect(c.calls[0]).toMatchObject({
      url: '/api/v1/alerts/channels/3/test',
      init: { method: 'POST' },
    });
    const err: unknown = await c.api.alerts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).failure.kind).toBe('bad-response');
  });
});
