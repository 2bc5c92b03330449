import type { Database, Statement } from 'better-sqlite3';
import type { AgentDataMessage, AgentHello } from '@keepwatch/shared';
import type { BatchWriter } from '../../plugins/batch-writer';

const INSERT_EVENT =
  'INSERT OR IGNORE INTO events (agent_id, seq, ts, received_at, type, payload, agent_ts) VALUES (?, ?, ?, ?, ?, ?, ?)';
const INSERT_REJECTED =
  'INSERT INTO rejected_events (agent_id, seq, received_at, type, reason, excerpt) VALUES (?, ?, ?, ?, ?, ?)';
/** How much of a refused frame is kept: enough to see what it was, never a 900 KB junk field. */
export const REJECTED_EXCERPT_CHARS = 2048;
const UPSERT_CLUSTER = `INSERT INTO clusters (id, name, first_seen, last_seen) VALUES (?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`;
const UPSERT_AGENT = `INSERT INTO agents (agent_id, cluster_id, node_name, role, facts, capabilities, first_seen, last_seen)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(agent_id) DO UPDATE SET cluster_id = excluded.cluster_id,
    node_name = excluded.node_name, role = excluded.role, facts = excluded.facts,
    capabilities = excluded.capabilities, last_seen = excluded.last_seen`;
const TOUCH_AGENT = 'UPDATE agents SET last_seen = ? WHERE agent_id = ?';
// Kept beside the insert (same batch, same transaction): events get pruned, the dedupe must not
// forget the highest seq it acknowledged.
const RAISE_SEQ = 'UPDATE agents SET last_seq = MAX(last_seq, ?) WHERE agent_id = ?';

/** Persistence of the agent socket: agent and cluster rows, the event log, the stored seq. */
export class AgentIngest {
  private readonly maxSeq: Statement;
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly writer: BatchWriter,
  ) {
    this.maxSeq = db.prepare(
      `SELECT MAX(COALESCE((SELECT MAX(seq) FROM events WHERE agent_id = ?), 0),
                  COALESCE((SELECT last_seq FROM agents WHERE agent_id = ?), 0)) AS seq`,
    );
  }

  /**
   * Queues the hello's agent and cluster rows on the batch writer (issue 11: a transaction of
   * its own per hello was one fsync per hello in a reconnect storm). The welcome does not wait
   * for them: it reports the stored seq, and they commit before any event of this connection.
   */
  hello(hello: AgentHello, at: number): Promise<void> {
    const { cluster, name, role } = hello.node;
    const cl = this.writer.write(UPSERT_CLUSTER, [cluster.id, cluster.name, at, at]);
    cl.catch(() => undefined); // the agent row below reports the same batch failure
    return this.writer.write(UPSERT_AGENT, [
      hello.agentId,
      cluster.id,
      name,
      role,
      JSON.stringify(hello.facts),
      JSON.stringify(hello.capabilities),
      at,
      at,
    ]);
  }

  /** Whether writes of this agent's messages are still queued (a replaced connection's). */
  hasPending(agentId: string): boolean {
    return (this.pending.get(agentId) ?? 0) > 0;
  }

  private track(agentId: string, p: Promise<void>): Promise<void> {
    this.pending.set(agentId, (this.pending.get(agentId) ?? 0) + 1);
    const done = (): void => {
      const n = (this.pending.get(agentId) ?? 1) - 1;
      if (n > 0) this.pending.set(agentId, n);
      else this.pending.delete(agentId);
    };
    p.then(done, done);
    return p;
  }

  /** Highest durably stored seq for the agent (0 if none); flush pending writes first. */
  storedSeq(agentId: string): number {
    return (this.maxSeq.get(agentId, agentId) as { seq: number | null }).seq ?? 0;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Queues the message; resolves once it is committed. `agentTs`: the agent's own time when
   * `message.ts` was clamped (clock-skew limit), kept beside it.
   */
  store(
    agentId: string,
    message: AgentDataMessage,
    receivedAt: number,
    agentTs: number | null = null,
  ): Promise<void> {
    // One per agent per batch: its seqs only grow (a replaced connection's queue is flushed
    // before the new one takes any), so the last queued is the highest.
    const raised = this.writer.writeLatest(RAISE_SEQ, agentId, [message.seq, agentId]);
    raised.catch(() => undefined); // the insert below reports the same batch failure
    return this.track(
      agentId,
      this.writer.write(INSERT_EVENT, [
        agentId,
        message.seq,
        message.ts,
        receivedAt,
        message.type,
        JSON.stringify(message),
        agentTs,
      ]),
    );
  }

  /**
   * Keeps a frame that broke its schema, with the reason. With a usable `seq` it also takes
   * that position (the ack after it tells the agent not to replay it: it is stored, as rejected).
   */
  reject(
    agentId: string,
    r: { seq: number | null; type: string | null; reason: string; text: string },
    receivedAt: number,
  ): Promise<void> {
    if (r.seq !== null)
      this.writer.writeLatest(RAISE_SEQ, agentId, [r.seq, agentId]).catch(() => undefined);
    return this.track(
      agentId,
      this.writer.write(INSERT_REJECTED, [
        agentId,
        r.seq,
        receivedAt,
        r.type === null ? null : r.type.slice(0, 64),
        r.reason.slice(0, 512),
        r.text.slice(0, REJECTED_EXCERPT_CHARS),
      ]),
    );
  }

  touch(agentId: string, at: number): Promise<void> {
    return this.writer.write(TOUCH_AGENT, [at, agentId]);
  }
}
