import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, type StatusResponse } from '@keepwatch/shared';
import {
  agent,
  agentSocket,
  hello,
  login,
  snapshot,
  testApp,
  type TestSocket,
} from '../../testing/test-app';

async function expectServing(app: FastifyInstance): Promise<void> {
  const token = await login(app);
  const res = await app.inject({
    url: '/api/v1/status',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode).toBe(200);
  const good = await agent(app, hello({ agentId: 'good-agent' }, 'lb9'));
  good.send(snapshot(1, 'BACKUP', false));
  expect(await good.next((m) => m['type'] === 'ack')).toEqual({ type: 'ack', seq: 1 });
  good.ws.close();
}

async function rawAgent(app: FastifyInstance): Promise<TestSocket> {
  return agentSocket(app);
}

describe('agent socket', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('answers hello with welcome {protocol, serverTime, ackedSeq: 0}', async () => {
    const sock = await rawAgent(app);
    sock.send(hello());
    const welcome = await sock.next((m) => m['type'] === 'welcome');
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, ackedSeq: 0 });
    expect(Math.abs(Number(welcome['serverTime']) - Date.now())).toBeLessThan(5000);
  });

  it('acks after storing, re-acks duplicates without storing them twice, and resumes ackedSeq', async () => {
    const sock = await agent(app);
    sock.send(snapshot(1, 'MASTER', true));
    sock.send({
      type: 'vip.change',
      seq: 2,
      ts: 2,
      action: 'remove',
      address: { address: '10.77.0.50', prefix: 24, interface: 'eth0' },
    });
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    sock.send({
      type: 'vip.change',
      seq: 2,
      ts: 2,
      action: 'add',
      address: { address: '10.77.0.99', prefix: 24, interface: 'eth0' },
    });
    sock.send(snapshot(1, 'MASTER', true));
    await new Promise((r) => setTimeout(r, 60));
    const acks = sock.messages.filter((m) => m['type'] === 'ack').map((m) => m['seq']);
    expect(acks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(acks)).toEqual(new Set([1, 2].filter((s) => acks.includes(s))));
    expect(acks[acks.length - 1]).toBe(2);
    const rows = app.db
      .prepare("SELECT seq, type FROM events WHERE agent_id = 'agent-lb1' ORDER BY seq")
      .all();
    expect(rows).toEqual([
      { seq: 1, type: 'snapshot' },
      { seq: 2, type: 'vip.change' },
    ]);
    // The duplicate seq 2 ("add 10.77.0.99") was not applied either.
    const token = await login(app);
    const status = (
      await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${token}` } })
    ).json<StatusResponse>();
    expect(status.clusters[0]?.vips[0]?.holders).toEqual([]);

    const again = await rawAgent(app);
    again.send(hello());
    expect(await again.next((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 2 });
    expect(await sock.closed).toMatchObject({ code: CloseCode.replaced });
  });

  it('closes 4400 with a reason mentioning JSON on a non-JSON frame, and keeps serving', async () => {
    const sock = await rawAgent(app);
    sock.send('this is not json{');
    const { code, reason } = await sock.closed;
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toMatch(/JSON/);
    await expectServing(app);
  });

  it('closes 4400 with a reason naming the field on a schema violation, and keeps serving', async () => {
    const sock = await rawAgent(app);
    const bad = hello();
    sock.send({ ...bad, agentId: 'has spaces!' });
    const { code, reason } = await sock.closed;
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toContain('/agentId');
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    await expectServing(app);
  });

  it('IL-2: a schema violation after the hello is refused with the field, kept, and the socket stays up', async () => {
    const sock = await agent(app);
    sock.send({
      type: 'vrrp.transition',
      seq: 1,
      ts: 1,
      instance: 'VI_1',
      state: 'LEADER',
      effectivePriority: 100,
      source: 'fifo',
    });
    const refused = await sock.next((m) => m['type'] === 'refused');
    expect(refused).toMatchObject({ code: 'invalid', seq: 1 });
    expect(refused['reason']).toContain('/state');
    // Kept as rejected, so acked: the agent has nothing to replay.
    expect(await sock.next((m) => m['type'] === 'ack')).toEqual({ type: 'ack', seq: 1 });
    sock.send(snapshot(2, 'MASTER', true));
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    const rejected = app.db.prepare('SELECT seq, type, reason FROM rejected_events').all();
    expect(rejected).toEqual([
      { seq: 1, type: 'vrrp.transition', reason: expect.stringContaining('/state') as string },
    ]);
    await expectServing(app);
  });

  it('IL-2: an unknown message type is refused and kept; the next real message is stored', async () => {
    const sock = await agent(app);
    sock.send({ type: 'telemetry', seq: 1 });
    const refused = await sock.next((m) => m['type'] === 'refused');
    expect(refused['reason']).toContain('unknown message type "telemetry"');
    sock.send(snapshot(2, 'BACKUP', false));
    await sock.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    expect(app.db.prepare('SELECT seq FROM events').all()).toEqual([{ seq: 2 }]);
    expect(app.db.prepare('SELECT type FROM rejected_events').all()).toEqual([
      { type: 'telemetry' },
    ]);
  });

  it('closes 4400 when the first frame is not a hello', async () => {
    const sock = await rawAgent(app);
    sock.send(snapshot(1, 'MASTER', true));
    const { code, reason } = await sock.closed;
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toContain('expected hello');
  });

  it('closes 4426 on a wrong protocol version, and keeps serving', async () => {
    const sock = await rawAgent(app);
    sock.send({ ...hello(), protocol: 2, extra: 'v2 field' });
    expect(await sock.closed).toEqual({
      code: CloseCode.protocolVersion,
      reason: 'protocol version 2 not supported, server speaks 1',
    });
    await expectServing(app);
  });

  it('closes 4401 on a wrong token, and keeps serving', async () => {
    const sock = await rawAgent(app);
    sock.send(hello({ token: 'wrong' }));
    expect(await sock.closed).toMatchObject({ code: CloseCode.unauthorized });
    expect(sock.messages).toEqual([]);
    await expectServing(app);
  });

  it('answers pongs with a clock offset on the node', async () => {
    const sock = await agent(app);
    sock.send(snapshot(1, 'MASTER', true));
    await sock.next((m) => m['type'] === 'ack');
    const now = Date.now();
    // Agent clock 1000 ms ahead, 2 ms each way.
    sock.send({ type: 'pong', id: 1, t0: now - 4, t1: now - 2 + 1000, t2: now - 2 + 1000 });
    await new Promise((r) => setTimeout(r, 30));
    const token = await login(app);
    const status = (
      await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${token}` } })
    ).json<StatusResponse>();
    const offset = status.clusters[0]?.nodes[0]?.clockOffsetMs ?? 0;
    expect(Math.abs(offset - 1000)).toBeLessThan(20);
    expect(status.clusters[0]?.findings.map((f) => f.rule)).toContain('CLOCK_SKEW');
  });

  it('closes agent sockets with 1001 when the server shuts down', async () => {
    const sock = await agent(app);
    await app.close();
    expect(await sock.closed).toMatchObject({ code: CloseCode.serverShutdown });
  });
});
