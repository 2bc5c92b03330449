import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, agentAuthorization } from '@keepwatch/shared';
import { isAppPath } from '../modules/web/index';
import { AGENT_TOKEN, agentSocket, connect, hello, login, testApp } from '../testing/test-app';

describe('access guard: sockets, hosts, unmatched paths', () => {
  let app: FastifyInstance;
  let token = '';
  beforeAll(async () => {
    app = await testApp({ publicUrl: 'https://panel.example.com', allowedHosts: ['kw.internal'] });
    token = await login(app);
  });
  afterAll(() => app.close());

  it('the agent socket refuses an upgrade without an agent credential, naming the header', async () => {
    await expect(connect(app, '/api/v1/agent/ws')).rejects.toThrow(/401/);
    const res = await app.inject({ url: '/api/v1/agent/ws' });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ message: string }>().message).toContain('Authorization: Basic');
  });

  it('the agent socket refuses a user session, a wrong agent token and a malformed header', async () => {
    const cases: Record<string, string>[] = [
      { authorization: `Bearer ${token}` },
      { authorization: agentAuthorization('agent-lb1', 'wrong') },
      { authorization: 'Basic !!!' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
    ];
    for (const headers of cases) {
      await expect(
        connect(app, '/api/v1/agent/ws', headers),
        headers.authorization,
      ).rejects.toThrow(/401/);
    }
    const wrong = await app.inject({ url: '/api/v1/agent/ws', headers: cases[1] });
    expect(wrong.json()).toMatchObject({ error: 'unauthorized', message: 'invalid agent token' });
  });

  it('keeps the hello check: a hello naming another agent than the upgrade is closed 4401', async () => {
    const sock = await agentSocket(app, { agentId: 'agent-lb1', token: AGENT_TOKEN });
    sock.send(hello({ agentId: 'agent-lb2' }, 'lb2'));
    expect(await sock.closed).toEqual({
      code: CloseCode.unauthorized,
      reason: 'hello names agent agent-lb2, the upgrade credential another one',
    });
    const bad = await agentSocket(app);
    bad.send(hello({ token: 'wrong' }));
    expect(await bad.closed).toMatchObject({ code: CloseCode.unauthorized });
  });

  it('the live socket takes a session (cookie, Bearer or ?token=), never an agent credential', async () => {
    await expect(
      connect(app, '/api/v1/live', { authorization: agentAuthorization('agent-lb1', AGENT_TOKEN) }),
    ).rejects.toThrow(/401/);
    for (const [url, headers] of [
      [`/api/v1/live?token=${token}`, {}],
      ['/api/v1/live', { cookie: `kw_session=${token}` }],
      ['/api/v1/live', { authorization: `Bearer ${token}` }],
    ] as const) {
      const live = await connect(app, url, headers);
      await live.next((m) => m['type'] === 'snapshot');
      live.ws.terminate();
    }
  });

  it('refuses a cross-origin upgrade even with a valid session', async () => {
    await expect(
      connect(app, `/api/v1/live?token=${token}`, { origin: 'https://attacker.example' }),
    ).rejects.toThrow(/403/);
  });

  it('refuses an upgrade of a route that is not a socket, even logged in', async () => {
    const res = await app.inject({
      url: '/api/v1/status',
      headers: { authorization: `Bearer ${token}`, connection: 'upgrade', upgrade: 'websocket' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'not_a_websocket' });
  });

  it('answers only to its own names (Host), on HTTP and on upgrades', async () => {
    const ask = (host: string) =>
      app.inject({ url: '/api/v1/auth/me', headers: { host, authorization: `Bearer ${token}` } });
    const evil = await ask('attacker.example:8470');
    expect(evil.statusCode).toBe(403);
    expect(evil.json()).toMatchObject({ error: 'host_not_allowed' });
    expect(evil.json<{ message: string }>().message).toContain('KEEPWATCH_ALLOWED_HOSTS');
    for (const ok of ['localhost:8470', '127.0.0.1:8470', 'panel.example.com', 'kw.internal'])
      expect((await ask(ok)).statusCode, ok).toBe(200);
    // Public routes too: a rebound page may not even try passwords.
    const loginRes = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: 'attacker.example' },
      payload: { username: 'admin', password: 'whatever it is' },
    });
    expect(loginRes.statusCode).toBe(403);
    await expect(
      connect(app, `/api/v1/live?token=${token}`, { host: 'attacker.example' }),
    ).rejects.toThrow(/403/);
  });

  it('unmatched paths are a plain 404 naming only the path', async () => {
    const res = await app.inject({ url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      message: 'GET /api/v1/nothing-here does not exist',
    });
  });
});

describe('SPA fallback paths', () => {
  it('serves index.html for clean dashboard paths only', () => {
    for (const ok of ['/', '/clusters/lab', '/settings/users/', '/agents', '/login'])
      expect(isAppPath(ok), ok).toBe(true);
    for (const bad of [
      '/api',
      '/API/v1/users',
      '/Metrics',
      '/%61pi/v1/users',
      '/clusters;x',
      '//clusters',
      '/clusters/../api',
      '/.env',
      '/a\\b',
    ])
      expect(isAppPath(bad), bad).toBe(false);
  });
});
