import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { agent, testApp } from '../../testing/test-app';
import { ActionError } from './index';

/* app.actions against the real app and a fake agent on the real agent socket. */

describe('app.actions', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('sends action.request to the connected agent and resolves with its (stored, acked) result', async () => {
    const sock = await agent(app);
    const pending = app.actions.request(
      'agent-lb1',
      'drill.fault',
      { drillId: 'd1', fault: 'stop-nginx', restoreAfterMs: 5000 },
      { timeoutMs: 3000 },
    );
    const req = await sock.next((m) => m['type'] === 'action.request');
    expect(req).toMatchObject({
      action: 'drill.fault',
      params: { drillId: 'd1', fault: 'stop-nginx', restoreAfterMs: 5000 },
    });
    const id = req['id'] as string;
    const result = {
      type: 'action.result',
      seq: 1,
      ts: 2000,
      id,
      action: 'drill.fault',
      ok: false,
      error: {
        code: 'not_permitted',
        message: "this agent is monitor-only: its host config does not grant 'drills' control",
      },
      steps: [],
      startedAt: 1999,
      finishedAt: 2000,
    };
    sock.send(result);
    await expect(pending).resolves.toMatchObject({
      id,
      ok: false,
      error: { code: 'not_permitted' },
    });
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    expect(app.actions.inFlight).toBe(0);
    sock.ws.close();
  });

  it('ignores a result for an id it did not send or from another agent', async () => {
    const a = await agent(app);
    const pending = app.actions.request(
      'agent-lb1',
      'service.status',
      { service: 'nginx' },
      { timeoutMs: 500 },
    );
    const req = await a.next((m) => m['type'] === 'action.request');
    const base = {
      type: 'action.result',
      ts: 1,
      action: 'service.status',
      ok: true,
      steps: [],
      startedAt: 1,
      finishedAt: 1,
    };
    a.send({ ...base, seq: 1, id: 'act-someone-else' });
    a.send({ ...base, seq: 2, id: req['id'] });
    await expect(pending).resolves.toMatchObject({ id: req['id'], seq: 2 });
    a.ws.close();
  });

  it('rejects at once for an offline agent, on timeout, and when the agent disconnects', async () => {
    await expect(
      app.actions.request('agent-nobody', 'service.status', { service: 'nginx' }),
    ).rejects.toMatchObject({
      code: 'agent_offline',
      message: 'agent agent-nobody is not connected: cannot run service.status',
    });
    const sock = await agent(app);
    const timedOut = app.actions.request(
      'agent-lb1',
      'service.status',
      { service: 'nginx' },
      { timeoutMs: 100 },
    );
    await expect(timedOut).rejects.toBeInstanceOf(ActionError);
    await expect(timedOut).rejects.toMatchObject({ code: 'timeout' });
    const cut = app.actions.request(
      'agent-lb1',
      'drill.restore',
      { drillId: 'd1' },
      { timeoutMs: 5000 },
    );
    await sock.next((m) => m['type'] === 'action.request' && m['action'] === 'drill.restore');
    sock.ws.terminate();
    await expect(cut).rejects.toMatchObject({ code: 'disconnected' });
  });
});
