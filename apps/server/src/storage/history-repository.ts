/*
 * History's side of the storage contract (repositories.ts): the read side of the timeline and
 * of the series chunks, the hourly seal (rollups merged in, raw points compressed) and
 * retention. Implemented once in sql-history.ts for both engines, checked by
 * history.contract.test.ts against SQLite and a real PostgreSQL.
 *
 * Chunk bytes are the module's (modules/history/series-codec.ts): BLOB on SQLite, BYTEA on
 * PostgreSQL, handed back byte for byte. The recorder's writes (changes, node mirrors, sample
 * appends) go through the agents' batch writer, in the event's own transaction; what it reads
 * (its start state, a mirror again at a hello) comes from here.
 */

/** A stored change, as the timeline lists it (`data` is the JSON text as stored). */
export interface StoredTransition {
  ts: number;
  receivedAt: number;
  node: string;
  agentId: string;
  seq: number;
  type: string;
  summary: string;
  data: string;
}

export interface TransitionFilter {
  cluster: string;
  /** [from, to) by agent time; an unset bound is open. */
  from?: number;
  to?: number;
  node?: string;
  /** Only these types; empty = all. */
  types: readonly string[];
  /** Unset: all of them. */
  limit?: number;
  /** The newest first (ts, agent, seq, part descending) instead of the oldest. */
  newestFirst?: boolean;
}

export interface StoredChunk {
  start: number;
  sealed: boolean;
  data: Buffer;
}

export interface OpenChunk {
  seriesId: number;
  start: number;
  data: Buffer;
}

/** What sealing an open raw chunk stores: its compressed points and the rollups merged in. */
export interface Sealed {
  raw: Buffer;
  rollups: readonly {
    res: number;
    start: number;
    /** The chunk's new bytes from its stored ones (undefined: none yet). */
    merge: (old: Buffer | undefined) => Buffer;
  }[];
}

/** A config push overlapping a timeline range (config_pushes, written by modules/config-push). */
export interface PushActivity {
  id: string;
  createdAt: number;
  finishedAt: number | null;
  author: string;
  message: string;
  status: string;
  summary: string;
  rollbackOf: string | null;
  /** JSON text of the per-host parts. */
  hosts: string;
}

/** A drill overlapping a timeline range, with the few report fields the timeline shows. */
export interface DrillActivity {
  id: string;
  kind: string;
  status: string;
  startedBy: string;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  faultAt: number | null;
  restoreAt: number | null;
  downtimeMs: number | null;
  failedRequests: number | null;
  totalRequests: number | null;
  /** JSON text of the target node names, null when the report has none. */
  targets: string | null;
}

/** What the history recorder holds in memory, read once at start (modules/history/history-recorder.ts). */
export interface RecorderState {
  /** Each known agent's node (its last hello), for a message before this start's hello. */
  nodes: { agentId: string; clusterId: string; node: string }[];
  /** The node state (JSON text) the change deriver last stored, per agent. */
  mirrors: { agentId: string; state: string }[];
  /** The series that have a row. */
  series: { clusterId: string; node: string; metric: string }[];
}

export interface HistoryRepository {
  /** The recorder's start state: agents' nodes, node mirrors, known series. */
  recorderState(): Promise<RecorderState>;
  /** Up to `limit` changes of the filter, by ts, agent, seq, part (or the reverse). */
  transitions(f: TransitionFilter): Promise<StoredTransition[]>;
  /** The node state (JSON text) the change deriver last stored for the agent. */
  nodeState(agentId: string): Promise<string | undefined>;
  seriesId(cluster: string, node: string, metric: string): Promise<number | undefined>;
  /** The series' chunks of `res` starting in [from, to), by start. */
  chunks(seriesId: number, res: number, from: number, to: number): Promise<StoredChunk[]>;
  /**
   * Seals one open raw chunk that starts before `before`: `seal` turns it into the sealed
   * bytes and the rollups to merge, which are read, merged and stored with the sealed chunk
   * in one transaction (serialised across replicas). false when none was open.
   */
  sealNext(before: number, seal: (open: OpenChunk) => Sealed): Promise<boolean>;
  /** Deletes up to `limit` sealed chunks of `res` that start before `before`; how many. */
  pruneChunks(res: number, before: number, limit: number): Promise<number>;
  /** Deletes up to `limit` changes received (server time) before `before`; how many. */
  pruneTransitions(before: number, limit: number): Promise<number>;
  /** Keeps the newest `keep` refused frames of each agent (rejected_events); how many went. */
  trimRejected(keep: number): Promise<number>;
  /** Non-dry-run pushes of the cluster created before `to` and not finished before `from`. */
  pushes(cluster: string, from: number, to: number, limit: number): Promise<PushActivity[]>;
  /** Drills of the cluster started before `to` and not ended before `from`. */
  drills(cluster: string, from: number, to: number, limit: number): Promise<DrillActivity[]>;
}
