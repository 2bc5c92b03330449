/*
 * The bare stack Keepwatch is built on, with no product logic: fastify + @fastify/websocket
 * (ws) + TypeBox compiled validators + better-sqlite3 (WAL, batched transactions). It speaks
 * just enough of protocol v1 for the load generator (hello/welcome, data → stored → ack,
 * pings, a live feed with one patch per changed cluster), so `pnpm bench ingest` can show
 * the product's cost as a ratio to it. Run: node --import tsx tools/bench/loadgen/bare-server.ts
 * with KEEPWATCH_PORT, KEEPWATCH_DATA, KEEPWATCH_AGENT_TOKEN.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import websocket from '@fastify/websocket';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { WebSocket } from 'ws';
import {
  AgentToServer,
  LoginRequest,
  PROTOCOL_VERSION,
  createCodec,
  type StatusCluster,
} from '@keepwatch/shared';

/** A ws frame as text (ws hands a Buffer, or Buffer[] for fragmented frames). */
function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

const port = Number(process.env['KEEPWATCH_PORT'] ?? 8471);
const dataDir = process.env['KEEPWATCH_DATA'] ?? './data-bare';
const agentToken = process.env['KEEPWATCH_AGENT_TOKEN'] ?? '';
const codec = createCodec(AgentToServer);

mkdirSync(dataDir, { recursive: true });
const db = new Database(join(dataDir, 'keepwatch.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS events (agent_id TEXT NOT NULL, seq INTEGER NOT NULL,
  ts INTEGER NOT NULL, received_at INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
  PRIMARY KEY (agent_id, seq))`);
const insert = db.prepare(
  'INSERT OR IGNORE INTO events (agent_id, seq, ts, received_at, type, payload) VALUES (?, ?, ?, ?, ?, ?)',
);
const maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE agent_id = ?');

// Batched writes: one transaction every 20 ms, then one ack per agent for its highest seq.
type Row = [string, number, number, number, string, string];
let queue: { row: Row; socket: WebSocket }[] = [];
let timer: NodeJS.Timeout | undefined;
const commit = db.transaction((rows: Row[]) => {
  for (const r of rows) insert.run(...r);
});
function flush(): void {
  timer = undefined;
  const batch = queue;
  queue = [];
  commit(batch.map((b) => b.row));
  const highest = new Map<WebSocket, number>();
  for (const b of batch) highest.set(b.socket, Math.max(highest.get(b.socket) ?? 0, b.row[1]));
  for (const [socket, seq] of highest) socket.send(JSON.stringify({ type: 'ack', seq }));
}

// Live feed: which node holds each cluster's VIP, one patch per changed cluster per turn.
const holders = new Map<string, { vip: string; nodes: Set<string> }>();
const browsers = new Set<WebSocket>();
const dirty = new Set<string>();
let rev = 0;
function clusterView(id: string): StatusCluster {
  const h = holders.get(id);
  const held = h ? [...h.nodes] : [];
  return {
    id,
    name: id,
    verdict: held.length === 1 ? 'healthy' : 'at_risk',
    findings: [],
    vips: h ? [{ address: h.vip, instance: 'VI_1', holders: held, masters: held }] : [],
    nodes: [],
  };
}
function publish(): void {
  if (dirty.size === 0) return;
  const patch = JSON.stringify({
    type: 'patch',
    rev: ++rev,
    at: Date.now(),
    upsert: [...dirty].map(clusterView),
    remove: [],
  });
  dirty.clear();
  for (const b of browsers) b.send(patch);
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

app.post('/api/v1/auth/login', { schema: { body: LoginRequest } }, () => ({
  token: 'bare',
  user: { username: 'admin', role: 'admin' },
  expiresAt: Date.now() + 3_600_000,
}));

app.get('/api/v1/live', { websocket: true }, (socket) => {
  socket.send(JSON.stringify({ type: 'hello', protocol: 1 }));
  socket.send(
    JSON.stringify({ type: 'snapshot', rev, status: { clusters: [], generatedAt: Date.now() } }),
  );
  browsers.add(socket);
  socket.on('close', () => browsers.delete(socket));
});

app.get('/api/v1/agent/ws', { websocket: true }, (socket) => {
  let agent: { id: string; cluster: string; node: string } | undefined;
  const ping = setInterval(() => {
    socket.send(JSON.stringify({ type: 'ping', id: 1, t0: Date.now() }));
  }, 5000);
  socket.on('close', () => clearInterval(ping));
  socket.on('message', (data) => {
    const r = codec.check(JSON.parse(rawText(data)) as unknown);
    if (!r.ok) return socket.close(4400, r.error);
    const m = r.value;
    if (m.type === 'hello') {
      if (m.token !== agentToken) return socket.close(4401, 'bad token');
      agent = { id: m.agentId, cluster: m.node.cluster.id, node: m.node.name };
      const { seq } = maxSeq.get(agent.id) as { seq: number };
      socket.send(
        JSON.stringify({
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          serverTime: Date.now(),
          ackedSeq: seq,
        }),
      );
      return undefined;
    }
    if (!agent || m.type === 'pong' || m.type === 'stats' || m.type === 'log.lines')
      return undefined;
    queue.push({
      row: [agent.id, m.seq, m.ts, Date.now(), m.type, JSON.stringify(m)],
      socket,
    });
    timer ??= setTimeout(flush, 20);
    if (m.type === 'vip.change' || m.type === 'snapshot') {
      const h = holders.get(agent.cluster) ?? { vip: '', nodes: new Set<string>() };
      holders.set(agent.cluster, h);
      const held =
        m.type === 'vip.change'
          ? m.action === 'add'
          : m.addresses.some((a) => m.vrrp.some((v) => v.vips.includes(a.address)));
      if (m.type === 'vip.change') h.vip = m.address.address;
      else h.vip ||= m.vrrp[0]?.vips[0] ?? '';
      if (held) h.nodes.add(agent.node);
      else h.nodes.delete(agent.node);
      if (dirty.size === 0) setImmediate(publish);
      dirty.add(agent.cluster);
    }
    return undefined;
  });
});

await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`bare stack listening on http://127.0.0.1:${port}/\n`);
const stop = (): void => {
  void app.close().then(() => {
    if (timer) clearTimeout(timer);
    if (queue.length > 0) flush();
    db.close();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
