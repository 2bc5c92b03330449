import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { agent, hello, login, snapshot, testApp } from '../../testing/test-app';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET /api/v1/history/*', () => {
  it('serves what an agent reported over the socket, by agent time; login required', async () => {
    app = await testApp();
    const sock = await agent(app, hello({}, 'lb1'));
    sock.send(snapshot(1, 'MASTER', true, 5_000));
    sock.send({
      type: 'vrrp.transition',
      seq: 2,
      ts: 6_000,
      instance: 'VI_1',
      state: 'BACKUP',
      effectivePriority: 90,
      source: 'fifo',
    });
    sock.send({
      type: 'vip.change',
      seq: 3,
      ts: 6_001,
      action: 'remove',
      address: { address: '10.77.0.50', prefix: 24, interface: 'eth0' },
    });
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 3);

    const anon = await app.inject({ url: '/api/v1/history/timeline?cluster=lab&from=0&to=10000' });
    expect(anon.statusCode).toBe(401);
    const token = await login(app);
    const res = await app.inject({
      url: '/api/v1/history/timeline?cluster=lab&from=0&to=10000',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      events: { ts: number; seq: number; type: string; node: string; summary: string }[];
    }>();
    expect(body.events.map((e) => [e.ts, e.seq, e.type, e.node])).toEqual([
      [5_000, 1, 'snapshot', 'lb1'],
      [6_000, 2, 'vrrp.transition', 'lb1'],
      [6_001, 3, 'vip.change', 'lb1'],
    ]);
    expect(body.events[1]?.summary).toBe('VI_1 → BACKUP (priority 90)');

    const bad = await app.inject({
      url: '/api/v1/history/series?cluster=lab&node=lb1&metric=nginx.rps&from=0&to=1&step=week',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.statusCode).toBe(400);
    const series = await app.inject({
      url: '/api/v1/history/series?cluster=lab&node=lb1&metric=nginx.rps&from=0&to=1&step=minute',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(series.json()).toEqual({
      cluster: 'lab',
      node: 'lb1',
      metric: 'nginx.rps',
      step: 'minute',
      points: [],
    });
  });

  it('stores stats frames from the socket as series (request rate from the counter)', async () => {
    app = await testApp();
    const sock = await agent(app, hello({}, 'lb1'));
    const nginx = (requests: number) => ({
      active: 3,
      accepts: requests,
      handled: requests,
      requests,
      reading: 0,
      writing: 1,
      waiting: 2,
    });
    for (let i = 0; i < 12; i++)
      sock.send({ type: 'stats', ts: 60_000 + i * 5_000, nginx: nginx(i * 100) });
    sock.send({ type: 'snapshot', seq: 1, ts: 200_000, vrrp: [], addresses: [], services: {} });
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 1); // frames are handled in order
    app.history.recorder.flushSamples();
    await app.writer.flush();
    const token = await login(app);
    const res = await app.inject({
      url: '/api/v1/history/series?cluster=lab&node=lb1&metric=nginx.rps&from=0&to=600000&step=minute',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json<{ points: unknown[] }>().points).toEqual([
      { ts: 60_000, min: 20, avg: 20, max: 20, count: 11 },
    ]);
  });
});
