import type { IngestEvent, IngestHello } from '../storage/ingest-repository';

/* The agent socket's typed writes (storage/ingest-repository.ts) for tests of the store. */

/** A hello of `agentId`, node `lb1` of cluster `c1` unless told. */
export const helloWrite = (
  agentId: string,
  o: { cluster?: string; nodeName?: string; at?: number } = {},
): IngestHello => {
  const cluster = o.cluster ?? 'c1';
  return {
    kind: 'hello',
    agentId,
    cluster: { id: cluster, name: cluster.toUpperCase() },
    nodeName: o.nodeName ?? 'lb1',
    role: 'lb',
    facts: '{}',
    capabilities: '{}',
    at: o.at ?? 1,
  };
};

/** A data event of `agentId` with `seq`, received at `at` (1 unless told). */
export const eventWrite = (
  agentId: string,
  seq: number,
  o: { type?: string; at?: number } = {},
): IngestEvent => ({
  kind: 'event',
  agentId,
  seq,
  ts: o.at ?? 1,
  agentTs: null,
  receivedAt: o.at ?? 1,
  type: o.type ?? 'vip.change',
  payload: '{}',
});
