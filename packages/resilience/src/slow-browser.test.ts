import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { SimAgent } from '@keepwatch/loadgen';
import { liveWs, startApp, within, type Running } from './in-process';

/*
 * Issue 11 item 2: a browser that never reads its live socket cannot grow the server's memory
 * without bound. One live client stops reading right after it connected (its TCP socket
 * paused: the kernel buffers fill, then the server's ws send buffer), a second one reads
 * normally, and simulated agents (packages/loadgen, protocol v1) fail their pairs over as
 * fast as the server takes it, so every turn sends patches. Shown: the server's send buffer
 * for the slow socket never passes the live hub's 8 MiB limit plus one frame, the server
 * drops that socket with 1013 and a reason (read once the client reads again), the reading
 * client keeps its feed and is not dropped. Bounded: at most TRAFFIC_S of traffic.
 */
const PAIRS = 40;
const TRAFFIC_S = 60;
const MiB = 1024 * 1024;
/** live-hub.ts MAX_BUFFERED_BYTES, plus the largest patch this fleet can make (40 clusters). */
const BOUND = 8 * MiB + 1 * MiB;

let server: Running;
let pairs: SimAgent[][] = [];

beforeAll(async () => {
  server = await startApp();
}, 60_000);
afterAll(async () => {
  for (const a of pairs.flat()) a.stop();
  await server?.close();
});

/** The server side of every socket it holds (agents and browsers). */
const serverSockets = (): Set<WebSocket> => server.app.websocketServer.clients;

function startFleet(): SimAgent[][] {
  const out: SimAgent[][] = [];
  for (let i = 0; i < PAIRS; i++) {
    const common = {
      url: `ws://127.0.0.1:${server.port}/api/v1/agent/ws`,
      token: 'resilience-agent-token',
      clusterId: `slow-${String(i).padStart(2, '0')}`,
      vip: `10.109.${i}.50`,
      statsEveryMs: 5000,
      onWelcome: () => undefined,
    };
    out.push([
      new SimAgent({ ...common, name: 'lb1', master: true, address: `10.109.${i}.11` }),
      new SimAgent({ ...common, name: 'lb2', master: false, address: `10.109.${i}.12` }),
    ]);
  }
  for (const a of out.flat()) a.start();
  return out;
}

describe('a slow browser on the live feed', () => {
  it('is dropped with 1013 and a reason once 8 MiB wait for it; the server never buffers more, a reading browser keeps its feed', async () => {
    pairs = startFleet();
    await expect.poll(() => pairs.flat().every((a) => a.isOnline), { timeout: 20_000 }).toBe(true);

    const slow = liveWs(server.port, server.token);
    await slow.opened;
    // ws reads from this socket: paused, nothing is read any more (not even a close frame).
    const tcp = (slow.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const fast = liveWs(server.port, server.token);
    await fast.opened;

    let maxBuffered = 0;
    let slowClosing = false;
    const deadline = performance.now() + TRAFFIC_S * 1000;
    while (!slowClosing && performance.now() < deadline) {
      const now = Date.now();
      for (const [a, b] of pairs) {
        if (!a || !b || !a.isOnline || !b.isOnline) continue;
        const [from, to] = a.master ? [a, b] : [b, a];
        from.failover(false, now);
        to.failover(true, now);
      }
      await new Promise((r) => setTimeout(r, 10));
      for (const s of serverSockets()) {
        maxBuffered = Math.max(maxBuffered, s.bufferedAmount);
        // The only socket the server closes here is the slow one (agents and `fast` read).
        if (s.readyState === s.CLOSING) slowClosing = true;
      }
    }
    expect(slowClosing, `server buffered at most ${maxBuffered} bytes`).toBe(true);
    expect(maxBuffered).toBeGreaterThan(8 * MiB);
    expect(maxBuffered).toBeLessThanOrEqual(BOUND);

    // The reading browser still gets patches and was not dropped.
    const seen = fast.frames.length;
    const [a, b] = pairs[0] ?? [];
    if (a && b) {
      const [from, to] = a.master ? [a, b] : [b, a];
      from.failover(false, Date.now());
      to.failover(true, Date.now());
    }
    await expect.poll(() => fast.frames.length, { timeout: 5000 }).toBeGreaterThan(seen);
    expect(await within(fast.closed, 1)).toBe('timeout');

    // Once the slow client reads again it gets the backlog, then the close with its reason.
    tcp.resume();
    const closed = await within(slow.closed, 20_000);
    expect(closed).toEqual({ code: 1013, reason: 'client too slow for the live feed; reconnect' });
    fast.ws.close();
  }, 120_000);
});
