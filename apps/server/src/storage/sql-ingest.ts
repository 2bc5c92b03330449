import {
  FOLLOW_READ_AGENTS,
  type AgentFollowedEvent,
  type AlongsideWrite,
  type DescribedAgent,
  type FollowedEvent,
  type IngestCommit,
  type IngestRepository,
  type IngestWrite,
  type IngestRejected,
  type StoredAgent,
} from './ingest-repository';
import { txAll, txRun, type SqlDriver, type SqlValue, type TxBody } from './sql-driver';
import { alongsideRuns, insertRows } from './sql-multi-row';

/*
 * IngestRepository (ingest-repository.ts) once, over either driver, in the SQL both engines
 * run: ON CONFLICT upserts, a guarded UPDATE instead of SQLite's two-argument MAX or
 * PostgreSQL's GREATEST, and the larger of two stored seqs taken here rather than in SQL.
 */

// A batch's hellos go in deduplicated (one row per cluster and per agent, the last hello's
// fields, the first one's time as first_seen), so several rows fit one statement.
const UPSERT_CLUSTER = `INSERT INTO clusters (id, name, first_seen, last_seen) VALUES ($1, $2, $3, $4)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`;
const UPSERT_AGENT = `INSERT INTO agents (agent_id, cluster_id, node_name, role, facts, capabilities, first_seen, last_seen)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (agent_id) DO UPDATE SET cluster_id = excluded.cluster_id,
    node_name = excluded.node_name, role = excluded.role, facts = excluded.facts,
    capabilities = excluded.capabilities, last_seen = excluded.last_seen`;
const INSERT_EVENT = `INSERT INTO events (agent_id, seq, ts, received_at, type, payload, agent_ts)
  VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id, seq) DO NOTHING`;
/*
 * agents.last_seq keeps the highest seq acknowledged where no events row holds it any more:
 * the stored seq is the larger of it and the agent's highest events row. So it is raised for
 * a refused frame that took a seq (rejected_events holds no seq the dedupe reads) and, for
 * events, only in the prune that deletes them, in the prune's own transaction, before the
 * delete (issue 11: one UPDATE per agent per batch was a per-message statement and an agents
 * page rewritten in every commit). An acked event is either still a row or counted here.
 */
const RAISE_SEQ = 'UPDATE agents SET last_seq = $1 WHERE agent_id = $2 AND last_seq < $1';
/** Raises the kept seq of `n` agents ($1…$n) to their highest events row, in one statement. */
const RAISE_EACH_TO_EVENTS = (n: number): string => {
  const max = '(SELECT MAX(e.seq) FROM events e WHERE e.agent_id = agents.agent_id)';
  const ids = Array.from({ length: n }, (_, k) => `$${k + 1}`).join(', ');
  return `UPDATE agents SET last_seq = ${max} WHERE agent_id IN (${ids}) AND last_seq < ${max}`;
};
const INSERT_REJECTED = `INSERT INTO rejected_events (agent_id, seq, received_at, type, reason, excerpt)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const TOUCH = 'UPDATE agents SET last_seen = $1 WHERE agent_id = $2';
const AGENT_COLUMNS = `a.agent_id AS "agentId", a.cluster_id AS "clusterId", c.name AS "clusterName",
    a.node_name AS "nodeName", a.role, a.last_seen AS "lastSeen",
    (SELECT CASE WHEN MAX(e.seq) > a.last_seq THEN MAX(e.seq) ELSE a.last_seq END
      FROM events e WHERE e.agent_id = a.agent_id) AS "lastSeq"`;
const AGENTS_FROM = 'FROM agents a JOIN clusters c ON c.id = a.cluster_id';
const SELECT_AGENT = `SELECT ${AGENT_COLUMNS} ${AGENTS_FROM}`;
const SELECT_DESCRIBED = `SELECT ${AGENT_COLUMNS}, a.facts, a.capabilities ${AGENTS_FROM}`;

function tooMany(n: number, what: string): void {
  if (n > FOLLOW_READ_AGENTS)
    throw new RangeError(`${what}: ${n} agents in one query, over ${FOLLOW_READ_AGENTS}`);
}

interface SortedBatch {
  clusters: SqlValue[][];
  agents: SqlValue[][];
  touches: SqlValue[][];
  events: SqlValue[][];
  rejected: SqlValue[][];
  /** Refused frames that took a seq: the highest per agent, raised once after its rows. */
  raise: Map<string, number>;
}

/*
 * A batch's writes by kind, each kind in arrival order, with the outcome of running them one
 * by one: the last hello of a cluster or agent gives its fields and its first one first_seen
 * (an existing row keeps its own), last_seen is the later of the last hello and a touch after
 * it. Event and refused rows do not depend on the agent rows, so they may follow them.
 */
function sorted(batch: readonly IngestWrite[]): SortedBatch {
  const clusters = new Map<string, SqlValue[]>();
  const agents = new Map<string, SqlValue[]>();
  const touched = new Map<string, number>();
  const out: SortedBatch = {
    clusters: [],
    agents: [],
    touches: [],
    events: [],
    rejected: [],
    raise: new Map(),
  };
  for (const w of batch) {
    if (w.kind === 'event') {
      out.events.push([w.agentId, w.seq, w.ts, w.receivedAt, w.type, w.payload, w.agentTs]);
    } else if (w.kind === 'hello') {
      const c = clusters.get(w.cluster.id);
      clusters.set(w.cluster.id, [w.cluster.id, w.cluster.name, c?.[2] ?? w.at, w.at]);
      const a = agents.get(w.agentId);
      agents.delete(w.agentId);
      agents.set(w.agentId, [
        w.agentId,
        w.cluster.id,
        w.nodeName,
        w.role,
        w.facts,
        w.capabilities,
        a?.[6] ?? w.at,
        w.at,
      ]);
      touched.delete(w.agentId);
    } else if (w.kind === 'rejected') {
      if (w.seq !== null && w.seq > (out.raise.get(w.agentId) ?? 0))
        out.raise.set(w.agentId, w.seq);
      out.rejected.push([w.agentId, w.seq, w.receivedAt, w.type, w.reason, w.excerpt]);
    } else {
      touched.set(w.agentId, w.at);
    }
  }
  out.clusters = [...clusters.values()];
  out.agents = [...agents.values()];
  out.touches = [...touched].map(([agentId, at]) => [at, agentId]);
  return out;
}

export class SqlIngest implements IngestRepository {
  constructor(private readonly q: SqlDriver) {}

  commit(
    batch: readonly IngestWrite[],
    alongside: readonly AlongsideWrite[] = [],
  ): Promise<IngestCommit> {
    const w = sorted(batch);
    return this.q.transaction(function* (): TxBody<IngestCommit> {
      // Clusters before the agents that reference them, both before a touch of the agent.
      yield* insertRows(UPSERT_CLUSTER, w.clusters, { uniqueKeys: true });
      yield* insertRows(UPSERT_AGENT, w.agents, { uniqueKeys: true });
      for (const t of w.touches) yield txRun(TOUCH, t);
      const stored = yield* insertRows(INSERT_EVENT, w.events);
      yield* insertRows(INSERT_REJECTED, w.rejected);
      for (const [agentId, seq] of w.raise) yield txRun(RAISE_SEQ, [seq, agentId]);
      // Bytes pass through both drivers as they are (better-sqlite3 BLOB, pg bytea).
      for (const run of alongsideRuns(alongside))
        yield* insertRows(run.sql, run.rows, { uniqueKeys: run.uniqueKeys });
      return { stored, duplicates: w.events.length - stored };
    });
  }

  async storedSeq(agentId: string): Promise<number> {
    // One read per hello (the welcome's "stored up to"), not two.
    const row = await this.q.get<{ ev: number | null; ag: number | null }>(
      `SELECT (SELECT MAX(seq) FROM events WHERE agent_id = $1) AS ev,
         (SELECT last_seq FROM agents WHERE agent_id = $1) AS ag`,
      [agentId],
    );
    return Math.max(Number(row?.ev ?? 0), Number(row?.ag ?? 0));
  }

  agents(): Promise<StoredAgent[]> {
    return this.q.all<StoredAgent>(`${SELECT_AGENT} ORDER BY a.last_seen, a.agent_id`);
  }

  described(): Promise<DescribedAgent[]> {
    return this.q.all<DescribedAgent>(SELECT_DESCRIBED);
  }

  agent(agentId: string): Promise<DescribedAgent | undefined> {
    return this.q.get<DescribedAgent>(`${SELECT_DESCRIBED} WHERE a.agent_id = $1`, [agentId]);
  }

  async eventsAfter(agentId: string, afterSeq: number, limit: number): Promise<FollowedEvent[]> {
    const rows = await this.q.all<FollowedEvent>(
      `SELECT seq, payload, received_at AS "receivedAt" FROM events
       WHERE agent_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [agentId, afterSeq, limit],
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async eventsAfterEach(
    after: readonly { agentId: string; afterSeq: number }[],
    limit: number,
  ): Promise<AgentFollowedEvent[]> {
    if (after.length === 0) return [];
    tooMany(after.length, 'eventsAfterEach');
    // One (agent_id = $n AND seq > $m) per agent: both engines walk the (agent_id, seq) key
    // once per agent; the window keeps each agent's first `limit` rows.
    const params: SqlValue[] = [limit];
    const terms = after.map(({ agentId, afterSeq }) => {
      params.push(agentId, afterSeq);
      return `(agent_id = $${params.length - 1} AND seq > $${params.length})`;
    });
    const rows = await this.q.all<AgentFollowedEvent>(
      `SELECT "agentId", seq, payload, "receivedAt" FROM (
         SELECT agent_id AS "agentId", seq, payload, received_at AS "receivedAt",
           ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY seq) AS n
         FROM events WHERE ${terms.join(' OR ')}) t
       WHERE n <= $1 ORDER BY "agentId", seq`,
      params,
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async agentsNamed(ids: readonly string[]): Promise<DescribedAgent[]> {
    if (ids.length === 0) return [];
    tooMany(ids.length, 'agentsNamed');
    const marks = ids.map((_, i) => `$${i + 1}`).join(', ');
    return this.q.all<DescribedAgent>(`${SELECT_DESCRIBED} WHERE a.agent_id IN (${marks})`, [
      ...ids,
    ]);
  }

  async sinceLastSnapshot(agentId: string): Promise<{ payload: string; receivedAt: number }[]> {
    const last = await this.q.get<{ seq: number | null }>(
      "SELECT MAX(seq) AS seq FROM events WHERE agent_id = $1 AND type = 'snapshot'",
      [agentId],
    );
    return this.q.all(
      'SELECT payload, received_at AS "receivedAt" FROM events WHERE agent_id = $1 AND seq >= $2 ORDER BY seq',
      [agentId, Number(last?.seq ?? 0)],
    );
  }

  pruneEvents(before: number, actionResults: boolean, limit: number): Promise<number> {
    const kind = actionResults ? "type = 'action.result'" : "type <> 'action.result'";
    return this.q.transaction(function* (): TxBody<number> {
      const victims = (yield txAll(
        `SELECT agent_id AS "agentId", seq FROM events
         WHERE received_at < $1 AND ${kind} ORDER BY received_at LIMIT $2`,
        [before, limit],
      )) as { agentId: string; seq: number }[];
      if (victims.length === 0) return 0;
      const byAgent = new Map<string, number[]>();
      for (const v of victims) byAgent.set(v.agentId, [...(byAgent.get(v.agentId) ?? []), v.seq]);
      const agents = [...byAgent.keys()];
      // The stored seq must outlive the rows (see RAISE_SEQ): counted before they go.
      yield txRun(RAISE_EACH_TO_EVENTS(agents.length), agents);
      const params: SqlValue[] = [];
      const terms = [...byAgent].map(([agentId, seqs]) => {
        params.push(agentId, ...seqs);
        const at = params.length - seqs.length;
        return `(agent_id = $${at} AND seq IN (${seqs.map((_, k) => `$${at + 1 + k}`).join(', ')}))`;
      });
      return (yield txRun(`DELETE FROM events WHERE ${terms.join(' OR ')}`, params)) as number;
    });
  }

  pruneRejected(before: number, limit: number): Promise<number> {
    return this.q.run(
      `DELETE FROM rejected_events WHERE id IN
        (SELECT id FROM rejected_events WHERE received_at < $1 ORDER BY id LIMIT $2)`,
      [before, limit],
    );
  }

  rejected(agentId: string, limit: number): Promise<Omit<IngestRejected, 'kind'>[]> {
    return this.q.all(
      `SELECT agent_id AS "agentId", seq, received_at AS "receivedAt", type, reason, excerpt
       FROM rejected_events WHERE agent_id = $1 ORDER BY id DESC LIMIT $2`,
      [agentId, limit],
    );
  }
}
