import type { AgentDataMessage, AgentHello } from '@keepwatch/shared';
import type { BatchWriter } from '../../plugins/batch-writer';
import type { IngestRepository } from '../../storage/ingest-repository';

/** How much of a refused frame is kept: enough to see what it was, never a 900 KB junk field. */
export const REJECTED_EXCERPT_CHARS = 2048;

/**
 * Persistence of the agent socket: agent and cluster rows, the event log, refused frames and
 * last-seen stamps, queued on the batch writer, which commits them through the ingest
 * repository (storage/ingest-repository.ts: dedupe by (agent, seq), one transaction per batch).
 */
export class AgentIngest {
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly repo: Pick<IngestRepository, 'storedSeq'>,
    private readonly writer: BatchWriter,
    /** Told once a data message is committed (agent-socket-plugin.ts `committed`). */
    private readonly onStored?: (agentId: string, seq: number) => void,
  ) {}

  /**
   * Queues the hello's agent and cluster rows on the batch writer (issue 11: a transaction of
   * its own per hello was one fsync per hello in a reconnect storm). The welcome does not wait
   * for them: it reports the stored seq, and they commit before any event of this connection.
   */
  hello(hello: AgentHello, at: number): Promise<void> {
    const { cluster, name, role } = hello.node;
    return this.writer.ingest({
      kind: 'hello',
      agentId: hello.agentId,
      cluster: { id: cluster.id, name: cluster.name },
      nodeName: name,
      role,
      facts: JSON.stringify(hello.facts),
      capabilities: JSON.stringify(hello.capabilities),
      at,
    });
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
  storedSeq(agentId: string): Promise<number> {
    return this.repo.storedSeq(agentId);
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
    const stored = this.writer.ingest({
      kind: 'event',
      agentId,
      seq: message.seq,
      ts: message.ts,
      agentTs,
      receivedAt,
      type: message.type,
      payload: JSON.stringify(message),
    });
    const told = this.onStored;
    if (told)
      stored.then(
        () => told(agentId, message.seq),
        () => undefined,
      );
    return this.track(agentId, stored);
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
    return this.track(
      agentId,
      this.writer.ingest({
        kind: 'rejected',
        agentId,
        seq: r.seq,
        receivedAt,
        type: r.type === null ? null : r.type.slice(0, 64),
        reason: r.reason.slice(0, 512),
        excerpt: r.text.slice(0, REJECTED_EXCERPT_CHARS),
      }),
    );
  }

  touch(agentId: string, at: number): Promise<void> {
    return this.writer.ingest({ kind: 'touch', agentId, at });
  }
}
