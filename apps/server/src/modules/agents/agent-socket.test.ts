import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, type AgentsResponse, type StatusResponse } from '@keepwatch/shared';
import { agent, hello, login, snapshot, testApp } from '../../testing/test-app';

/** Every place that answers "is this agent online?", read at one instant. */
async function views(app: FastifyInstance, agentId: string, node = 'lb1') {
  const token = await login(app);
  const headers = { authorization: `Bearer ${token}` };
  const agents = (await app.inject({ url: '/api/v1/agents', headers })).json<AgentsResponse>();
  const status = (await app.inject({ url: '/api/v1/status', headers })).json<StatusResponse>();
  const entry = app.agentSocket.registry.get(agentId);
  return {
    registry: entry !== undefined,
    list: agents.agents.find((a) => a.agentId === agentId)?.online,
    status: status.clusters.flatMap((c) => c.nodes).find((n) => n.name === node)?.online,
  };
}

describe('agent socket registry consistency (SPEC.md OR-*)', () => {
  let app: FastifyInstance;
  let events: string[];
  beforeEach(async () => {
    app = await testApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    events = [];
    app.bus.on('agent.online', (e) => events.push(`online ${e.agentId}`));
    app.bus.on('agent.offline', (e) => events.push(`offline ${e.agentId}`));
  });
  afterEach(() => app.close());

  it('OR-5: on connect the registry, the agents list and the status agree: online', async () => {
    const before = Date.now();
    const sock = await agent(app);
    sock.send(snapshot(1, 'MASTER', true));
    await sock.next((m) => m['type'] === 'ack');
    expect(await views(app, 'agent-lb1')).toEqual({ registry: true, list: true, status: true });
    expect(app.agentSocket.registry.get('agent-lb1')).toMatchObject({
      node: { name: 'lb1', cluster: { id: 'lab' } },
    });
    expect(app.agentSocket.registry.get('agent-lb1')?.since).toBeGreaterThanOrEqual(before);
    expect(events).toEqual(['online agent-lb1']);
  });

  it('OR-1: a replacing socket takes the entry; the replaced one closing never shows the agent offline', async () => {
    const first = await agent(app);
    const firstId = app.agentSocket.registry.get('agent-lb1')?.socketId;
    const second = await agent(app);
    expect(await first.closed).toMatchObject({ code: CloseCode.replaced });
    expect(app.agentSocket.registry.get('agent-lb1')?.socketId).toBeGreaterThan(firstId ?? 0);
    expect(await views(app, 'agent-lb1')).toMatchObject({ registry: true, list: true });
    expect(events).toEqual(['online agent-lb1', 'online agent-lb1']);
    second.ws.close();
    await second.closed;
    await expect.poll(() => app.agentSocket.registry.size).toBe(0);
    expect(events).toEqual(['online agent-lb1', 'online agent-lb1', 'offline agent-lb1']);
  });

  it('OR-3: the agent closing its socket makes it offline everywhere, once', async () => {
    const sock = await agent(app);
    sock.send(snapshot(1, 'MASTER', true));
    await sock.next((m) => m['type'] === 'ack');
    sock.ws.close();
    await sock.closed;
    await expect.poll(() => app.agentSocket.registry.isOnline('agent-lb1')).toBe(false);
    expect(await views(app, 'agent-lb1')).toEqual({ registry: false, list: false, status: false });
    expect(events).toEqual(['online agent-lb1', 'offline agent-lb1']);
  });

  it('OR-4: a revoke makes the agent offline everywhere before its socket finishes closing', async () => {
    const sock = await agent(app, hello({}, 'lb2'));
    const token = await login(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/agent-lb2/revoke',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    // Synchronously with the revoke, not when the peer answers the close.
    expect(app.agentSocket.registry.isOnline('agent-lb2')).toBe(false);
    expect(events).toEqual(['online agent-lb2', 'offline agent-lb2']);
    expect(await views(app, 'agent-lb2', 'lb2')).toEqual({
      registry: false,
      list: false,
      status: false,
    });
    expect(await sock.closed).toMatchObject({ code: CloseCode.unauthorized });
    expect(events).toEqual(['online agent-lb2', 'offline agent-lb2']);
  });
});

describe('agent socket ingest order (SPEC.md IH-*)', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('IH-1, IH-2: status, then history, then the bus, then the event is queued; the ack covers history', async () => {
    expect(app.agentSocket.hooks.stages()).toEqual(['status', 'history']);
    const order: string[] = [];
    const apply = app.clusterStore.apply.bind(app.clusterStore);
    vi.spyOn(app.clusterStore, 'apply').mockImplementation((...args) => {
      order.push('status');
      apply(...args);
    });
    const data = app.history.recorder.data.bind(app.history.recorder);
    vi.spyOn(app.history.recorder, 'data').mockImplementation((...args) => {
      order.push('history');
      data(...args);
    });
    app.bus.on('agent.data', () => order.push('bus'));
    const ingest = app.writer.ingest.bind(app.writer);
    vi.spyOn(app.writer, 'ingest').mockImplementation((w) => {
      if (w.kind === 'event') order.push('event queued');
      return ingest(w);
    });
    const write = app.writer.write.bind(app.writer);
    vi.spyOn(app.writer, 'write').mockImplementation((sql, params) => {
      if (sql.includes('history_transitions')) order.push('history row queued');
      return write(sql, params);
    });
    const sock = await agent(app);
    sock.send(snapshot(1, 'MASTER', true));
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    expect(order.filter((s) => s !== 'history row queued')).toEqual([
      'status',
      'history',
      'bus',
      'event queued',
    ]);
    expect(order.indexOf('history row queued')).toBeLessThan(order.indexOf('event queued'));
    // Acked means the derived history row is durable too (same batch).
    const rows = app.db
      .prepare("SELECT type FROM history_transitions WHERE agent_id = 'agent-lb1' AND seq = 1")
      .all();
    expect(rows.length).toBeGreaterThan(0);
  });
});
