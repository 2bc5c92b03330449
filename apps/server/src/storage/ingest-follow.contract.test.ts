import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import { FOLLOW_READ_AGENTS, type IngestEvent, type IngestHello } from './ingest-repository';
import type { Repositories } from './repositories';

/*
 * The reads a replica following another's agents makes (ingest-repository.ts agent,
 * eventsAfter; modules/status/replica-follower.ts) and the agents list's (described), on
 * SQLite and a real PostgreSQL.
 */

const T0 = 1_800_000_000_000;
const event = (seq: number, agentId = 'a1'): IngestEvent => ({
  kind: 'event',
  agentId,
  seq,
  ts: T0 + seq,
  agentTs: null,
  receivedAt: T0 + seq,
  type: 'vip.change',
  payload: JSON.stringify({ seq }),
});

const hello = (agentId: string): IngestHello => ({
  kind: 'hello',
  agentId,
  cluster: { id: 'c1', name: '集群一' },
  nodeName: agentId,
  role: 'lb',
  facts: '{}',
  capabilities: '{"control":[]}',
  at: T0,
});

describe.each([sqliteBackend(), postgresBackend()])('ingest follow reads on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
    await r.ingest.commit([
      {
        kind: 'hello',
        agentId: 'a1',
        cluster: { id: 'c1', name: '集群一' },
        nodeName: 'lb1',
        role: 'lb',
        facts: '{"hostname":"lb1.example"}',
        capabilities: '{"control":[]}',
        at: T0,
      },
      ...[1, 2, 3, 5, 8].map((s) => event(s)),
    ]);
  });

  it('agent: one agent as described() lists it; undefined for one never seen', async () => {
    expect(await r.ingest.agent('a1')).toEqual({
      agentId: 'a1',
      clusterId: 'c1',
      clusterName: '集群一',
      nodeName: 'lb1',
      role: 'lb',
      lastSeen: T0,
      lastSeq: 8,
      facts: '{"hostname":"lb1.example"}',
      capabilities: '{"control":[]}',
    });
    expect(await r.ingest.agent('nobody')).toBeUndefined();
  });

  it('eventsAfter: strictly after the seq, in seq order, at most the limit, numbers as numbers', async () => {
    expect(await r.ingest.eventsAfter('a1', 2, 2)).toEqual([
      { seq: 3, payload: '{"seq":3}', receivedAt: T0 + 3 },
      { seq: 5, payload: '{"seq":5}', receivedAt: T0 + 5 },
    ]);
    expect((await r.ingest.eventsAfter('a1', 5, 10)).map((e) => e.seq)).toEqual([8]);
    expect(await r.ingest.eventsAfter('a1', 8, 10)).toEqual([]);
    expect(await r.ingest.eventsAfter('other', 0, 10)).toEqual([]);
  });

  it('eventsAfterEach: each agent after its own seq, at most the limit each, by agent then seq', async () => {
    await r.ingest.commit([hello('a2'), hello('a3'), ...[1, 2, 3, 4].map((s) => event(s, 'a2'))]);
    const rows = await r.ingest.eventsAfterEach(
      [
        { agentId: 'a2', afterSeq: 1 },
        { agentId: 'a1', afterSeq: 3 },
        { agentId: 'a3', afterSeq: 0 },
        { agentId: 'nobody', afterSeq: 0 },
      ],
      2,
    );
    expect(rows.map((e) => [e.agentId, e.seq])).toEqual([
      ['a1', 5],
      ['a1', 8],
      ['a2', 2],
      ['a2', 3],
    ]);
    expect(rows[0]).toEqual({ agentId: 'a1', seq: 5, payload: '{"seq":5}', receivedAt: T0 + 5 });
    expect(await r.ingest.eventsAfterEach([], 10)).toEqual([]);
  });

  it(`eventsAfterEach and agentsNamed: ${FOLLOW_READ_AGENTS} agents in one query, more refused`, async () => {
    const ids = Array.from({ length: FOLLOW_READ_AGENTS }, (_, i) => `b${i}`);
    await r.ingest.commit([...ids.map(hello), ...ids.map((id) => event(7, id))]);
    const rows = await r.ingest.eventsAfterEach(
      ids.map((agentId) => ({ agentId, afterSeq: 0 })),
      10,
    );
    expect(rows).toHaveLength(FOLLOW_READ_AGENTS);
    expect((await r.ingest.agentsNamed(ids)).map((a) => a.agentId).sort()).toEqual([...ids].sort());
    await expect(r.ingest.agentsNamed([...ids, 'one-more'])).rejects.toThrow(/over 200/);
    await expect(
      r.ingest.eventsAfterEach(
        [...ids, 'x'].map((agentId) => ({ agentId, afterSeq: 0 })),
        1,
      ),
    ).rejects.toThrow(/over 200/);
  });

  it('agentsNamed: the agents among the ids that said hello, as agent() gives them', async () => {
    await r.ingest.commit([hello('a2')]);
    const named = await r.ingest.agentsNamed(['a2', 'nobody', 'a1']);
    expect(named.map((a) => a.agentId).sort()).toEqual(['a1', 'a2']);
    expect(named.find((a) => a.agentId === 'a1')).toEqual(await r.ingest.agent('a1'));
    expect(await r.ingest.agentsNamed([])).toEqual([]);
  });

  it('described: each agent with its hello facts and capabilities as received', async () => {
    expect(await r.ingest.described()).toEqual([
      {
        agentId: 'a1',
        clusterId: 'c1',
        clusterName: '集群一',
        nodeName: 'lb1',
        role: 'lb',
        lastSeen: T0,
        lastSeq: 8,
        facts: '{"hostname":"lb1.example"}',
        capabilities: '{"control":[]}',
      },
    ]);
  });
});
