import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAgent, probeHttp } from './http-probe';

describe('probeHttp', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/bad') res.writeHead(502).end();
      // '/hang': never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('2xx and 3xx are healthy, with latency', async () => {
    const ok = await probeHttp(`${base}/ok`, 1000);
    expect(ok).toMatchObject({ healthy: true, detail: 'HTTP 200' });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await probeHttp(`${base}/moved`, 1000)).healthy).toBe(true);
  });
  it('5xx is unhealthy with the status', async () => {
    expect(await probeHttp(`${base}/bad`, 1000)).toMatchObject({
      healthy: false,
      detail: 'HTTP 502',
    });
  });
  it('a refused connection says so', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probeHttp(`http://127.0.0.1:${port}/`, 1000)).toMatchObject({
      healthy: false,
      detail: 'connect ECONNREFUSED',
    });
  });
  it('a hanging server times out', async () => {
    expect(await probeHttp(`${base}/hang`, 80)).toMatchObject({
      healthy: false,
      detail: 'timeout after 80 ms',
    });
  });
  it('a probe agent reuses one connection and still sees the listener go away', async () => {
    const srv = createServer((_req, res) => res.end('ok'));
    let connections = 0;
    srv.on('connection', () => connections++);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
    const agent = probeAgent();
    try {
      for (let i = 0; i < 3; i++) expect((await probeHttp(url, 1000, agent)).healthy).toBe(true);
      expect(connections).toBe(1);
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
      // Probed before the FIN is read: the reused socket resets; either way it is unhealthy.
      expect((await probeHttp(url, 1000, agent)).healthy).toBe(false);
      expect(await probeHttp(url, 1000, agent)).toMatchObject({
        healthy: false,
        detail: 'connect ECONNREFUSED',
      });
    } finally {
      agent.destroy();
    }
  });
});
