import type { IngestWrite } from '../storage/ingest-repository';

/**
 * A write refused because an earlier write of the same agent connection failed to commit
 * (batch-writer.ts). Its seq is not stored, so the agent's next welcome reports the seq
 * before the failed one and the agent replays from there (modules/agents SPEC.md IH-5).
 */
export class EarlierWriteFailed extends Error {
  constructor(agentId: string, cause: unknown) {
    super(
      `not stored: an earlier write of agent ${agentId}'s connection failed to commit (${
        cause instanceof Error ? cause.message : String(cause)
      }); the agent replays it after reconnecting`,
    );
    this.name = 'EarlierWriteFailed';
  }
}

/**
 * Which agent connections had a write fail, so that none of their later writes commits. An
 * agent's writes are numbered by connection: each hello starts the next (the writer sees
 * every write in the order queued). When a batch fails, every connection with a write in it
 * is marked; a write of a marked connection queued into a later batch is dropped before that
 * batch commits. Without this the stall of issue 12 lost a message: the batch holding seq 4
 * timed out, the batches holding 5-9 committed on a fresh connection, and the next welcome
 * said 9 was stored, so the agent's outbox dropped 4 (storage/pg-network-cut.test.ts).
 */
export class FailedConnections {
  /** Each agent's connection number, as of the last queued write. */
  private readonly current = new Map<string, number>();
  /** Agent → the latest of its connections with a failed write, and that failure. */
  private readonly failed = new Map<string, { connection: number; cause: unknown }>();

  /** The connection a write being queued belongs to (a hello starts a new one). */
  connectionOf(write: IngestWrite): number {
    const n = (this.current.get(write.agentId) ?? 0) + (write.kind === 'hello' ? 1 : 0);
    this.current.set(write.agentId, n);
    return n;
  }

  /** A batch holding these writes failed. */
  markFailed(writes: readonly { write: IngestWrite; connection: number }[], cause: unknown): void {
    for (const { write, connection } of writes) {
      // A last-seen stamp lost is no gap: the connection's events may go on.
      if (write.kind === 'touch') continue;
      const had = this.failed.get(write.agentId);
      if (!had || had.connection < connection)
        this.failed.set(write.agentId, { connection, cause });
    }
  }

  /** Why this write must not commit (an earlier write of its connection failed), if so. */
  refusal(write: IngestWrite, connection: number): EarlierWriteFailed | undefined {
    const had = this.failed.get(write.agentId);
    if (!had || had.connection < connection) return undefined;
    return new EarlierWriteFailed(write.agentId, had.cause);
  }

  /** Agents with a failed connection remembered (tests). */
  get size(): number {
    return this.failed.size;
  }
}
