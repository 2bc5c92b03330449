import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { agent, connect, hello, login, snapshot, testApp } from '../../testing/test-app';

describe('GET /metrics', () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
  });

  it('needs a login by default; serves the text format and counts ingested messages', async () => {
    app = await testApp();
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');
    const anon = await app.inject({ url: '/metrics' });
    expect(anon.statusCode).toBe(401);
    expect(anon.body).not.toContain('keepwatch_');
    const res = await app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${await login(app)}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(res.body).toContain('keepwatch_agent_up{cluster="lab",node="lb1"} 1');
    expect(res.body).toContain(
      'keepalived_vrrp_state{cluster="lab",node="lb1",iname="VI_1",intf="",vrid="51",ip_address="10.77.0.50"} 2',
    );
    expect(res.body).toContain('keepwatch_ingest_messages_total 1');
  });

  it('accepts KEEPWATCH_METRICS_TOKEN as Bearer (Prometheus), and nothing else without a login', async () => {
    app = await testApp({ metricsToken: 'scrape-me' });
    const anon = await app.inject({ url: '/metrics' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer');
    // The metrics token opens /metrics only, not the API.
    expect(
      (await app.inject({ url: '/api/v1/status', headers: { authorization: 'Bearer scrape-me' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me' } }))
        .statusCode,
    ).toBe(200);
  });

  it("carries the server's own health: event loop, heap, GC, CPU, ingest queue, live subscribers", async () => {
    app = await testApp();
    const token = await login(app);
    const scrape = async (): Promise<string> =>
      (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).body;
    expect(await scrape()).toMatch(/^keepwatch_live_subscribers 0$/m);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    const body = await scrape();
    for (const family of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ])
      expect(body).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));
    expect(body).toMatch(/^keepwatch_ingest_queue_depth 0$/m);
    expect(body).toMatch(/^keepwatch_live_subscribers 1$/m);
  });
});
