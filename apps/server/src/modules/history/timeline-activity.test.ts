import type { FastifyInstance } from 'fastify';
import type { HistoryEvent } from '@keepwatch/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agent, hello, login, snapshot, testApp } from '../../testing/test-app';
import { mergeTimeline } from './timeline-activity';

/* Config pushes and drills as timeline entries of their own (read from their tables). */

let app: FastifyInstance;
let token: string;
beforeEach(async () => {
  app = await testApp();
  token = await login(app);
});
afterEach(() => app.close());

function push(id: string, o: Record<string, unknown>): void {
  const p = {
    cluster: 'lab',
    createdAt: 1_000,
    finishedAt: null,
    dryRun: 0,
    status: 'succeeded',
    rollbackOf: null,
    hosts: [],
    ...o,
  };
  app.db
    .prepare(
      `INSERT INTO config_pushes (id, cluster_id, created_at, finished_at, author, message, dry_run,
         status, summary, changeset_id, rollback_of, hosts, changes)
       VALUES (?, ?, ?, ?, 'admin', 'weight 30', ?, ?, 'all hosts applied', NULL, ?, ?, '[]')`,
    )
    .run(
      id,
      p.cluster,
      p.createdAt,
      p.finishedAt,
      p.dryRun,
      p.status,
      p.rollbackOf,
      JSON.stringify(p.hosts),
    );
}

function drill(id: string, o: Record<string, unknown>, report: Record<string, unknown>): void {
  const d = { status: 'passed', startedAt: 10_000, endedAt: null, error: null, ...o };
  app.db
    .prepare(
      `INSERT INTO drills (id, cluster_id, kind, status, phase, options, preflight, report,
         started_by, schedule_id, started_at, ended_at, error)
       VALUES (?, 'lab', 'nginx-outage', ?, 'done', '{}', NULL, ?, 'admin', NULL, ?, ?, ?)`,
    )
    .run(id, d.status, JSON.stringify(report), d.startedAt, d.endedAt, d.error);
}

const timeline = async (query: string) => {
  const res = await app.inject({
    url: `/api/v1/history/timeline?cluster=lab&${query}`,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ events: HistoryEvent[]; truncated: boolean }>();
};

describe('timeline: config pushes and drills', () => {
  it('a push shows as started, each host done and finished, in time order with the agents’ changes', async () => {
    push('p1', {
      createdAt: 1_000,
      finishedAt: 9_000,
      hosts: [
        { host: 'lb2', status: 'applied', finishedAt: 4_000 },
        { host: 'lb1', status: 'applied', finishedAt: 8_000 },
        { host: 'web1', status: 'skipped' },
      ],
    });
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true, 5_000));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    const { events } = await timeline('from=0&to=20000');
    expect(events.map((e) => [e.ts, e.type, e.node])).toEqual([
      [1_000, 'push.started', ''],
      [4_000, 'push.host', 'lb2'],
      [5_000, 'snapshot', 'lb1'],
      [8_000, 'push.host', 'lb1'],
      [9_000, 'push.finished', ''],
    ]);
    expect(events[4]?.data).toMatchObject({ pushId: 'p1', status: 'succeeded', author: 'admin' });
    lb1.ws.close();
  });

  it('a rolled-back push says so, with the failed host’s error; dry runs are left out', async () => {
    push('p2', {
      finishedAt: 3_000,
      status: 'rolled_back',
      hosts: [
        { host: 'lb2', status: 'rolled_back', error: 'gate: VIP not served', finishedAt: 2_500 },
      ],
    });
    push('dry', { dryRun: 1, finishedAt: 1_500 });
    const { events } = await timeline('from=0&to=20000');
    expect(events.map((e) => `${e.type}:${(e.data as { status: string }).status}`)).toEqual([
      'push.started:running',
      'push.host:rolled_back',
      'push.finished:rolled_back',
    ]);
    expect(events[1]?.data).toMatchObject({ error: 'gate: VIP not served' });
  });

  it('a drill shows as started, fault, restore and result with its downtime', async () => {
    drill(
      'd1',
      { endedAt: 30_000 },
      {
        faultAt: 15_000,
        restoreAt: 25_000,
        downtimeMs: 4274,
        failedRequests: 383,
        totalRequests: 2222,
        targets: ['lb1'],
        samples: { vip: [[1, 2, 'lb1', null]] },
      },
    );
    const { events } = await timeline('from=0&to=40000');
    expect(events.map((e) => [e.ts, e.type, (e.data as { phase?: string }).phase])).toEqual([
      [10_000, 'drill.started', undefined],
      [15_000, 'drill.phase', 'fault'],
      [25_000, 'drill.phase', 'restore'],
      [30_000, 'drill.result', undefined],
    ]);
    expect(events[3]?.data).toMatchObject({
      drillId: 'd1',
      status: 'passed',
      downtimeMs: 4274,
      failedRequests: 383,
      totalRequests: 2222,
    });
    // The range cuts by each entry's own time, and a type filter applies to them too.
    expect((await timeline('from=12000&to=26000')).events.map((e) => e.type)).toEqual([
      'drill.phase',
      'drill.phase',
    ]);
    expect((await timeline('from=0&to=40000&types=drill.result')).events).toHaveLength(1);
    expect((await timeline('from=0&to=40000&types=vrrp.transition')).events).toHaveLength(0);
    // A node's timeline shows the drills that faulted it, not the others.
    expect((await timeline('from=0&to=40000&node=lb1')).events).toHaveLength(4);
    expect((await timeline('from=0&to=40000&node=lb2')).events).toHaveLength(0);
  });

  it('another cluster’s pushes and drills stay off', async () => {
    push('p3', { cluster: 'other', finishedAt: 2_000 });
    expect((await timeline('from=0&to=20000')).events).toEqual([]);
  });
});

describe('mergeTimeline', () => {
  const ev = (ts: number, agentId = 'a'): HistoryEvent => ({
    ts,
    receivedAt: ts,
    node: 'n',
    agentId,
    seq: 1,
    type: 't',
    summary: '',
    data: null,
  });
  it('keeps the limit, and leaves entries past a cut stored page for the next page', () => {
    const merged = mergeTimeline(
      { events: [ev(1), ev(5)], truncated: true },
      [ev(3, 'server'), ev(9, 'server')],
      10,
    );
    expect(merged.events.map((e) => e.ts)).toEqual([1, 3, 5]);
    expect(merged.truncated).toBe(true);
    const cut = mergeTimeline({ events: [ev(1), ev(5)], truncated: false }, [ev(3, 'server')], 2);
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.events.map((e) => e.ts)).toEqual([1, 3]);
  });
});
