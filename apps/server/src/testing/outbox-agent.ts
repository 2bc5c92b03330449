import type { FastifyInstance } from 'fastify';
import type { AgentHello } from '@keepwatch/shared';
import { agent, snapshot, type TestSocket } from './test-app';

/*
 * An agent as far as storage faults are concerned: a durable outbox of seqs, sent in order,
 * dropped only once acknowledged, replayed after every welcome (from the welcome's ackedSeq,
 * the seq the server says it stored last), as apps/agent's connection does. The fault tests
 * (storage/pg-network-cut.test.ts, pg-failover.test.ts) drive one through PostgreSQL faults.
 */

export interface OutboxAgent {
  /** The highest seq acknowledged so far (acks are cumulative). */
  readonly ackedSeq: number;
  /** Every ack received, in order, with the time it arrived. */
  readonly acks: { seq: number; at: number }[];
  /** Queues `seq` and sends it now when connected. */
  send(seq: number): void;
  /** Resolves once `seq` is acknowledged, reconnecting (bounded) whenever the socket closed. */
  ackedBy(seq: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const frame = (seq: number) =>
  snapshot(seq, seq % 2 ? 'MASTER' : 'BACKUP', seq % 2 === 1, 1_000 * seq);

export function outboxAgent(app: FastifyInstance, h: AgentHello): OutboxAgent {
  const queued: number[] = [];
  const acks: { seq: number; at: number }[] = [];
  let ackedSeq = 0;
  let sock: TestSocket | undefined;

  const onAck = (seq: number): void => {
    acks.push({ seq, at: Date.now() });
    ackedSeq = Math.max(ackedSeq, seq);
    while (queued.length > 0 && (queued[0] ?? 0) <= ackedSeq) queued.shift();
  };

  const open = async (): Promise<void> => {
    const s = await agent(app, h);
    const welcome = s.messages.find((m) => m['type'] === 'welcome');
    const stored = Number(welcome?.['ackedSeq'] ?? 0);
    // The server stored up to `stored`: that much of the outbox is done (an ack it lost).
    if (stored > ackedSeq) onAck(stored);
    let seen = s.messages.length;
    s.ws.on('message', () => {
      for (const m of s.messages.slice(seen)) if (m['type'] === 'ack') onAck(Number(m['seq']));
      seen = s.messages.length;
    });
    void s.closed.then(() => {
      if (sock === s) sock = undefined;
    });
    sock = s;
    for (const seq of queued) s.send(frame(seq));
  };

  return {
    get ackedSeq() {
      return ackedSeq;
    },
    acks,
    send: (seq) => {
      queued.push(seq);
      sock?.send(frame(seq));
    },
    ackedBy: async (seq, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (let attempt = 0; attempt < 1_000 && ackedSeq < seq; attempt++) {
        if (Date.now() > deadline)
          throw new Error(`seq ${seq} not acknowledged within ${timeoutMs} ms (acked ${ackedSeq})`);
        if (!sock) {
          // The agent's reconnect: a refused or unwelcomed attempt is retried after a pause.
          await open().catch(() => new Promise((r) => setTimeout(r, 200)));
          continue;
        }
        const s = sock;
        await Promise.race([
          s.next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq, 1_000).catch(() => null),
          s.closed,
        ]);
      }
      if (ackedSeq < seq) throw new Error(`seq ${seq} not acknowledged (acked ${ackedSeq})`);
    },
    close: async () => {
      const s = sock;
      sock = undefined;
      if (!s) return;
      s.ws.close();
      await s.closed;
    },
  };
}
