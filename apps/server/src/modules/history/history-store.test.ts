import { describe, expect, it } from 'vitest';
import type { AgentDataMessage, AgentHello } from '@keepwatch/shared';
import { HistoryMaintenance } from './history-maintenance';
import { retentionPolicy } from './history-plugin';
import { openHistoryStore } from './history-store';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './rollup';

const T0 = Date.UTC(2026, 0, 1);

function hello(agentId: string, node: string, cluster = 'c1'): AgentHello {
  return {
    type: 'hello',
    protocol: 1,
    agentId,
    token: 't',
    node: { name: node, role: 'lb', cluster: { id: cluster, name: cluster } },
    facts: { hostname: node, agentVersion: '0' },
    capabilities: { observe: [], control: [] },
  };
}

/** The storage path exactly as the socket drives it, on an in-memory database. */
async function setup() {
  let now = T0;
  const store = await openHistoryStore({ path: ':memory:', now: () => now });
  return {
    ...store,
    join: (h: AgentHello): void => store.hello(h, now),
    feed: (agentId: string, msg: AgentDataMessage): Promise<void> => store.data(agentId, msg, now),
    setNow: (t: number) => (now = t),
  };
}

const transition = (seq: number, ts: number, state: 'MASTER' | 'BACKUP'): AgentDataMessage => ({
  type: 'vrrp.transition',
  seq,
  ts,
  instance: 'VI_1',
  state,
  effectivePriority: 100,
  source: 'fifo',
});

describe('history storage', () => {
  it('timeline: by cluster, node and type, ordered by agent time, limit flags truncation', async () => {
    const s = await setup();
    s.join(hello('a1', 'lb1'));
    s.join(hello('a2', 'lb2'));
    s.join(hello('x1', 'other', 'c2'));
    await Promise.all([
      s.feed('a1', transition(1, T0 + 30, 'BACKUP')),
      s.feed('a2', transition(1, T0 + 10, 'MASTER')),
      s.feed('a1', {
        type: 'service.health',
        seq: 2,
        ts: T0 + 20,
        service: 'nginx',
        health: { healthy: false, detail: 'HTTP 502', checkedAt: T0 + 20 },
      }),
      s.feed('x1', transition(1, T0 + 15, 'MASTER')),
    ]);
    const all = await s.queries.timeline({ cluster: 'c1', from: T0, to: T0 + 1000 });
    expect(all.events.map((e) => [e.ts - T0, e.node, e.seq, e.type])).toEqual([
      [10, 'lb2', 1, 'vrrp.transition'],
      [20, 'lb1', 2, 'service.health'],
      [30, 'lb1', 1, 'vrrp.transition'],
    ]);
    expect(all.events[0]).toMatchObject({
      agentId: 'a2',
      receivedAt: T0,
      summary: 'VI_1 → MASTER (priority 100)',
    });
    expect(all.truncated).toBe(false);
    expect(
      (await s.queries.timeline({ cluster: 'c1', from: T0, to: T0 + 1000, node: 'lb1' })).events,
    ).toHaveLength(2);
    expect(
      (
        await s.queries.timeline({
          cluster: 'c1',
          from: T0,
          to: T0 + 1000,
          types: 'service.health',
        })
      ).events.map((e) => e.summary),
    ).toEqual(['nginx unhealthy: HTTP 502']);
    expect(
      (await s.queries.timeline({ cluster: 'c1', from: T0 + 11, to: T0 + 30 })).events,
    ).toHaveLength(1);
    expect(
      (await s.queries.timeline({ cluster: 'c1', from: T0, to: T0 + 1000, limit: 2 })).truncated,
    ).toBe(true);
    const plan = s.db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM history_transitions WHERE cluster_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
      )
      .all('c1', 0, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(
      /USING INDEX history_transitions_cluster_ts/,
    );
  });

  it('stats become minute and hour rollups; pruning follows retention; stored seq survives pruning', async () => {
    const s = await setup();
    s.join(hello('a1', 'lb1'));
    await s.feed('a1', { type: 'snapshot', seq: 1, ts: T0, vrrp: [], addresses: [], services: {} });
    // Three hours of stub_status every 5 s: 10 req/s and active cycling 0..5.
    for (let i = 0; i <= 3 * 720; i++) {
      s.recorder.stats('a1', {
        type: 'stats',
        ts: T0 + i * 5000,
        nginx: {
          active: i % 6,
          accepts: 0,
          handled: 0,
          requests: i * 50,
          reading: 0,
          writing: 0,
          waiting: 0,
        },
      });
    }
    s.recorder.flushSamples();
    await s.writer.flush();
    s.setNow(T0 + 3 * HOUR_MS + 5 * MINUTE_MS);
    const report = await s.maintenance.run();
    expect(report.sealed).toBe(6); // 3 hours × 2 metrics (the 4th hour is still open)
    const q = { cluster: 'c1', node: 'lb1', from: T0, to: T0 + 4 * HOUR_MS } as const;
    const minutes = await s.queries.series({ ...q, metric: 'nginx.rps', step: 'minute' });
    expect(minutes).toHaveLength(3 * 60 + 1); // plus the open hour's first minute, rolled up on the fly
    expect(minutes[1]).toEqual({ ts: T0 + MINUTE_MS, min: 10, avg: 10, max: 10, count: 12 });
    const hours = await s.queries.series({ ...q, metric: 'nginx.active', step: 'hour' });
    expect(hours.map((h) => [h.min, h.max, h.count])).toEqual([
      [0, 5, 720],
      [0, 5, 720],
      [0, 5, 720],
      [0, 0, 1],
    ]);
    expect(hours[0]?.avg).toBeCloseTo(2.5, 5);

    // 31 days later: raw and minute data are gone, hours stay; the old snapshot event is pruned
    // but the stored seq (what welcome acknowledges) is still 1.
    s.setNow(T0 + 32 * DAY_MS);
    const later = await s.maintenance.run();
    expect(later.deleted).toBeGreaterThan(0);
    expect(await s.queries.series({ ...q, metric: 'nginx.rps', step: 'minute' })).toEqual([]);
    expect(await s.queries.series({ ...q, metric: 'nginx.active', step: 'hour' })).toHaveLength(4);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 0 });
    expect(await s.ingest.storedSeq('a1')).toBe(1);
  });

  it('keeps transitions for their retention and drops them after', async () => {
    const s = await setup();
    s.join(hello('a1', 'lb1'));
    await s.feed('a1', transition(1, T0, 'MASTER'));
    await s.feed('a1', {
      type: 'action.result',
      seq: 2,
      ts: T0,
      id: 'x',
      action: 'drill',
      ok: true,
      steps: [],
      startedAt: T0,
      finishedAt: T0,
    });
    s.setNow(T0 + 3 * DAY_MS);
    await s.maintenance.run();
    // The raw transition event is past the raw window; the action result is kept like a transition.
    expect(s.db.prepare('SELECT seq FROM events').all()).toEqual([{ seq: 2 }]);
    s.setNow(T0 + 399 * DAY_MS);
    await s.maintenance.run();
    expect((await s.queries.timeline({ cluster: 'c1', from: 0, to: T0 + 1 })).events).toHaveLength(
      2,
    );
    s.setNow(T0 + 401 * DAY_MS);
    await s.maintenance.run();
    expect((await s.queries.timeline({ cluster: 'c1', from: 0, to: T0 + 1 })).events).toHaveLength(
      0,
    );
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 0 });
    expect(await s.ingest.storedSeq('a1')).toBe(2);
  });

  it('yields between slices: a long prune does not hold the event loop', async () => {
    const s = await setup();
    s.join(hello('a1', 'lb1'));
    for (let seq = 1; seq <= 3000; seq++)
      void s.feed('a1', {
        type: 'snapshot',
        seq,
        ts: T0 + seq,
        vrrp: [],
        addresses: [],
        services: {},
      });
    await s.writer.flush();
    s.setNow(T0 + 3 * DAY_MS);
    // A 0 ms budget: every unit (≤ 200 rows) is followed by a yield, so timers run in between.
    const job = new HistoryMaintenance(s.repos, s.recorder, {
      policy: retentionPolicy(),
      now: () => T0 + 3 * DAY_MS,
      sliceMs: 0,
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const report = await job.run();
    clearInterval(timer);
    expect(report.deleted).toBe(3000);
    expect(ticks).toBeGreaterThan(0);
  });
});
