import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { HistoryRepository, Sealed } from './history-repository';

/* The history part of the storage contract (history-repository.ts), on SQLite and a real PostgreSQL. */

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Every byte value, NUL and 0x5c (`\`, BYTEA's escape) included, then a run of zeros. */
const ALL_BYTES = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.alloc(64),
]);

describe.each([sqliteBackend(), postgresBackend()])('history contract on $name', (backend) => {
  let h: HistoryRepository;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    h = (await backend.fresh()).history;
  });

  /** A blob literal in the backend's own syntax (the recorder writes chunks, not the contract). */
  const bytes = (b: Buffer): string =>
    backend.name === 'sqlite' ? `X'${b.toString('hex')}'` : `'\\x${b.toString('hex')}'::bytea`;

  const change = (
    agent: string,
    seq: number,
    part: number,
    ts: number,
    opts: { node?: string; type?: string; receivedAt?: number; cluster?: string } = {},
  ): string =>
    `INSERT INTO history_transitions (cluster_id, node, agent_id, seq, part, ts, received_at, type, summary, data)
     VALUES ('${opts.cluster ?? 'c1'}', '${opts.node ?? 'lb1'}', '${agent}', ${seq}, ${part}, ${ts},
       ${opts.receivedAt ?? T0}, '${opts.type ?? 'vrrp.transition'}', 'lb1 → MASTER', '{"to":"MASTER","n":"ünï"}')`;

  const series = async (metric = 'nginx.rps'): Promise<number> => {
    await backend.exec(
      `INSERT INTO history_series (cluster_id, node, metric) VALUES ('c1', 'lb1', '${metric}')`,
    );
    const id = await h.seriesId('c1', 'lb1', metric);
    if (id === undefined) throw new Error('no series');
    return id;
  };

  const chunk = (id: number, res: number, start: number, sealed: 0 | 1, data: Buffer): string =>
    `INSERT INTO history_chunks (series_id, res, start, sealed, data) VALUES (${id}, ${res}, ${start}, ${sealed}, ${bytes(data)})`;

  it('transitions: [from, to) by agent time, by ts then agent (code units), seq, part; numbers as numbers', async () => {
    for (const sql of [
      change('b', 1, 0, T0 + 0.5),
      change('B', 7, 1, T0 + 0.5),
      change('B', 7, 0, T0 + 0.5),
      change('a', 2, 0, T0),
      change('a', 3, 0, T0 + 1000),
      change('a', 4, 0, T0 - 1),
      change('a', 5, 0, T0 + 10, { cluster: 'c2' }),
    ])
      await backend.exec(sql);
    const rows = await h.transitions({
      cluster: 'c1',
      from: T0,
      to: T0 + 1000,
      types: [],
      limit: 50,
    });
    expect(rows.map((r) => [r.agentId, r.seq])).toEqual([
      ['a', 2],
      ['B', 7],
      ['B', 7],
      ['b', 1],
    ]);
    expect(rows[1]).toEqual({
      ts: T0 + 0.5,
      receivedAt: T0,
      node: 'lb1',
      agentId: 'B',
      seq: 7,
      type: 'vrrp.transition',
      summary: 'lb1 → MASTER',
      data: '{"to":"MASTER","n":"ünï"}',
    });
    const limited = await h.transitions({
      cluster: 'c1',
      from: T0,
      to: T0 + 1001,
      types: [],
      limit: 2,
    });
    expect(limited.map((r) => r.seq)).toEqual([2, 7]);
  });

  it('transitions: node and type filters, alone and together', async () => {
    await backend.exec(change('a', 1, 0, T0, { node: 'lb1', type: 'vrrp.transition' }));
    await backend.exec(change('b', 1, 0, T0 + 1, { node: 'lb2', type: 'vip.change' }));
    await backend.exec(change('b', 2, 0, T0 + 2, { node: 'lb2', type: 'service.health' }));
    const q = { cluster: 'c1', from: T0, to: T0 + 10, limit: 50 };
    const seqs = async (f: { node?: string; types: string[] }) =>
      (await h.transitions({ ...q, ...f })).map((r) => `${r.agentId}${r.seq}`);
    expect(await seqs({ node: 'lb2', types: [] })).toEqual(['b1', 'b2']);
    expect(await seqs({ types: ['vip.change', 'vrrp.transition'] })).toEqual(['a1', 'b1']);
    expect(await seqs({ node: 'lb2', types: ['vrrp.transition', 'service.health'] })).toEqual([
      'b2',
    ]);
    expect(await seqs({ node: 'lb3', types: [] })).toEqual([]);
  });

  it('transitions: open bounds, no limit, newest first; nodeState as stored', async () => {
    await backend.exec(change('a', 1, 0, 5));
    await backend.exec(change('a', 2, 0, T0, { type: 'config.observed' }));
    await backend.exec(change('b', 1, 0, T0, { type: 'config.observed' }));
    await backend.exec(change('a', 3, 0, T0 + 2 * DAY, { type: 'config.observed' }));
    const all = await h.transitions({ cluster: 'c1', types: [] });
    expect(all.map((r) => `${r.agentId}${r.seq}`)).toEqual(['a1', 'a2', 'b1', 'a3']);
    const before = await h.transitions({ cluster: 'c1', to: T0, types: [] });
    expect(before.map((r) => r.seq)).toEqual([1]);
    const newest = await h.transitions({
      cluster: 'c1',
      types: ['config.observed'],
      newestFirst: true,
      limit: 2,
    });
    expect(newest.map((r) => `${r.agentId}${r.seq}`)).toEqual(['a3', 'b1']);
    await backend.exec(
      `INSERT INTO history_node_state (agent_id, state) VALUES ('a', '{"configs":{"nginx":"ab"}}')`,
    );
    expect(await h.nodeState('a')).toBe('{"configs":{"nginx":"ab"}}');
    expect(await h.nodeState('b')).toBeUndefined();
  });

  it('chunks: bytes back byte for byte, start in [from, to), sealed as a boolean; seriesId per key', async () => {
    const id = await series();
    expect(await h.seriesId('c1', 'lb1', 'nginx.active')).toBeUndefined();
    await backend.exec(chunk(id, 0, T0 - HOUR, 1, Buffer.from([1])));
    await backend.exec(chunk(id, 0, T0, 1, ALL_BYTES));
    await backend.exec(chunk(id, 0, T0 + HOUR, 0, Buffer.from([0, 0x5c, 0xff])));
    await backend.exec(chunk(id, 0, T0 + 2 * HOUR, 0, Buffer.from([2])));
    await backend.exec(chunk(id, 1, T0, 1, Buffer.from([3])));
    const got = await h.chunks(id, 0, T0, T0 + 2 * HOUR);
    expect(got.map((c) => [c.start, c.sealed])).toEqual([
      [T0, true],
      [T0 + HOUR, false],
    ]);
    expect(Buffer.isBuffer(got[0]?.data)).toBe(true);
    expect(got[0]?.data.equals(ALL_BYTES)).toBe(true);
    expect([...(got[1]?.data ?? [])]).toEqual([0, 0x5c, 0xff]);
  });

  const concatMerge = (res: number, start: number, add: Buffer): Sealed['rollups'][number] => ({
    res,
    start,
    merge: (old) => Buffer.concat([old ?? Buffer.alloc(0), add]),
  });

  it('sealNext: only open raw chunks starting before the cut, rollups merged into the stored bytes, raw bytes stored as given', async () => {
    const id = await series();
    const day = Math.floor(T0 / DAY) * DAY;
    await backend.exec(chunk(id, 1, day, 1, Buffer.from([0xaa])));
    await backend.exec(chunk(id, 0, day + HOUR, 0, Buffer.from([1, 2, 3])));
    await backend.exec(chunk(id, 0, day + 2 * HOUR, 0, Buffer.from([4])));
    const seen: number[] = [];
    const seal = (o: { start: number; data: Buffer }): Sealed => {
      seen.push(o.start);
      expect([...o.data]).toEqual([1, 2, 3]);
      return {
        raw: ALL_BYTES,
        rollups: [
          concatMerge(1, day, Buffer.from([0xbb])),
          concatMerge(2, day, Buffer.from([0xcc])),
        ],
      };
    };
    // A chunk starting at the cut is not sealed yet.
    expect(await h.sealNext(day + HOUR + 1, seal)).toBe(true);
    expect(await h.sealNext(day + 2 * HOUR, seal)).toBe(false);
    expect(seen).toEqual([day + HOUR]);
    const raw = await h.chunks(id, 0, day, day + DAY);
    expect(raw.map((c) => [c.start, c.sealed])).toEqual([
      [day + HOUR, true],
      [day + 2 * HOUR, false],
    ]);
    expect(raw[0]?.data.equals(ALL_BYTES)).toBe(true);
    expect([...((await h.chunks(id, 1, day, day + 1))[0]?.data ?? [])]).toEqual([0xaa, 0xbb]);
    expect(await h.chunks(id, 2, day, day + 1)).toEqual([
      { start: day, sealed: true, data: Buffer.from([0xcc]) },
    ]);
  });

  it('sealNext: sealers racing seal each chunk once and lose no rollup merge', async () => {
    const id = await series();
    const day = Math.floor(T0 / DAY) * DAY;
    for (let i = 0; i < 4; i++)
      await backend.exec(chunk(id, 0, day + i * HOUR, 0, Buffer.from([i])));
    const seal = (o: { data: Buffer }): Sealed => ({
      raw: Buffer.from([0xf0, ...o.data]),
      rollups: [concatMerge(1, day, o.data)],
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => h.sealNext(day + DAY, seal)));
    // Any order of the four merges, but all four of them.
    expect(results.filter(Boolean)).toHaveLength(4);
    const minute = (await h.chunks(id, 1, day, day + 1))[0]?.data;
    expect([...(minute ?? [])].sort()).toEqual([0, 1, 2, 3]);
    expect(await h.sealNext(day + DAY, seal)).toBe(false);
  });

  it('pruneChunks: sealed chunks of that resolution starting before the cut, at most limit', async () => {
    const id = await series();
    await backend.exec(chunk(id, 0, T0 - 2 * HOUR, 1, Buffer.from([1])));
    await backend.exec(chunk(id, 0, T0 - HOUR, 1, Buffer.from([1])));
    await backend.exec(chunk(id, 0, T0, 1, Buffer.from([1])));
    await backend.exec(chunk(id, 0, T0 - 3 * HOUR, 0, Buffer.from([1])));
    await backend.exec(chunk(id, 1, T0 - DAY, 1, Buffer.from([1])));
    expect(await h.pruneChunks(0, T0, 1)).toBe(1);
    expect(await h.pruneChunks(0, T0, 10)).toBe(1);
    expect(await h.pruneChunks(0, T0, 10)).toBe(0);
    expect((await h.chunks(id, 0, 0, T0 + DAY)).map((c) => c.start)).toEqual([T0 - 3 * HOUR, T0]);
    expect(await h.chunks(id, 1, 0, T0 + DAY)).toHaveLength(1);
  });

  it('pruneTransitions goes by receive time, not agent time, cut exclusive, at most limit', async () => {
    await backend.exec(change('a', 1, 0, T0 + DAY, { receivedAt: T0 - 2 }));
    await backend.exec(change('a', 2, 0, T0 - DAY, { receivedAt: T0 - 1 }));
    await backend.exec(change('a', 3, 0, T0 - DAY, { receivedAt: T0 }));
    expect(await h.pruneTransitions(T0, 1)).toBe(1);
    expect(await h.pruneTransitions(T0, 10)).toBe(1);
    const left = await h.transitions({
      cluster: 'c1',
      from: 0,
      to: T0 + 2 * DAY,
      types: [],
      limit: 9,
    });
    expect(left.map((r) => r.seq)).toEqual([3]);
  });

  it('trimRejected keeps the newest frames of each agent', async () => {
    for (let i = 0; i < 5; i++)
      await backend.exec(
        `INSERT INTO rejected_events (agent_id, seq, received_at, type, reason, excerpt)
         VALUES ('${i < 4 ? 'a' : 'b'}', ${i}, ${T0 + i}, 'x', 'schema', '{}')`,
      );
    expect(await h.trimRejected(2)).toBe(2);
    expect(await h.trimRejected(2)).toBe(0);
  });

  it('pushes and drills overlapping the range, report fields taken out of the JSON', async () => {
    const push = (id: string, created: number, finished: number | null, dry = 0): string =>
      `INSERT INTO config_pushes (id, cluster_id, created_at, finished_at, author, message, dry_run, status, summary, rollback_of, hosts, changes)
       VALUES ('${id}', 'c1', ${created}, ${finished ?? 'NULL'}, 'ops', 'm', ${dry}, 'done', 's', NULL, '[]', '[]')`;
    await backend.exec(push('p-before', T0 - 20, T0 - 1));
    await backend.exec(push('p-edge', T0 - 20, T0));
    await backend.exec(push('p-open', T0 + 5, null));
    await backend.exec(push('p-dry', T0 + 5, T0 + 6, 1));
    await backend.exec(push('p-after', T0 + 100, T0 + 101));
    expect((await h.pushes('c1', T0, T0 + 100, 50)).map((p) => p.id)).toEqual(['p-edge', 'p-open']);
    const drill = (id: string, started: number, ended: number | null, report: string): string =>
      `INSERT INTO drills (id, cluster_id, kind, status, phase, options, report, started_by, started_at, ended_at)
       VALUES ('${id}', 'c1', 'failover', 'passed', 'done', '{}', '${report}', 'ops', ${started}, ${ended ?? 'NULL'})`;
    await backend.exec(
      drill(
        'd1',
        T0,
        T0 + 50,
        '{"faultAt":1.5e12,"downtimeMs":812.5,"failedRequests":3,"totalRequests":200,"targets":["lb1","lb2"],"samples":[1,2]}',
      ),
    );
    await backend.exec(drill('d2', T0 + 10, null, '{"targets":null}'));
    const drills = await h.drills('c1', T0, T0 + 100, 50);
    expect(drills.map((d) => d.id)).toEqual(['d1', 'd2']);
    expect(drills[0]).toMatchObject({
      faultAt: 1.5e12,
      restoreAt: null,
      downtimeMs: 812.5,
      failedRequests: 3,
      totalRequests: 200,
      endedAt: T0 + 50,
    });
    expect(JSON.parse(drills[0]?.targets ?? 'null')).toEqual(['lb1', 'lb2']);
    expect(drills[1]).toMatchObject({ targets: null, faultAt: null, endedAt: null });
  });
});
