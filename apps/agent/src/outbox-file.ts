import type { AgentDataMessage } from '@keepwatch/shared';

/*
 * On-disk format of the outbox: JSON lines, append-only between compactions.
 *   {"h":{"lastSeq":N,"ackedSeq":A,"dropped":D}}  header, first line after a compaction
 *   {"m":{...data message with seq and ts...}}   a message
 *   {"a":N}                                      cumulative ack: everything <= N is stored by the server
 *   {"x":[seq,...]}                              messages dropped by the size bound
 * A torn last line (crash mid-write) is ignored.
 */

export interface OutboxHeader {
  lastSeq: number;
  ackedSeq: number;
  dropped: number;
}

export interface LoadedOutbox extends OutboxHeader {
  entries: AgentDataMessage[];
  badLines: number;
}

export const headerLine = (h: OutboxHeader): string => `${JSON.stringify({ h })}\n`;
export const messageLine = (m: AgentDataMessage): string => `${JSON.stringify({ m })}\n`;
export const ackLine = (seq: number): string => `${JSON.stringify({ a: seq })}\n`;
export const dropLine = (seqs: number[]): string => `${JSON.stringify({ x: seqs })}\n`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Replays the log into the unacknowledged entries and counters. Pure: text in, state out. */
export function replayOutbox(text: string): LoadedOutbox {
  const bySeq = new Map<number, AgentDataMessage>();
  const st: LoadedOutbox = { lastSeq: 0, ackedSeq: 0, dropped: 0, entries: [], badLines: 0 };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      st.badLines++;
      continue;
    }
    if (!isRecord(rec)) {
      st.badLines++;
    } else if (isRecord(rec['h'])) {
      st.lastSeq = Math.max(st.lastSeq, num(rec['h']['lastSeq']));
      st.ackedSeq = Math.max(st.ackedSeq, num(rec['h']['ackedSeq']));
      st.dropped = num(rec['h']['dropped']);
    } else if (isRecord(rec['m']) && typeof rec['m']['seq'] === 'number') {
      const m = rec['m'] as unknown as AgentDataMessage;
      bySeq.set(m.seq, m);
      st.lastSeq = Math.max(st.lastSeq, m.seq);
    } else if (typeof rec['a'] === 'number') {
      st.ackedSeq = Math.max(st.ackedSeq, rec['a']);
    } else if (Array.isArray(rec['x'])) {
      for (const s of rec['x']) if (typeof s === 'number' && bySeq.delete(s)) st.dropped++;
    } else {
      st.badLines++;
    }
  }
  st.lastSeq = Math.max(st.lastSeq, st.ackedSeq);
  st.entries = [...bySeq.values()].filter((m) => m.seq > st.ackedSeq).sort((a, b) => a.seq - b.seq);
  return st;
}
