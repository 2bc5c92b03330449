import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { IngestEvent, IngestHello, IngestRejected } from './ingest-repository';
import type { Repositories } from './repositories';

/*
 * The ingest part of the storage contract (ingest-repository.ts), one suite on SQLite and on
 * a real PostgreSQL: what the agent socket writes and what a restarting server reads back.
 */

const T0 = 1_800_000_000_000;

const hello = (agentId: string, nodeName: string, at = T0, cluster = 'c1'): IngestHello => ({
  kind: 'hello',
  agentId,
  cluster: { id: cluster, name: `Cluster ${cluster}` },
  nodeName,
  role: 'lb',
  facts: '{"hostname":"h"}',
  capabilities: '{"control":[]}',
  at,
});

const event = (
  agentId: string,
  seq: number,
  type = 'vip.change',
  receivedAt = T0,
): IngestEvent => ({
  kind: 'event',
  agentId,
  seq,
  ts: receivedAt + 0.25,
  agentTs: null,
  receivedAt,
  type,
  payload: JSON.stringify({ type, seq }),
});

const rejected = (agentId: string, seq: number | null, receivedAt = T0): IngestRejected => ({
  kind: 'rejected',
  agentId,
  seq,
  receivedAt,
  type: 'vip.change',
  reason: '/address: must match format "ipv4"',
  excerpt: '{"type":"vip.change","address":"x"}',
});

describe.each([sqliteBackend(), postgresBackend()])('ingest contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('stores a batch once: a replayed (agent, seq) is a duplicate, not a second row', async () => {
    const first = await r.ingest.commit([hello('a1', 'lb1'), event('a1', 1), event('a1', 2)]);
    expect(first).toEqual({ stored: 2, duplicates: 0 });
    // The agent reconnects and replays what it had not seen acked, then goes on.
    const replay = await r.ingest.commit([event('a1', 2), event('a1', 3)]);
    expect(replay).toEqual({ stored: 1, duplicates: 1 });
    expect(await r.ingest.storedSeq('a1')).toBe(3);
    expect(
      (await r.ingest.sinceLastSnapshot('a1')).map((e) => JSON.parse(e.payload) as unknown),
    ).toEqual([
      { type: 'vip.change', seq: 1 },
      { type: 'vip.change', seq: 2 },
      { type: 'vip.change', seq: 3 },
    ]);
  });

  it('a batch is all or nothing: a failing write takes the events before it with it', async () => {
    await r.ingest.commit([hello('a1', 'lb1')]);
    const broken = {
      ...hello('a2', 'lb2'),
      cluster: { id: 'c2', name: null as unknown as string },
    };
    await expect(r.ingest.commit([event('a1', 1), broken])).rejects.toThrow();
    expect(await r.ingest.storedSeq('a1')).toBe(0);
    expect(await r.ingest.sinceLastSnapshot('a1')).toEqual([]);
    expect((await r.ingest.agents()).map((a) => a.agentId)).toEqual(['a1']);
  });

  it("writes alongside (history's derived rows) share the batch's transaction", async () => {
    const mirror = (state: string | null) => ({
      sql: 'INSERT INTO history_node_state (agent_id, state) VALUES ($1, $2)',
      params: ['a1', state],
    });
    await r.ingest.commit([hello('a1', 'lb1'), event('a1', 1)], [mirror('{}')]);
    expect(await r.ingest.storedSeq('a1')).toBe(1);
    // The row above is stored: inserting it again fails, and takes the batch's event with it.
    await expect(r.ingest.commit([event('a1', 2)], [mirror('{}')])).rejects.toThrow();
    // So does a row that breaks its own table.
    await expect(r.ingest.commit([event('a1', 3)], [mirror(null)])).rejects.toThrow();
    expect(await r.ingest.storedSeq('a1')).toBe(1);
    expect(await r.ingest.sinceLastSnapshot('a1')).toHaveLength(1);
  });

  it('the stored seq outlives pruned events, and only ever grows', async () => {
    await r.ingest.commit([hello('a1', 'lb1'), event('a1', 7), event('a1', 5)]);
    expect(await r.ingest.storedSeq('a1')).toBe(7);
    // Events count as rows (no seq raise per batch): the agents list reads them too.
    expect((await r.ingest.agents())[0]?.lastSeq).toBe(7);
    expect(await r.ingest.pruneEvents(T0 + 1, false, 100)).toBe(2);
    expect(await r.ingest.sinceLastSnapshot('a1')).toEqual([]);
    expect(await r.ingest.storedSeq('a1')).toBe(7);
    expect((await r.ingest.agents())[0]?.lastSeq).toBe(7);
    expect(await r.ingest.storedSeq('nobody')).toBe(0);
  });

  it('retention prunes the oldest events of every agent in one pass, each stored seq kept', async () => {
    await r.ingest.commit([
      hello('a1', 'lb1'),
      hello('a2', 'lb2'),
      event('a1', 1, 'vip.change', T0),
      event('a2', 1, 'vip.change', T0 + 1),
      event('a1', 2, 'vip.change', T0 + 2),
      event('a2', 2, 'vip.change', T0 + 3),
      event('a1', 3, 'vip.change', T0 + 20),
    ]);
    // Limit 3 of 4 old rows: the three oldest, across both agents.
    expect(await r.ingest.pruneEvents(T0 + 10, false, 3)).toBe(3);
    const seqs = async (a: string) =>
      (await r.ingest.sinceLastSnapshot(a)).map(
        (e) => (JSON.parse(e.payload) as { seq: number }).seq,
      );
    expect(await seqs('a1')).toEqual([3]);
    expect(await seqs('a2')).toEqual([2]);
    expect(await r.ingest.pruneEvents(T0 + 10, false, 3)).toBe(1);
    expect(await r.ingest.pruneEvents(T0 + 10, false, 3)).toBe(0);
    // a2 has no events row left: its stored seq lives on in the agent row.
    expect(await seqs('a2')).toEqual([]);
    expect(await r.ingest.storedSeq('a2')).toBe(2);
    expect(await r.ingest.storedSeq('a1')).toBe(3);
    const listed = await r.ingest.agents();
    expect(listed.map((a) => [a.agentId, a.lastSeq])).toEqual([
      ['a1', 3],
      ['a2', 2],
    ]);
  });

  it('seqs up to Number.MAX_SAFE_INTEGER and fractional times come back exactly, as numbers', async () => {
    const big = { ...event('a1', Number.MAX_SAFE_INTEGER), ts: T0 + 0.125, agentTs: T0 - 0.5 };
    await r.ingest.commit([hello('a1', 'lb1'), big]);
    expect(await r.ingest.storedSeq('a1')).toBe(Number.MAX_SAFE_INTEGER);
    const [agent] = await r.ingest.agents();
    expect(agent?.lastSeq).toBe(Number.MAX_SAFE_INTEGER);
    expect(typeof agent?.lastSeen).toBe('number');
  });

  it('restore reads each agent from its last snapshot on, in seq order', async () => {
    await r.ingest.commit([
      hello('a1', 'lb1'),
      event('a1', 1, 'snapshot'),
      event('a1', 2),
      event('a1', 4),
      event('a1', 3, 'snapshot'),
    ]);
    const from = await r.ingest.sinceLastSnapshot('a1');
    expect(from.map((e) => (JSON.parse(e.payload) as { seq: number }).seq)).toEqual([3, 4]);
    expect(from[0]?.receivedAt).toBe(T0);
  });

  it('agents: the last hello wins, touches move last-seen, least recently seen first', async () => {
    await r.ingest.commit([hello('a1', 'lb1', T0), hello('a2', 'lb2', T0 + 1)]);
    await r.ingest.commit([
      hello('a1', 'lb1-renamed', T0 + 2, 'c2'),
      { kind: 'touch', agentId: 'a2', at: T0 + 5 },
    ]);
    expect(await r.ingest.agents()).toEqual([
      {
        agentId: 'a1',
        clusterId: 'c2',
        clusterName: 'Cluster c2',
        nodeName: 'lb1-renamed',
        role: 'lb',
        lastSeen: T0 + 2,
        lastSeq: 0,
      },
      {
        agentId: 'a2',
        clusterId: 'c1',
        clusterName: 'Cluster c1',
        nodeName: 'lb2',
        role: 'lb',
        lastSeen: T0 + 5,
        lastSeq: 0,
      },
    ]);
  });

  it("one batch's hellos and touches end as they would one by one", async () => {
    const touch = (agentId: string, at: number) => ({ kind: 'touch' as const, agentId, at });
    await r.ingest.commit([
      touch('a1', T0 + 9), // no row yet: nothing to touch
      hello('a1', 'lb1', T0),
      hello('a2', 'lb2', T0 + 1, 'c2'),
      touch('a2', T0 + 3),
      hello('a1', 'lb1-second', T0 + 2),
    ]);
    // A touch before a hello of the batch is overwritten by it.
    await r.ingest.commit([touch('a2', T0 + 20), hello('a2', 'lb2', T0 + 10, 'c2')]);
    const seen = (await r.ingest.agents()).map((a) => [a.agentId, a.nodeName, a.lastSeen]);
    expect(seen).toEqual([
      ['a1', 'lb1-second', T0 + 2],
      ['a2', 'lb2', T0 + 10],
    ]);
  });

  it('a connect storm: hundreds of hellos and events of one batch all stored', async () => {
    const writes = Array.from({ length: 250 }, (_, i) => [
      hello(`a${i}`, `lb${i}`, T0 + i, `c${i % 3}`),
      event(`a${i}`, 1, 'snapshot'),
    ]).flat();
    expect(await r.ingest.commit(writes)).toEqual({ stored: 250, duplicates: 0 });
    const agents = await r.ingest.agents();
    expect(agents).toHaveLength(250);
    expect(agents[249]).toMatchObject({ agentId: 'a249', clusterName: 'Cluster c0', lastSeq: 1 });
  });

  it('a refused frame with a seq takes its position; one without does not', async () => {
    await r.ingest.commit([hello('a1', 'lb1'), event('a1', 1), rejected('a1', 2)]);
    expect(await r.ingest.storedSeq('a1')).toBe(2);
    await r.ingest.commit([rejected('a1', null, T0 + 1)]);
    expect(await r.ingest.storedSeq('a1')).toBe(2);
    const kept = await r.ingest.rejected('a1', 10);
    expect(kept.map((k) => k.seq)).toEqual([null, 2]);
    expect(kept[1]).toMatchObject({
      reason: '/address: must match format "ipv4"',
      type: 'vip.change',
    });
  });

  it('retention: only what was received before the cutoff, of the kind asked, at most the limit', async () => {
    await r.ingest.commit([
      hello('a1', 'lb1'),
      event('a1', 1, 'vip.change', T0),
      event('a1', 2, 'action.result', T0),
      event('a1', 3, 'vip.change', T0),
      event('a1', 4, 'vip.change', T0 + 10),
      rejected('a1', null, T0),
      rejected('a1', null, T0 + 10),
    ]);
    expect(await r.ingest.pruneEvents(T0 + 5, false, 1)).toBe(1);
    expect(await r.ingest.pruneEvents(T0 + 5, false, 10)).toBe(1);
    const left = async () =>
      (await r.ingest.sinceLastSnapshot('a1')).map(
        (e) => (JSON.parse(e.payload) as { seq: number }).seq,
      );
    expect(await left()).toEqual([2, 4]);
    expect(await r.ingest.pruneEvents(T0 + 5, true, 10)).toBe(1);
    expect(await left()).toEqual([4]);
    expect(await r.ingest.pruneRejected(T0 + 5, 10)).toBe(1);
    expect(await r.ingest.rejected('a1', 10)).toHaveLength(1);
  });
});
