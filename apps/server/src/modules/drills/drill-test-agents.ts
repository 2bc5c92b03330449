import type { FastifyInstance } from 'fastify';
import { agent, hello, snapshot, type TestSocket } from '../../testing/test-app';

/*
 * Fake agents for the drill API tests: lb1 MASTER holding the VIP, lb2 BACKUP, web1 and
 * web2 backends; each answers the server's clock pings (so offsets are measured) and,
 * unless told otherwise, grants `drills`.
 */

export interface FakeCluster {
  sockets: Record<string, TestSocket>;
  /** Sends a data message as `node` (seq and ts filled in). */
  send(node: string, msg: Record<string, unknown>): void;
  close(): void;
}

export interface FakeClusterOptions {
  control?: Partial<Record<string, string[]>>;
  /** Make lb2's nginx unhealthy in its snapshot. */
  backupNginxDown?: boolean;
  /** Agent clocks this many ms ahead of the server's, per node (default 0). */
  skewMs?: Partial<Record<string, number>>;
}

function answerPings(s: TestSocket, skewMs = 0): void {
  const answer = (m: { type?: unknown; id?: unknown; t0?: unknown }): void => {
    if (m.type === 'ping')
      s.send({
        type: 'pong',
        id: m.id,
        t0: m.t0,
        t1: Date.now() + skewMs,
        t2: Date.now() + skewMs,
      });
  };
  // The first ping comes right after the welcome: it may be recorded already.
  for (const m of s.messages) answer(m);
  s.ws.on('message', (raw: Buffer) =>
    answer(JSON.parse(raw.toString()) as Record<string, unknown>),
  );
}

export async function fakeCluster(
  app: FastifyInstance,
  opts: FakeClusterOptions = {},
): Promise<FakeCluster> {
  const sockets: Record<string, TestSocket> = {};
  const seqs: Record<string, number> = {};
  const nodes: [string, 'lb' | 'backend'][] = [
    ['lb1', 'lb'],
    ['lb2', 'lb'],
    ['web1', 'backend'],
    ['web2', 'backend'],
  ];
  for (const [name, role] of nodes) {
    const control = opts.control?.[name] ?? ['drills'];
    const h = hello(
      { capabilities: { observe: ['keepalived', 'vip', 'nginx', 'tomcat'], control } },
      name,
      role,
    );
    const s = await agent(app, h);
    answerPings(s, opts.skewMs?.[name]);
    sockets[name] = s;
    seqs[name] = 1;
    const now = Date.now();
    if (role === 'lb') {
      const snap = snapshot(1, name === 'lb1' ? 'MASTER' : 'BACKUP', name === 'lb1', now);
      snap.addresses[0] = {
        address: name === 'lb1' ? '10.77.0.11' : '10.77.0.12',
        prefix: 24,
        interface: 'eth0',
      };
      if (name === 'lb2' && opts.backupNginxDown)
        snap.services.nginx = { healthy: false, checkedAt: now };
      s.send(snap);
    } else {
      s.send({
        type: 'snapshot',
        seq: 1,
        ts: now,
        vrrp: [],
        addresses: [
          { address: name === 'web1' ? '10.77.0.21' : '10.77.0.22', prefix: 24, interface: 'eth0' },
        ],
        services: { tomcat: { healthy: true, checkedAt: now } },
      });
    }
  }
  // Wait until the pings were answered and the snapshots applied.
  for (let i = 0; i < 100; i++) {
    const c = app.clusterStore.cluster('lab');
    if (
      c &&
      c.nodes.length === 4 &&
      c.nodes.every((n) => n.clockOffsetMs !== null) &&
      c.vips[0]?.holders.length === 1
    )
      break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    sockets,
    send: (node, msg) => {
      const seq = (seqs[node] = (seqs[node] ?? 1) + 1);
      sockets[node]?.send({ seq, ts: Date.now(), ...msg });
    },
    close: () => {
      for (const s of Object.values(sockets)) s.ws.close();
    },
  };
}
