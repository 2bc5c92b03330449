import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAuthorization } from '@keepwatch/shared';
import { rawClient, upgradeStatus, type RawClient } from '../testing/raw-http';
import { AGENT_TOKEN, login, testApp } from '../testing/test-app';

/*
 * Issue 7 item 1, DNS rebinding: a page on attacker.example whose name now resolves to
 * 127.0.0.1 reaches a loopback-bound panel over real TCP, with the browser's blessing, but
 * every request it makes says `Host: attacker.example[:port]`. The panel below listens on
 * 127.0.0.1 only, as the default KEEPWATCH_HOST does; each check is over a real socket.
 */

const EVIL = [
  'attacker.example',
  'attacker.example:8470',
  'localhost.attacker.example',
  '10.0.0.9',
];

describe('DNS rebinding against a panel bound to 127.0.0.1', () => {
  let app: FastifyInstance;
  let port = 0;
  let http: RawClient;
  let token = '';
  const agentAuth = agentAuthorization('agent-lb1', AGENT_TOKEN);

  beforeAll(async () => {
    app = await testApp({ hosts: ['127.0.0.1'] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    http = rawClient(port);
    token = await login(app);
  });
  afterAll(async () => {
    http.close();
    await app.close();
  });

  it('HTTP: an API call, a login attempt and the web app all refuse a foreign Host (403)', async () => {
    for (const host of EVIL) {
      const me = await http.send('GET', '/api/v1/auth/me', {
        host,
        authorization: `Bearer ${token}`,
      });
      expect(me.status, host).toBe(403);
      expect(JSON.parse(me.body), host).toMatchObject({ error: 'host_not_allowed' });
      const attempt = await http.send(
        'POST',
        '/api/v1/auth/login',
        { host },
        JSON.stringify({ username: 'admin', password: 'guess' }),
      );
      expect(attempt.status, host).toBe(403);
      expect((await http.send('GET', '/', { host })).status, host).toBe(403);
      expect((await http.send('GET', '/metrics', { host })).status, host).toBe(403);
    }
    // The same requests with the panel's own names pass the Host check.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const me = await http.send('GET', '/api/v1/auth/me', {
        host,
        authorization: `Bearer ${token}`,
      });
      expect(me.status, host).toBe(200);
    }
  });

  it('both WebSocket upgrades refuse a foreign Host even with valid credentials', async () => {
    const live = `/api/v1/live?token=${token}`;
    for (const host of EVIL) {
      expect(await upgradeStatus(port, live, { host }), host).toBe(403);
      expect(
        await upgradeStatus(port, '/api/v1/agent/ws', { host, authorization: agentAuth }),
        host,
      ).toBe(403);
    }
    expect(await upgradeStatus(port, live)).toBe(101);
    expect(await upgradeStatus(port, '/api/v1/agent/ws', { authorization: agentAuth })).toBe(101);
  });

  it('a request without any Host header is refused', async () => {
    // HTTP/1.0 lets a client leave Host out; there is then no name to check.
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let data = '';
      sock.on('data', (c: Buffer) => (data += c.toString()));
      sock.on('close', () => resolve(data));
      sock.write(`GET /api/v1/auth/me HTTP/1.0\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] (400|403)/);
  });

  it('X-Forwarded-Host is ignored unless a proxy is trusted, and checked when one is', async () => {
    const spoof = await http.send('GET', '/api/v1/auth/me', {
      'x-forwarded-host': 'attacker.example',
      authorization: `Bearer ${token}`,
    });
    expect(spoof.status).toBe(200);
    const proxied = await testApp({ hosts: ['127.0.0.1'], trustProxy: true });
    try {
      const t = await login(proxied);
      const res = await proxied.inject({
        url: '/api/v1/auth/me',
        headers: {
          host: '127.0.0.1:8470',
          'x-forwarded-host': 'attacker.example',
          authorization: `Bearer ${t}`,
        },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'host_not_allowed' });
    } finally {
      await proxied.close();
    }
  });
});
