import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusResponse } from '@keepwatch/shared';
import { VIP, agent, hello, login, snapshot, testApp } from '../../testing/test-app';

describe('GET /api/v1/status', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('requires credentials: 401 without, 401 with a bad token', async () => {
    const none = await app.inject({ url: '/api/v1/status' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: 'unauthorized' });
    const bad = await app.inject({
      url: '/api/v1/status',
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.statusCode).toBe(401);
  });

  it('answers 200 with an empty, schema-valid status for a bearer token', async () => {
    const token = await login(app);
    const res = await app.inject({
      url: '/api/v1/status',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const body: unknown = res.json();
    expect(Value.Check(StatusResponse, body)).toBe(true);
    expect(body).toMatchObject({ clusters: [] });
  });

  it('reflects agent snapshots and events: kernel holders, masters, verdict', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const token = await login(app);
    const lb1 = await agent(app, hello({}, 'lb1'));
    const lb2 = await agent(app, hello({}, 'lb2'));
    lb1.send(snapshot(1, 'MASTER', true));
    lb2.send(snapshot(1, 'BACKUP', false));
    await lb1.next((m) => m['type'] === 'ack');
    await lb2.next((m) => m['type'] === 'ack');

    const get = async () =>
      (
        await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${token}` } })
      ).json<StatusResponse>();
    let status = await get();
    expect(Value.Check(StatusResponse, status)).toBe(true);
    const cluster = status.clusters[0];
    expect(cluster).toMatchObject({
      id: 'lab',
      name: 'Lab cluster',
      verdict: 'healthy',
      findings: [],
    });
    expect(cluster?.vips).toEqual([
      { address: VIP, instance: 'VI_1', holders: ['lb1'], masters: ['lb1'] },
    ]);
    expect(cluster?.nodes.map((n) => [n.name, n.online, n.vipsHeld])).toEqual([
      ['lb1', true, [VIP]],
      ['lb2', true, []],
    ]);

    // keepalived on lb1 is SIGKILLed: its kernel keeps the VIP, lb2 takes over.
    lb1.send({
      type: 'service.health',
      seq: 2,
      ts: 2000,
      service: 'keepalived',
      health: { healthy: false, detail: 'process not running', checkedAt: 2000 },
    });
    lb2.send({
      type: 'vrrp.transition',
      seq: 2,
      ts: 2001,
      instance: 'VI_1',
      state: 'MASTER',
      effectivePriority: 90,
      source: 'fifo',
    });
    lb2.send({
      type: 'vip.change',
      seq: 3,
      ts: 2002,
      action: 'add',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    await lb2.next((m) => m['type'] === 'ack' && m['seq'] === 3);
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    status = await get();
    const c = status.clusters[0];
    expect(c?.vips[0]).toMatchObject({ holders: ['lb1', 'lb2'], masters: ['lb2'] });
    expect(c?.verdict).toBe('at_risk');
    expect(c?.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['SPLIT_BRAIN', 'STALE_VIP']),
    );
    expect(c?.nodes[1]?.vrrp[0]).toMatchObject({
      state: 'MASTER',
      effectivePriority: 90,
      since: 2001,
    });

    // lb1's agent goes away: it is reported offline and its stale view is no longer a holder.
    lb1.ws.close();
    await lb1.closed;
    await new Promise((r) => setTimeout(r, 20));
    status = await get();
    expect(status.clusters[0]?.nodes[0]).toMatchObject({ name: 'lb1', online: false });
    expect(status.clusters[0]?.vips[0]?.holders).toEqual(['lb2']);
    lb2.ws.close();
  });

  it('serves the OpenAPI document and a not-built page for /', async () => {
    const doc = await app.inject({ url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining(['/api/v1/status', '/api/v1/auth/login']),
    );
    const root = await app.inject({ url: '/' });
    expect(root.body).toContain('pnpm --filter @keepwatch/web build');
    const api404 = await app.inject({ url: '/api/nope' });
    expect(api404.statusCode).toBe(404);
  });
});
