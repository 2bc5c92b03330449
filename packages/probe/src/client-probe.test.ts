import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientProbe, isGood, parseHead, type ProbeSample } from './client-probe';

/* The client probe against real local sockets: an HTTP server, a closed port, a listener that never answers. */

const servers: (Server | NetServer)[] = [];
const held: Socket[] = [];
afterEach(async () => {
  for (const s of held.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends Server | NetServer>(s: T): Promise<number> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

async function run(url: string, ms: number, intervalMs = 20, timeoutMs = 200) {
  const samples: ProbeSample[] = [];
  const probe = new ClientProbe({ url, intervalMs, timeoutMs, onSample: (s) => samples.push(s) });
  probe.start();
  await new Promise((r) => setTimeout(r, ms));
  await probe.stop();
  return { samples, probe };
}

describe('ClientProbe', () => {
  it('records status and the answering load balancer, one fresh connection per request on a 20 ms grid', async () => {
    let connections = 0;
    const http = createHttpServer((_req, res) => {
      res.setHeader('X-Keepwatch-LB', 'lb1');
      res.end('ok');
    });
    http.on('connection', () => connections++);
    const port = await listen(http);
    const { samples, probe } = await run(`http://127.0.0.1:${port}/`, 500);
    // Slots the event loop was too late for are skipped (and counted), never bunched up.
    expect(samples.length + probe.skipped).toBeGreaterThanOrEqual(20);
    expect(samples.length + probe.skipped).toBeLessThanOrEqual(27);
    expect(connections).toBe(samples.length);
    expect(samples.every((s) => s.r === 200 && s.lb === 'lb1')).toBe(true);
    // On a fixed grid: a late timer is made up by the next one, so the mean start gap stays
    // at the interval even on a loaded machine (single gaps jitter with the event loop).
    const sorted = samples.map((s) => s.t).sort((a, b) => a - b);
    const mean = ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0)) / (sorted.length - 1 + probe.skipped);
    expect(mean).toBeGreaterThan(18);
    expect(mean).toBeLessThan(23);
  });

  it('reports refused for a closed port, timeout for a listener that never answers, 502 as not good', async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    servers.pop();
    const refused = await run(`http://127.0.0.1:${closedPort}/`, 100);
    expect(refused.samples.length).toBeGreaterThan(0);
    expect(new Set(refused.samples.map((s) => s.r))).toEqual(new Set(['refused']));

    const silent = createServer((sock) => void held.push(sock));
    const silentPort = await listen(silent);
    const hung = await run(`http://127.0.0.1:${silentPort}/`, 100, 20, 60);
    expect(hung.samples.length).toBeGreaterThan(2);
    for (const s of hung.samples) {
      expect(s.r).toBe('timeout');
      expect(s.ms).toBeGreaterThanOrEqual(59);
    }

    const bad = createHttpServer((_q, res) => {
      res.statusCode = 502;
      res.end();
    });
    const badPort = await listen(bad);
    const gw = await run(`http://127.0.0.1:${badPort}/`, 60);
    expect(gw.samples[0]?.r).toBe(502);
    expect(isGood(502)).toBe(false);
    expect(isGood(301)).toBe(true);
  });

  it('parses the status line and the header case-insensitively', () => {
    expect(
      parseHead('HTTP/1.1 200 OK\r\nServer: nginx\r\nx-KEEPWATCH-lb: lb2 ', 'X-Keepwatch-LB'),
    ).toEqual({
      status: 200,
      lb: 'lb2',
    });
    expect(parseHead('HTTP/1.0 503 x', 'x-keepwatch-lb')).toEqual({ status: 503, lb: null });
    expect(parseHead('SSH-2.0', 'x')).toBeUndefined();
  });
});
