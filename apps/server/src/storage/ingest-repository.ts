/*
 * The agents' side of the storage contract (repositories.ts): what the agent socket writes
 * (agent and cluster rows, the (agent, seq) event log, refused frames, last-seen stamps) and
 * what a starting server reads back (the stored seq per agent, each agent's events from its
 * last snapshot on), with retention. Implemented once in sql-ingest.ts for both engines,
 * checked by ingest.contract.test.ts against SQLite and a real PostgreSQL.
 *
 * Writes come as batches, one transaction each (one fsync per batch on SQLite, one round of
 * statements between BEGIN and COMMIT on PostgreSQL): ack-after-commit stays the only rule.
 */

export interface IngestHello {
  kind: 'hello';
  agentId: string;
  cluster: { id: string; name: string };
  nodeName: string;
  role: string;
  /** JSON text, as received. */
  facts: string;
  capabilities: string;
  at: number;
}

export interface IngestEvent {
  kind: 'event';
  agentId: string;
  seq: number;
  /** The message's time (clamped to the skew limits) and the agent's own when it was. */
  ts: number;
  agentTs: number | null;
  receivedAt: number;
  type: string;
  /** The whole message as JSON text. */
  payload: string;
}

/** A frame that broke its schema; with a usable seq it takes that position. */
export interface IngestRejected {
  kind: 'rejected';
  agentId: string;
  seq: number | null;
  receivedAt: number;
  type: string | null;
  reason: string;
  excerpt: string;
}

export interface IngestTouch {
  kind: 'touch';
  agentId: string;
  at: number;
}

export type IngestWrite = IngestHello | IngestEvent | IngestRejected | IngestTouch;

/**
 * A write of another module that must commit in the batch's own transaction: the rows history
 * derives from these events (modules/agents SPEC.md IH-2: the ack covers them too). SQL with
 * `$1…$n` parameters (storage/sql-driver.ts), run as given on the engine at hand: its author
 * writes it for both (modules/history/history-writes.ts). Bytes as a Buffer.
 *
 * They commit grouped, so that rows of one text go in few statements (sql-multi-row.ts):
 * every write of a lower `stage` (default 1) first; within a stage, each text's writes in
 * their order, the texts in the order of their first writes. Writes of one stage must not
 * depend on each other's order across texts: a row another needs goes in an earlier stage
 * (history's series row before its chunks). `uniqueKeys`: no other write of this text in the
 * batch hits the same conflict key (the batch writer's writeLatest), so an updating upsert
 * may be merged too.
 */
export interface AlongsideWrite {
  sql: string;
  params: readonly (string | number | null | Uint8Array)[];
  stage?: number;
  uniqueKeys?: boolean;
}

export interface IngestCommit {
  /** Events stored by this batch; an (agent, seq) already stored is not stored again. */
  stored: number;
  duplicates: number;
}

/** An agent with what its last hello said of itself: the agents list. */
export interface DescribedAgent extends StoredAgent {
  facts: string;
  capabilities: string;
}

/** A stored event as a follower applies it. */
export interface FollowedEvent {
  seq: number;
  payload: string;
  receivedAt: number;
}

/** A followed event with the agent it belongs to (eventsAfterEach). */
export interface AgentFollowedEvent extends FollowedEvent {
  agentId: string;
}

/** Read at most this many agents in one eventsAfterEach or agentsNamed query. */
export const FOLLOW_READ_AGENTS = 200;

/** An agent as the last hello left it, with its cluster's name. */
export interface StoredAgent {
  agentId: string;
  clusterId: string;
  clusterName: string;
  nodeName: string;
  role: string;
  lastSeen: number;
  /** Its stored seq, as storedSeq gives it: the highest events row or the kept seq past prunes. */
  lastSeq: number;
}

export interface IngestRepository {
  /**
   * The writes in order, then `alongside` in order, in one transaction: all stored, or none
   * (the error is thrown). An event counts in its agent's stored seq as a row; a refused
   * frame that took a seq raises the agent's kept seq (agents.last_seq) once per batch.
   */
  commit(
    batch: readonly IngestWrite[],
    alongside?: readonly AlongsideWrite[],
  ): Promise<IngestCommit>;
  /** The highest seq stored for the agent (kept when its events are pruned); 0 if none. */
  storedSeq(agentId: string): Promise<number>;
  /** Every agent, least recently seen first (the order a restore replays them). */
  agents(): Promise<StoredAgent[]>;
  /** Every agent with its last hello's facts and capabilities (JSON text, as received). */
  described(): Promise<DescribedAgent[]>;
  /** One agent as described() lists it; undefined if it never said hello. */
  agent(agentId: string): Promise<DescribedAgent | undefined>;
  /**
   * Up to `limit` of the agent's events after `afterSeq`, in seq order: what a replica
   * following another's agents has not applied yet (modules/status/replica-follower.ts).
   */
  eventsAfter(agentId: string, afterSeq: number, limit: number): Promise<FollowedEvent[]>;
  /**
   * eventsAfter for several agents in one query (at most FOLLOW_READ_AGENTS): up to `limit`
   * events of each after its seq, ordered by agent, then seq. A follower catching up on a
   * batch of notices reads them so, not one query per agent.
   */
  eventsAfterEach(
    after: readonly { agentId: string; afterSeq: number }[],
    limit: number,
  ): Promise<AgentFollowedEvent[]>;
  /** The agents among `ids` (at most FOLLOW_READ_AGENTS) that said hello, as agent() gives them. */
  agentsNamed(ids: readonly string[]): Promise<DescribedAgent[]>;
  /** The agent's events from its last snapshot on, in seq order (all of them if none). */
  sinceLastSnapshot(agentId: string): Promise<{ payload: string; receivedAt: number }[]>;
  /**
   * Deletes up to `limit` events received before `before`, the oldest first, of any agents:
   * action results (`actionResults`) or everything else. How many went. Each agent's stored
   * seq stays what it was (the kept seq of every agent losing rows is raised to its highest
   * event first, in the same transaction).
   */
  pruneEvents(before: number, actionResults: boolean, limit: number): Promise<number>;
  /** Deletes up to `limit` refused frames received before `before`; how many went. */
  pruneRejected(before: number, limit: number): Promise<number>;
  /** The agent's refused frames, newest first. */
  rejected(agentId: string, limit: number): Promise<Omit<IngestRejected, 'kind'>[]>;
}
