import type { FastifyInstance } from 'fastify';
import { WebSocket as WsClient, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, agentAuthorization, type AgentHello } from '@keepwatch/shared';
import { buildApp } from '../app';
import type { ServerConfig } from '../config';

export const ADMIN_PASSWORD = 'correct horse battery';
export const AGENT_TOKEN = 'test-agent-token';

export function testConfig(over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    hosts: ['127.0.0.1'],
    dataDir: '/nonexistent-keepwatch-test',
    adminPassword: ADMIN_PASSWORD,
    agentToken: AGENT_TOKEN,
    // Most tests speak as lab agents; enrollment tests turn it off (the production default).
    allowSharedAgentToken: true,
    webDist: '/nonexistent-keepwatch-web',
    logLevel: 'silent',
    ...over,
  };
}

export async function testApp(over: Partial<ServerConfig> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig(over), dbPath: ':memory:', logger: false });
  // injectWS dispatches straight to the router, which only exists once the app is ready.
  await app.ready();
  return app;
}

export async function login(app: FastifyInstance): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  return res.json<{ token: string }>().token;
}

/** A WebSocket with every received frame recorded from the first byte on. */
export interface TestSocket {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** Resolves with the first recorded frame (past or future) matching `pred`. */
  next(
    pred: (m: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(value: unknown): void;
}

function record(ws: WebSocket): TestSocket {
  const messages: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  const closed: TestSocket['closed'] = new Promise((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (raw: Buffer) => {
    messages.push(JSON.parse(raw.toString()) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const next: TestSocket['next'] = (pred, timeoutMs = 3000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; got ${JSON.stringify(messages)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = messages.find(pred);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  const send = (v: unknown): void => ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  return { ws, messages, next, closed, send };
}

/**
 * Connects in-process (injectWS) or, when the app is listening, over a real TCP socket: a
 * client-initiated close only completes on a real socket (injectWS never ends its stream).
 */
export async function connect(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string> = {},
): Promise<TestSocket> {
  const address = app.server.address();
  if (address && typeof address === 'object') {
    const ws = new WsClient(`ws://127.0.0.1:${address.port}${url}`, { headers });
    const socket = record(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }
  let socket: TestSocket | undefined;
  // injectWS sends only the headers given; a real client always sends Host.
  const withHost = { host: 'localhost:80', ...headers };
  await app.injectWS(url, { headers: withHost }, { onInit: (ws) => void (socket = record(ws)) });
  if (!socket) throw new Error('injectWS did not initialise');
  return socket;
}

export function hello(
  over: Partial<AgentHello> = {},
  name = 'lb1',
  role: 'lb' | 'backend' = 'lb',
): AgentHello {
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    agentId: `agent-${name}`,
    token: AGENT_TOKEN,
    node: { name, role, cluster: { id: 'lab', name: 'Lab cluster' } },
    facts: { hostname: name, agentVersion: '0.1.0' },
    capabilities: { observe: ['keepalived', 'vip', 'nginx'], control: [] },
    ...over,
  };
}

/** The upgrade header of an agent socket: the agent's credential (see plugins/auth.ts). */
export function agentHeaders(
  cred: Pick<AgentHello, 'agentId' | 'token'> = hello(),
): Record<string, string> {
  return { authorization: agentAuthorization(cred.agentId, cred.token) };
}

/** An agent socket opened with `cred` on the upgrade (the hello is the caller's to send). */
export function agentSocket(
  app: FastifyInstance,
  cred: Pick<AgentHello, 'agentId' | 'token'> = hello(),
): Promise<TestSocket> {
  return connect(app, '/api/v1/agent/ws', agentHeaders(cred));
}

/** A connected agent that has received its welcome. */
export async function agent(app: FastifyInstance, h: AgentHello = hello()): Promise<TestSocket> {
  const sock = await agentSocket(app, h);
  sock.send(h);
  await sock.next((m) => m['type'] === 'welcome');
  return sock;
}

export const VIP = '10.77.0.50';

export function snapshot(seq: number, state: 'MASTER' | 'BACKUP', holdsVip: boolean, ts = 1_000) {
  return {
    type: 'snapshot',
    seq,
    ts,
    vrrp: [
      {
        instance: 'VI_1',
        state,
        priority: state === 'MASTER' ? 100 : 90,
        effectivePriority: state === 'MASTER' ? 100 : 90,
        vrid: 51,
        vips: [VIP],
      },
    ],
    addresses: [
      { address: '10.77.0.11', prefix: 24, interface: 'eth0' },
      ...(holdsVip ? [{ address: VIP, prefix: 24, interface: 'eth0' }] : []),
    ],
    services: {
      nginx: { healthy: true, checkedAt: ts },
      keepalived: { healthy: true, checkedAt: ts },
    },
    keepalivedRunning: true,
  };
}

/** Resolves at the server's ack of `seq` (or a later one) on the agent's socket. */
export async function acked(sock: TestSocket, seq: number): Promise<void> {
  await sock.next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq);
}

/**
 * The pair the replica tests start from: lb1 connected to `a` (MASTER, holding the VIP) and
 * lb2 to `b` (BACKUP), each one's first snapshot acknowledged by its own server.
 */
export async function lbPairAcross(
  a: FastifyInstance,
  b: FastifyInstance,
): Promise<{ lb1: TestSocket; lb2: TestSocket }> {
  const lb1 = await agent(a, hello({}, 'lb1'));
  lb1.send(snapshot(1, 'MASTER', true));
  await acked(lb1, 1);
  const lb2 = await agent(b, hello({}, 'lb2'));
  lb2.send(snapshot(1, 'BACKUP', false));
  await acked(lb2, 1);
  return { lb1, lb2 };
}
