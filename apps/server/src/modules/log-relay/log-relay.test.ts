import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveToBrowserCodec, type LiveToBrowser, type LogsSubscribe } from '@keepwatch/shared';
import { agent, connect, hello, login, snapshot, testApp } from '../../testing/test-app';
import {
  LINES_PER_WINDOW,
  LogRelay,
  MAX_AGENT_STREAMS,
  MAX_SUBS,
  type RelayClient,
} from './log-relay';

describe('log relay through the live feed', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('asks both load balancers, passes their lines to the browser tagged by node, and unsubscribes', async () => {
    const lb1 = await agent(app, hello({}, 'lb1'));
    const lb2 = await agent(app, hello({}, 'lb2'));
    lb1.send(snapshot(1, 'MASTER', true));
    lb2.send(snapshot(1, 'BACKUP', false));
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    live.send({
      type: 'logs.subscribe',
      subscription: 'tl-1',
      cluster: 'lab',
      nodes: ['lb1', 'lb2'],
      sources: ['keepalived', 'nginx'],
      tail: 20,
    });
    const ask1 = (await lb1.next(
      (m) => m['type'] === 'logs.subscribe',
    )) as unknown as LogsSubscribe;
    const ask2 = (await lb2.next(
      (m) => m['type'] === 'logs.subscribe',
    )) as unknown as LogsSubscribe;
    expect(ask1).toMatchObject({ sources: ['keepalived', 'nginx'], tail: 20 });
    expect(ask1.subscription).not.toBe(ask2.subscription);

    lb1.send({
      type: 'log.lines',
      subscription: ask1.subscription,
      source: 'keepalived',
      lines: [{ ts: 5, text: 'Entering MASTER STATE' }],
    });
    lb2.send({
      type: 'log.lines',
      subscription: ask2.subscription,
      source: 'keepalived',
      lines: [{ ts: 6, text: 'Entering BACKUP STATE' }],
    });
    // Lines for a subscription this server never made are not passed on.
    lb2.send({
      type: 'log.lines',
      subscription: 'forged',
      source: 'nginx',
      lines: [{ ts: 7, text: 'nope' }],
    });
    const got1 = await live.next((m) => m['type'] === 'log.lines' && m['node'] === 'lb1');
    const got2 = await live.next((m) => m['type'] === 'log.lines' && m['node'] === 'lb2');
    expect(got1).toMatchObject({
      subscription: 'tl-1',
      source: 'keepalived',
      lines: [{ text: 'Entering MASTER STATE' }],
    });
    expect(got2).toMatchObject({ lines: [{ text: 'Entering BACKUP STATE' }] });
    for (const m of live.messages) expect(liveToBrowserCodec.check(m).ok).toBe(true);
    expect(live.messages.some((m) => JSON.stringify(m).includes('nope'))).toBe(false);

    live.send({ type: 'logs.unsubscribe', subscription: 'tl-1' });
    await lb1.next(
      (m) => m['type'] === 'logs.unsubscribe' && m['subscription'] === ask1.subscription,
    );
    await lb2.next(
      (m) => m['type'] === 'logs.unsubscribe' && m['subscription'] === ask2.subscription,
    );
  });

  it('says a node is offline, and asks its agent once it connects', async () => {
    const token = await login(app);
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');
    lb1.ws.terminate();
    const live = await connect(app, `/api/v1/live?token=${token}`);
    // Subscribe only once the server has seen lb1 drop (its feed says so).
    const lb1Offline = (m: Record<string, unknown>): boolean => {
      const clusters = (
        m['type'] === 'snapshot'
          ? (m['status'] as { clusters: unknown[] }).clusters
          : m['type'] === 'patch'
            ? (m['upsert'] as unknown[])
            : []
      ) as { nodes: { name: string; online: boolean }[] }[];
      return clusters.some((c) => c.nodes.some((n) => n.name === 'lb1' && !n.online));
    };
    await live.next(lb1Offline);
    live.send({
      type: 'logs.subscribe',
      subscription: 's',
      cluster: 'lab',
      nodes: ['lb1'],
      sources: ['nginx'],
    });
    await live.next((m) => m['type'] === 'logs.status' && m['state'] === 'offline');
    const back = await agent(app, hello({}, 'lb1'));
    await back.next((m) => m['type'] === 'logs.subscribe');
    await live.next((m) => m['type'] === 'logs.status' && m['state'] === 'streaming');
  });

  it('ignores frames a browser sends that are not valid live messages', async () => {
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    live.send('{"type":"logs.subscribe","subscription":"x"}');
    live.send('not json');
    live.send({
      type: 'logs.subscribe',
      subscription: 'ok',
      cluster: 'lab',
      nodes: ['ghost'],
      sources: ['nginx'],
    });
    const status = await live.next((m) => m['type'] === 'logs.status');
    expect(status).toMatchObject({ subscription: 'ok', node: 'ghost', state: 'rejected' });
  });
});

describe('LogRelay bounds', () => {
  const agentSubs: LogsSubscribe[] = [];
  const relay = (now: { t: number }) =>
    new LogRelay({
      agentFor: () => ({ agentId: 'a1', online: true }),
      sendToAgent: (_id, msg) => {
        if (msg.type === 'logs.subscribe') agentSubs.push(msg);
        return true;
      },
      now: () => now.t,
    });
  const client = (buffered = 0) => {
    const sent: LiveToBrowser[] = [];
    const c: RelayClient = { send: (m) => sent.push(m), buffered: () => buffered };
    return { c, sent };
  };
  const sub = (id: string) => ({
    type: 'logs.subscribe' as const,
    subscription: id,
    cluster: 'lab',
    nodes: ['lb1'],
    sources: ['nginx' as const],
  });

  it(`caps the log sources one agent follows at ${MAX_AGENT_STREAMS}, over all browsers (journald streams included)`, () => {
    const r = relay({ t: 0 });
    agentSubs.length = 0;
    const [b0, b1, third] = [client(), client(), client()];
    const four = (id: string) => ({
      ...sub(id),
      sources: ['keepalived' as const, 'nginx' as const, 'tomcat' as const, 'agent' as const],
    });
    r.subscribe(b0.c, four('b0'));
    r.subscribe(b1.c, four('b1'));
    expect(agentSubs).toHaveLength(2);
    // A third browser's ask would make 9 followers on the host: refused with the reason.
    r.subscribe(third.c, sub('b2'));
    expect(agentSubs).toHaveLength(2);
    expect(third.sent.at(-1)).toMatchObject({
      type: 'logs.status',
      state: 'rejected',
      message: `node lb1 already streams 8 logs (at most ${MAX_AGENT_STREAMS} per agent): close another log view`,
    });
    // One view closed frees its streams for the next ask; an agent gone offline ends them all.
    r.drop(b0.c);
    r.subscribe(third.c, sub('b2'));
    expect(agentSubs).toHaveLength(3);
    r.offline('a1');
    r.subscribe(third.c, four('b3'));
    expect(agentSubs).toHaveLength(4);
  });

  it(`caps subscriptions per browser at ${MAX_SUBS}`, () => {
    const r = relay({ t: 0 });
    const { c, sent } = client();
    for (let i = 0; i <= MAX_SUBS; i++) r.subscribe(c, sub(`s${i}`));
    expect(r.subscriptions).toBe(MAX_SUBS);
    expect(sent.at(-1)).toMatchObject({
      type: 'logs.status',
      state: 'rejected',
      subscription: `s${MAX_SUBS}`,
    });
    r.drop(c);
    expect(r.subscriptions).toBe(0);
  });

  it('passes at most LINES_PER_WINDOW lines per window and then says how many it dropped', () => {
    const now = { t: 0 };
    const r = relay(now);
    const { c, sent } = client();
    agentSubs.length = 0;
    r.subscribe(c, sub('s'));
    const agentSub = agentSubs[0]?.subscription ?? '';
    const lines = Array.from({ length: 1000 }, (_, i) => ({ ts: i, text: `line ${i}` }));
    for (let i = 0; i < 3; i++)
      r.lines('a1', { type: 'log.lines', subscription: agentSub, source: 'nginx', lines });
    const passed = sent.flatMap((m) => (m.type === 'log.lines' ? m.lines : []));
    expect(passed).toHaveLength(LINES_PER_WINDOW);
    now.t = 10_001;
    r.lines('a1', {
      type: 'log.lines',
      subscription: agentSub,
      source: 'nginx',
      lines: lines.slice(0, 1),
    });
    expect(
      sent.some(
        (m) =>
          m.type === 'logs.status' && m.state === 'dropped' && m.message?.startsWith('1000 lines'),
      ),
    ).toBe(true);
    // Lines from another agent for the same subscription id are not ours.
    const before = sent.length;
    r.lines('a2', { type: 'log.lines', subscription: agentSub, source: 'nginx', lines });
    expect(sent.length).toBe(before);
  });

  it('sends nothing to a browser that is behind on its socket', () => {
    const r = relay({ t: 0 });
    const { c, sent } = client(2 * 1024 * 1024);
    agentSubs.length = 0;
    r.subscribe(c, sub('s'));
    r.lines('a1', {
      type: 'log.lines',
      subscription: agentSubs[0]?.subscription ?? '',
      source: 'nginx',
      lines: [{ ts: 1, text: 'x' }],
    });
    expect(sent.filter((m) => m.type === 'log.lines')).toHaveLength(0);
  });
});
