import type { RawData } from 'ws';
import { CloseCode, type AgentDataMessage } from '@keepwatch/shared';
import { clampAgentTime, frameBytes, peekFrame, seqProblem } from './inbound-limits';
import type { AgentConnectionDeps, ConnectionPort } from './connection-deps';

/**
 * The sequenced side of one welcomed socket: the budget (IL-1), refused frames (IL-2), seq
 * checks (IL-3), the clock clamp (IL-4), the ingest stages (IH-2), then the event queued and
 * acked once its batch committed. Acks are cumulative; a failed commit closes the socket
 * unacked, so the agent replays it after reconnecting.
 */
export class AgentDataPath {
  private lastAccepted = 0;
  private committed = 0;
  private ackScheduled = false;

  constructor(
    private readonly deps: AgentConnectionDeps,
    private readonly port: ConnectionPort,
  ) {}

  /** The agent's stored seq, reported in the welcome: the connection goes on from there. */
  resume(storedSeq: number): void {
    this.lastAccepted = this.committed = storedSeq;
  }

  /**
   * IL-1 (inbound-limits.ts): over budget, the frame is refused and the socket closed (4429):
   * acks are cumulative, so nothing after a refused data message could be acked on this
   * socket; the agent's outbox replays it after reconnecting.
   */
  withinBudget(raw: RawData): boolean {
    const verdict = this.deps.budget.charge(this.port.agentId(), frameBytes(raw));
    if (verdict.ok) return true;
    const { seq } = peekFrame(raw);
    this.port.send({
      type: 'refused',
      code: 'budget',
      reason: `${verdict.reason}: not stored; reconnect after ${verdict.retryAfterMs} ms and replay`,
      ...(seq !== null && { seq }),
      retryAfterMs: verdict.retryAfterMs,
    });
    this.deps.log.warn(
      { agentId: this.port.agentId(), reason: verdict.reason },
      'agent over budget',
    );
    this.port.close(
      CloseCode.overBudget,
      `over the message budget; retry after ${verdict.retryAfterMs} ms`,
    );
    return false;
  }

  /**
   * IL-2: a frame that breaks its schema after the hello is kept as a rejected event with its
   * reason and the socket stays up. A usable seq (next in line, not a jump) is taken and acked
   * once stored, so the agent does not replay it forever; any other seq is left alone.
   */
  onInvalid(raw: RawData, reason: string): void {
    const agentId = this.port.agentId();
    const peeked = peekFrame(raw);
    const usable =
      peeked.seq !== null &&
      peeked.seq > this.lastAccepted &&
      seqProblem(peeked.seq, this.lastAccepted) === null
        ? peeked.seq
        : null;
    if (usable !== null) this.lastAccepted = usable;
    this.deps.log.warn({ agentId, reason, seq: peeked.seq }, 'agent frame rejected');
    this.port.send({
      type: 'refused',
      code: 'invalid',
      reason: `${reason} (kept as a rejected event${usable !== null ? ', acked' : ''})`,
      ...(peeked.seq !== null && { seq: peeked.seq }),
    });
    const stored = this.deps.ingest.reject(
      agentId,
      { seq: usable, type: peeked.type, reason, text: peeked.text },
      this.deps.now(),
    );
    this.afterCommit(stored, usable);
  }

  onData(msg: AgentDataMessage): void {
    const agentId = this.port.agentId();
    if (msg.seq <= this.lastAccepted) {
      // A replay of something we have: re-ack (once it is durable) without storing it again.
      if (msg.seq <= this.committed) this.scheduleAck();
      return;
    }
    const jump = seqProblem(msg.seq, this.lastAccepted);
    if (jump !== null) {
      // IL-3: not stored, not acked; the socket stays up and the next real seq is taken.
      this.deps.log.warn({ agentId, seq: msg.seq, reason: jump }, 'agent seq refused');
      this.port.send({ type: 'refused', code: 'seq-jump', reason: jump, seq: msg.seq });
      return;
    }
    this.lastAccepted = msg.seq;
    const at = this.deps.now();
    // IL-4: an agent time past the receive time + the skew limit is clamped; the original kept.
    const { message, agentTs } = clampAgentTime(msg, at, this.deps.clockSkewMs);
    // IH-2: every stage sees it before it is queued, so their writes share its batch and its ack.
    this.deps.hooks.data({ agentId, message, at });
    this.afterCommit(this.deps.ingest.store(agentId, message, at, agentTs), msg.seq);
  }

  /** Acks `seq` (if any) once `stored` commits; a failed commit closes the socket unacked. */
  private afterCommit(stored: Promise<void>, seq: number | null): void {
    stored.then(
      () => {
        if (seq === null) return;
        this.committed = Math.max(this.committed, seq);
        this.scheduleAck();
      },
      (err: unknown) => {
        this.deps.log.error({ err, agentId: this.port.agentId() }, 'storing agent event failed');
        this.port.close(1011, 'storage error');
      },
    );
  }

  /** Acks are cumulative: one per burst of commits is enough. */
  private scheduleAck(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      this.port.send({ type: 'ack', seq: this.committed });
    });
  }
}
