import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  agentToServerCodec,
  type AgentHello,
  type AgentToServer,
} from '@keepwatch/shared';
import { Connection } from './connection';
import { createLogger, silentLogger } from './log';
import { Outbox } from './outbox';

const hello: AgentHello = {
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  agentId: 'lb1',
  token: 't',
  node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab' } },
  facts: { hostname: 'lb1', agentVersion: '0.1.0' },
  capabilities: { observe: ['keepalived'], control: [] },
};

/** One accepted socket on the test server, with an awaitable queue of decoded frames. */
class Peer {
  private frames: AgentToServer[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const r = agentToServerCodec.decode(data);
      if (!r.ok) throw new Error(`agent sent an invalid frame: ${r.error}`);
      this.frames.push(r.value);
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  async next(): Promise<AgentToServer> {
    while (this.frames.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames.shift() as AgentToServer;
  }
  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }
}

describe('Connection (against a real ws server on 127.0.0.1)', () => {
  let dir: string;
  let wss: WebSocketServer;
  let peers: Peer[];
  let arrivals: Array<() => void>;
  let ac: AbortController;
  let url: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-conn-'));
    peers = [];
    arrivals = [];
    ac = new AbortController();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/agent/ws' });
    wss.on('connection', (ws) => {
      peers.push(new Peer(ws));
      arrivals.splice(0).forEach((a) => a());
    });
    await new Promise<void>((r) => wss.on('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    ac.abort();
    await new Promise<void>((r) => wss.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const peer = async (n: number): Promise<Peer> => {
    while (peers.length <= n) await new Promise<void>((r) => arrivals.push(r));
    return peers[n] as Peer;
  };

  async function setup(log = silentLogger, heartbeatMs?: number, replicas?: string[]) {
    const outbox = await Outbox.open({ dir, agentId: 'lb1', log: silentLogger });
    const conn = new Connection({
      url,
      ...(replicas && { replicas }),
      outbox,
      log,
      hello: () => hello,
      snapshot: () => ({
        type: 'snapshot',
        vrrp: [],
        addresses: [],
        services: {},
        keepalivedRunning: true,
      }),
      backoffMs: { base: 1, max: 5 },
      ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      refusedRetryMs: 10,
    });
    return { outbox, conn };
  }

  it('hello -> welcome -> the outbox in seq order, then a fresh snapshot, then live; acks trim the outbox', async () => {
    const { outbox, conn } = await setup();
    outbox.append({
      type: 'vrrp.transition',
      instance: 'VI_1',
      state: 'BACKUP',
      effectivePriority: 100,
      source: 'fifo',
    });
    outbox.append({
      type: 'vrrp.transition',
      instance: 'VI_1',
      state: 'MASTER',
      effectivePriority: 100,
      source: 'fifo',
    });
    await outbox.flush();
    conn.start(ac.signal);
    const p = await peer(0);
    expect(await p.next()).toEqual(hello);
    p.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: Date.now(), ackedSeq: 0 });
    expect(await p.next()).toMatchObject({ type: 'vrrp.transition', seq: 1, state: 'BACKUP' });
    expect(await p.next()).toMatchObject({ type: 'vrrp.transition', seq: 2, state: 'MASTER' });
    const snap = await p.next();
    expect(snap).toMatchObject({ type: 'snapshot', seq: 3, keepalivedRunning: true });
    outbox.append({
      type: 'vip.change',
      action: 'add',
      address: { address: '10.77.0.50', prefix: 24, interface: 'eth0' },
    });
    expect(await p.next()).toMatchObject({ type: 'vip.change', seq: 4 });
    p.send({ type: 'ack', seq: 4 });
    p.send({ type: 'ping', id: 7, t0: 1 });
    const pong = await p.next();
    expect(pong).toMatchObject({ type: 'pong', id: 7, t0: 1 });
    if (pong.type === 'pong') expect(pong.t2).toBeGreaterThanOrEqual(pong.t1);
    expect(outbox.size).toBe(0); // the ack was handled before the ping that follows it
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  it('logs and ignores a bad frame from the server, then carries on', async () => {
    const lines: string[] = [];
    const { outbox, conn } = await setup(createLogger({ sink: (l) => lines.push(l) }));
    conn.start(ac.signal);
    const p = await peer(0);
    await p.next(); // hello
    p.send('{not json');
    p.send({ type: 'welcome', protocol: PROTOCOL_VERSION, ackedSeq: -1, serverTime: 0 });
    p.send({ type: 'ping', id: 1, t0: 5 });
    expect(await p.next()).toMatchObject({ type: 'pong', id: 1 });
    expect(lines.filter((l) => l.includes('ignored a bad frame'))).toHaveLength(2);
    expect(peers).toHaveLength(1);
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  it('reconnects after the server drops it and replays what was not acknowledged', async () => {
    const { outbox, conn } = await setup();
    conn.start(ac.signal);
    const p0 = await peer(0);
    await p0.next();
    p0.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, ackedSeq: 0 });
    expect(await p0.next()).toMatchObject({ type: 'snapshot', seq: 1 });
    outbox.append({
      type: 'service.health',
      service: 'nginx',
      health: { healthy: false, checkedAt: 1 },
    });
    expect(await p0.next()).toMatchObject({ type: 'service.health', seq: 2 });
    p0.ws.terminate(); // server lost seq 2 (never acked)
    const p1 = await peer(1);
    expect(await p1.next()).toMatchObject({ type: 'hello' });
    p1.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, ackedSeq: 1 });
    expect(await p1.next()).toMatchObject({ type: 'service.health', seq: 2 });
    expect(await p1.next()).toMatchObject({ type: 'snapshot', seq: 3 });
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  it('drops a socket whose server went silent (no pong) and reconnects', async () => {
    // A server that never answers pings, like one behind a cut cable.
    await new Promise<void>((r) => wss.close(() => r()));
    wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/api/v1/agent/ws',
      autoPong: false,
    });
    wss.on('connection', (ws) => {
      peers.push(new Peer(ws));
      arrivals.splice(0).forEach((a) => a());
    });
    await new Promise<void>((r) => wss.on('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const { outbox, conn } = await setup(silentLogger, 20);
    conn.start(ac.signal);
    await (await peer(0)).next(); // hello, then silence
    expect(await (await peer(1)).next()).toMatchObject({ type: 'hello' });
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  it('takes a 4403 (node binding) as a refusal: logged as an error, retried slowly', async () => {
    const lines: string[] = [];
    const { outbox, conn } = await setup(createLogger({ sink: (l) => lines.push(l) }));
    conn.start(ac.signal);
    const p0 = await peer(0);
    await p0.next();
    p0.ws.close(CloseCode.identity, 'credential is enrolled as web1');
    await peer(1);
    expect(lines.some((l) => /ERROR .*server refused this agent code=4403/.test(l))).toBe(true);
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  it('logs a 4401 close as an error and keeps retrying', async () => {
    const lines: string[] = [];
    const { outbox, conn } = await setup(createLogger({ sink: (l) => lines.push(l) }));
    conn.start(ac.signal);
    const p0 = await peer(0);
    await p0.next();
    p0.ws.close(CloseCode.unauthorized, 'bad token');
    expect(await (await peer(1)).next()).toMatchObject({ type: 'hello' });
    expect(
      lines.some((l) => /ERROR .*server refused this agent code=4401 reason="bad token"/.test(l)),
    ).toBe(true);
    ac.abort();
    await conn.stopped();
    await outbox.close();
  });

  describe('with a second server replica', () => {
    let other: WebSocketServer;
    let otherPeers: Peer[];
    let otherArrivals: Array<() => void>;
    let otherUrl: string;
    beforeEach(async () => {
      otherPeers = [];
      otherArrivals = [];
      other = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/agent/ws' });
      other.on('connection', (ws) => {
        otherPeers.push(new Peer(ws));
        otherArrivals.splice(0).forEach((a) => a());
      });
      await new Promise<void>((r) => other.on('listening', r));
      otherUrl = `ws://127.0.0.1:${(other.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      await new Promise<void>((r) => other.close(() => r()));
    });
    const otherPeer = async (n: number): Promise<Peer> => {
      while (otherPeers.length <= n) await new Promise<void>((r) => otherArrivals.push(r));
      return otherPeers[n] as Peer;
    };

    it('moves to the other replica when its server dies, and replays there what was not acknowledged', async () => {
      const lines: string[] = [];
      const log = createLogger({ sink: (l) => lines.push(l) });
      const { outbox, conn } = await setup(log, undefined, [otherUrl]);
      conn.start(ac.signal);
      const p0 = await peer(0);
      expect(await p0.next()).toMatchObject({ type: 'hello' });
      p0.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, ackedSeq: 0 });
      expect(await p0.next()).toMatchObject({ type: 'snapshot', seq: 1 });
      p0.send({ type: 'ack', seq: 1 });
      outbox.append({
        type: 'service.health',
        service: 'nginx',
        health: { healthy: false, checkedAt: 1 },
      });
      expect(await p0.next()).toMatchObject({ type: 'service.health', seq: 2 });
      // The first replica dies (kill -9: no close frame), its listener gone.
      await new Promise<void>((r) => {
        wss.close(() => r());
        for (const c of wss.clients) c.terminate();
      });
      const q0 = await otherPeer(0);
      expect(await q0.next()).toMatchObject({ type: 'hello', agentId: 'lb1' });
      q0.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, ackedSeq: 1 });
      expect(await q0.next()).toMatchObject({ type: 'service.health', seq: 2 });
      expect(await q0.next()).toMatchObject({ type: 'snapshot', seq: 3 });
      expect(peers).toHaveLength(1);
      expect(
        lines.some((l) => l.includes('disconnected from server') && l.includes(`next=${otherUrl}`)),
      ).toBe(true);
      ac.abort();
      await conn.stopped();
      await outbox.close();
    });

    it('goes to the next replica when the first cannot be reached at start', async () => {
      await new Promise<void>((r) => wss.close(() => r()));
      const { outbox, conn } = await setup(silentLogger, undefined, [otherUrl]);
      conn.start(ac.signal);
      const q0 = await otherPeer(0);
      expect(await q0.next()).toMatchObject({ type: 'hello' });
      q0.send({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, ackedSeq: 0 });
      expect(await q0.next()).toMatchObject({ type: 'snapshot', seq: 1 });
      expect(conn.ready).toBe(true);
      ac.abort();
      await conn.stopped();
      await outbox.close();
    });
  });
});
