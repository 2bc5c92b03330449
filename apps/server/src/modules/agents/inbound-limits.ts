import type { RawData } from 'ws';
import { MAX_SEQ, type AgentDataMessage } from '@keepwatch/shared';

/*
 * What the agent socket takes from an agent, and what it refuses (issue 7 items 3-4). Every
 * refusal reaches the agent as a `refused` frame with its reason (the agent logs it).
 *
 *   IL-1  budget: every frame after the hello is charged to the agent's frame and byte
 *         budget (ingest-budget.ts). Over it, the frame is refused, not stored, not acked,
 *         and the socket closes 4429; the outbox replays it after the reconnect.
 *   IL-2  invalid: a frame that breaks its schema after the hello is kept in rejected_events
 *         with the reason and an excerpt; the socket stays up and the next frames are taken.
 *         Its seq, when usable (next in line, IL-3 holds), is taken and acked: it is stored.
 *   IL-3  seq jump: a seq more than MAX_SEQ_JUMP past the last one taken from the agent is
 *         refused (not stored, not acked) so it cannot shadow every later seq in the dedupe.
 *         An agent with nothing stored yet may start anywhere (up to MAX_SEQ, the schema's).
 *   IL-4  time: history and retention go by the server's receive time; an agent time later
 *         than receive time + the clock-skew limit is stored clamped to that, the agent's own
 *         time kept beside it (events.agent_ts).
 */

/** How far past the last taken seq a message may leap (an outbox holds at most 50,000). */
export const MAX_SEQ_JUMP = 1_000_000;

export function frameBytes(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((n, b) => n + b.length, 0);
  return raw instanceof ArrayBuffer ? raw.byteLength : raw.length;
}

function text(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return (raw instanceof ArrayBuffer ? Buffer.from(raw) : raw).toString('utf8');
}

/** What can be read of a frame that failed its schema: its seq and type if it has them. */
export function peekFrame(raw: RawData): { seq: number | null; type: string | null; text: string } {
  const t = text(raw);
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return { seq: null, type: null, text: t };
    const { seq, type } = v as { seq?: unknown; type?: unknown };
    return {
      seq: Number.isSafeInteger(seq) && (seq as number) >= 1 ? (seq as number) : null,
      type: typeof type === 'string' ? type : null,
      text: t,
    };
  } catch {
    return { seq: null, type: null, text: t };
  }
}

/** IL-3: why `seq` may not follow `last` (0 = nothing stored yet), or null. */
export function seqProblem(seq: number, last: number): string | null {
  if (seq > MAX_SEQ) return `seq ${seq} exceeds ${MAX_SEQ}`;
  if (last > 0 && seq - last > MAX_SEQ_JUMP)
    return `seq ${seq} jumps more than ${MAX_SEQ_JUMP} past the last stored ${last}: not stored`;
  return null;
}

/** IL-4: the message with its time clamped, and the agent's own time when it was. */
export function clampAgentTime(
  msg: AgentDataMessage,
  receivedAt: number,
  skewMs: number,
): { message: AgentDataMessage; agentTs: number | null } {
  const latest = receivedAt + skewMs;
  if (msg.ts <= latest) return { message: msg, agentTs: null };
  return { message: { ...msg, ts: latest }, agentTs: msg.ts };
}
