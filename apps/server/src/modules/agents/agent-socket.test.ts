import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
