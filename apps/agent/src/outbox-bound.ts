import type { AgentDataMessage } from '@keepwatch/shared';

/** One queued message of the outbox, with its line's size on disk. */
export interface OutboxEntry {
  msg: AgentDataMessage;
  bytes: number;
  durable: boolean;
}

export interface OutboxBound {
  maxEntries: number;
  maxBytes: number;
}

export interface Evicted {
  /** Seqs removed, oldest first. */
  seqs: number[];
  /** How many of them were not snapshots (no snapshot was left to drop). */
  forced: number;
  bytes: number;
}

/**
 * The bound policy when full: makes room for one more message of `incoming` bytes by
 * removing from `entries` (in place) the oldest snapshot first (a newer snapshot supersedes
 * it), and only when no snapshot is left the oldest message of any kind.
 */
export function evictToFit(
  entries: OutboxEntry[],
  liveBytes: number,
  incoming: number,
  bound: OutboxBound,
): Evicted {
  const out: Evicted = { seqs: [], forced: 0, bytes: 0 };
  const full = (): boolean =>
    entries.length + 1 > bound.maxEntries || liveBytes - out.bytes + incoming > bound.maxBytes;
  while (full() && entries.length > 0) {
    let i = entries.findIndex((e) => e.msg.type === 'snapshot');
    if (i < 0) {
      i = 0;
      out.forced++;
    }
    const [e] = entries.splice(i, 1);
    if (!e) break;
    out.bytes += e.bytes;
    out.seqs.push(e.msg.seq);
  }
  return out;
}
