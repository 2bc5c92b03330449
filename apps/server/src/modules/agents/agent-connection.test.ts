import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@keepwatch/shared';
import { BatchWriter } from '../../plugins/batch-writer';
import { migrate } from '../../plugins/db-migrations';
import { sqliteRepositories } from '../../storage/sql-repositories';
import { createEventBus } from '../../plugins/event-bus';
import { hello, snapshot, AGENT_TOKEN } from '../../testing/test-app';
import { AgentConnection, CLOSE_PONG_TIMEOUT } from './agent-connection';
import { AgentRegistry } from './agent-registry';
import { AgentIngest } from './agent-ingest';
import { IngestBudget } from './ingest-budget';
import { IngestHooks } from './ingest-hooks';

/** Just enough of a ws socket for the connection: events in, frames and close out. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  closedWith: { code: number; reason: string } | undefined;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  /** Like ws: a close only starts the handshake; 'close' fires when the peer answers. */
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  /** Like ws: the TCP connection is dropped and 'close' fires at once. */
  terminate(): void {
    this.readyState = 3;
    this.emit('close', this.closedWith?.code ?? 1006, Buffer.from(this.closedWith?.reason ?? ''));
  }
  frame(value: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(value)));
  }
}

function setup(timing: { helloMs?: number; pingMs?: number; pongMs?: number }) {
  const db = new Database(':memory:');
  migrate(db);
  const bus = createEventBus();
  const offline: string[] = [];
  bus.on('agent.offline', (e) => offline.push(e.agentId));
  const socket = new FakeSocket();
  const { ingest } = sqliteRepositories(db);
  const hooks = new IngestHooks(bus);
  const handled: string[] = [];
  hooks.add('status', {
    online: () => handled.push('online'),
    data: (e) => handled.push(`data ${e.message.seq}`),
  });
  const conn = new AgentConnection(socket as unknown as WebSocket, {
    agentToken: AGENT_TOKEN,
    ingest: new AgentIngest(ingest, new BatchWriter(ingest)),
    budget: new IngestBudget(Date.now),
    clockSkewMs: 500,
    bus,
    hooks,
    registry: new AgentRegistry(),
    now: Date.now,
    log: Fastify({ logger: false }).log,
    timing,
  });
  conn.start();
  return { socket, offline, handled };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AgentConnection timers', () => {
  it('closes 4400 when no hello arrives in time', async () => {
    const { socket } = setup({ helloMs: 20 });
    await sleep(60);
    expect(socket.closedWith).toEqual({
      code: CloseCode.badFrame,
      reason: 'no hello within 0.02 s',
    });
  });

  it('pings with {id, t0} and, when pongs stop, drops the connection so the agent is offline at once', async () => {
    const { socket, offline } = setup({ pingMs: 10, pongMs: 45 });
    socket.frame(hello());
    await sleep(30);
    const ping = socket.sent.find((m) => m['type'] === 'ping');
    expect(ping).toMatchObject({ type: 'ping', id: 1, t0: expect.any(Number) as number });
    await sleep(80);
    expect(socket.closedWith?.code).toBe(CLOSE_PONG_TIMEOUT);
    expect(offline).toEqual(['agent-lb1']);
  });

  it('stays online while pongs keep coming', async () => {
    const { socket } = setup({ pingMs: 10, pongMs: 45 });
    socket.frame(hello());
    const timer = setInterval(() => {
      const t = Date.now();
      socket.frame({ type: 'pong', id: 1, t0: t, t1: t, t2: t });
    }, 10);
    await sleep(120);
    clearInterval(timer);
    expect(socket.closedWith).toBeUndefined();
  });
});

describe('AgentConnection frame order', () => {
  it('frames behind the hello wait for it, in arrival order; once drained a frame is handled at once', async () => {
    const { socket, handled } = setup({});
    socket.frame(hello());
    socket.frame(snapshot(1, 'MASTER', true));
    socket.frame(snapshot(2, 'MASTER', true));
    expect(handled).toEqual([]);
    for (let i = 0; i < 100 && !handled.includes('data 2'); i++) await sleep(5);
    expect(handled).toEqual(['online', 'data 1', 'data 2']);
    expect(socket.sent[0]).toMatchObject({ type: 'welcome' });
    // Nothing queued any more: no promise turn between the frame and its stages.
    socket.frame(snapshot(3, 'MASTER', true));
    expect(handled).toEqual(['online', 'data 1', 'data 2', 'data 3']);
    for (let i = 0; i < 100 && !socket.sent.some((m) => m['type'] === 'ack' && m['seq'] === 3); i++)
      await sleep(5);
    expect(socket.sent.filter((m) => m['type'] === 'ack').at(-1)).toEqual({ type: 'ack', seq: 3 });
    socket.terminate();
  });
});
