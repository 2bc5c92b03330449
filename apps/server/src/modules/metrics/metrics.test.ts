import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { agent, hello, snapshot, testApp } from '../../testing/test-app';

describe('GET /metrics', () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
  });

  it('serves the text format without a login by default and counts ingested messages', async () => {
    app = await testApp();
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(res.body).toContain('keepwatch_agent_up{cluster="lab",node="lb1"} 1');
    expect(res.body).toContain(
      'keepalived_vrrp_state{cluster="lab",node="lb1",iname="VI_1",intf="",vrid="51",ip_address="10.77.0.50"} 2',
    );
    expect(res.body).toContain('keepwatch_ingest_messages_total 1');
  });

  it('requires the bearer token when KEEPWATCH_METRICS_TOKEN is set', async () => {
    app = await testApp({ metricsToken: 'scrape-me' });
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me' } }))
        .statusCode,
    ).toBe(200);
  });
});
