import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientProbe, isGood, parseHead, ProbeGroup, type ProbeSample } from './client-probe';
import { defaultTransport, type Transport } from './tcp-exchange';

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

async function run(
  transport: Transport,
  url: string,
  ms: number,
  intervalMs = 20,
  timeoutMs = 200,
) {
  const samples: ProbeSample[] = [];
  const probe = new ClientProbe({
    url,
    intervalMs,
    timeoutMs,
    transport,
    onSample: (s) => samples.push(s),
  });
  probe.start();
  await new Promise((r) => setTimeout(r, ms));
  await probe.stop();
  return { samples, probe };
}

it("runs on Node's TCP handle on this Node (net.Socket is the fallback)", () => {
  expect(defaultTransport).toBe('handle');
});

describe.each(['handle', 'net'] as const)('ClientProbe (%s)', (transport) => {
  it('records status and the answering load balancer, one fresh connection per request on a 20 ms grid', async () => {
    let connections = 0;
    const http = createHttpServer((_req, res) => {
      res.setHeader('X-Keepwatch-LB', 'lb1');
      res.end('ok');
    });
    http.on('connection', () => connections++);
    const port = await listen(http);
    const { samples, probe } = await run(transport, `http://127.0.0.1:${port}/`, 500);
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
    const refused = await run(transport, `http://127.0.0.1:${closedPort}/`, 100);
    expect(refused.samples.length).toBeGreaterThan(0);
    expect(new Set(refused.samples.map((s) => s.r))).toEqual(new Set(['refused']));

    const silent = createServer((sock) => void held.push(sock));
    const silentPort = await listen(silent);
    const hung = await run(transport, `http://127.0.0.1:${silentPort}/`, 100, 20, 60);
    expect(hung.samples.length).toBeGreaterThan(2);
    // stop() waits for the requests in flight: every request sent has its sample.
    expect(hung.samples.length).toBe(hung.probe.sent);
    for (const s of hung.samples) {
      expect(s.r).toBe('timeout');
      // Reported at the deadline, not at the sweep that found it (up to one interval later).
      expect(s.ms).toBe(60);
    }

    const hangup = createServer((sock) => sock.resume().end());
    const hangupPort = await listen(hangup);
    const ended = await run(transport, `http://127.0.0.1:${hangupPort}/`, 60);
    expect(ended.samples.length).toBeGreaterThan(0);
    expect(new Set(ended.samples.map((s) => s.r))).toEqual(new Set(['closed']));

    const bad = createHttpServer((_q, res) => {
      res.statusCode = 502;
      res.end();
    });
    const badPort = await listen(bad);
    const gw = await run(transport, `http://127.0.0.1:${badPort}/`, 60);
    expect(gw.samples[0]?.r).toBe(502);
    expect(isGood(502)).toBe(false);
    expect(isGood(301)).toBe(true);
  });

  it('runs targets of different intervals on one timer, each on its own grid', async () => {
    const http = createHttpServer((_req, res) => res.end('ok'));
    const port = await listen(http);
    const got = new Map<string, ProbeSample[]>([
      ['fast', []],
      ['slow', []],
    ]);
    let ticks = 0;
    const group = new ProbeGroup({
      targets: [
        { name: 'fast', url: `http://127.0.0.1:${port}/`, intervalMs: 20, timeoutMs: 200 },
        { name: 'slow', url: `http://127.0.0.1:${port}/a`, intervalMs: 110, timeoutMs: 200 },
      ],
      transport,
      onSample: (name, s) => got.get(name)?.push(s),
      onTick: () => ticks++,
    });
    group.start();
    await new Promise((r) => setTimeout(r, 1000));
    await group.stop();
    const fast = got.get('fast') ?? [];
    const slow = got.get('slow') ?? [];
    const c = group.counts('slow');
    expect(fast.length + group.counts('fast').skipped).toBeGreaterThanOrEqual(45);
    expect(slow.length).toBe(c.sent);
    // One tick per fast slot, no timer of the slow target's own.
    expect(ticks).toBe(group.counts('fast').sent);
    // The slow target goes on the first fast tick from half a tick before its slot: 100 or
    // 120 ms apart, 110 on average over the run.
    const ts = slow.map((s) => s.t).sort((a, b) => a - b);
    const mean = ((ts.at(-1) ?? 0) - (ts[0] ?? 0)) / (ts.length - 1 + c.skipped);
    expect(slow.length + c.skipped).toBeGreaterThanOrEqual(8);
    expect(mean).toBeGreaterThan(100);
    expect(mean).toBeLessThan(121);
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
