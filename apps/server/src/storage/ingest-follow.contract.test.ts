import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { IngestEvent } from './ingest-repository';
import type { Repositories } from './repositories';

/*
 * The reads a replica following another's agents makes (ingest-repository.ts agent,
 * eventsAfter; modules/status/replica-follower.ts) and the agents list's (described), on
 * SQLite and a real PostgreSQL.
 */

const T0 = 1_800_000_000_000;
const event = (seq: number): IngestEvent => ({
  kind: 'event',
  agentId: 'a1',
  seq,
  ts: T0 + seq,
  agentTs: null,
  receivedAt: T0 + seq,
  type: 'vip.change',
  payload: JSON.stringify({ seq }),
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
      ...[1, 2, 3, 5, 8].map(event),
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
