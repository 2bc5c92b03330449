import { describe, expect, it } from 'vitest';
import type { AgentDataMessage } from '@keepwatch/shared';
import { evictToFit, type OutboxEntry } from './outbox-bound';

const entry = (seq: number, type: 'snapshot' | 'vip.change', bytes = 10): OutboxEntry => ({
  msg: { seq, type } as unknown as AgentDataMessage,
  bytes,
  durable: true,
});

describe('outbox bound policy', () => {
  it('removes nothing while one more message fits', () => {
    const list = [entry(1, 'vip.change'), entry(2, 'snapshot')];
    expect(evictToFit(list, 20, 10, { maxEntries: 3, maxBytes: 30 })).toEqual({
      seqs: [],
      forced: 0,
      bytes: 0,
    });
    expect(list).toHaveLength(2);
  });

  it('drops the oldest snapshot first, before any older change message', () => {
    const list = [entry(1, 'vip.change'), entry(2, 'snapshot'), entry(3, 'snapshot')];
    const out = evictToFit(list, 30, 10, { maxEntries: 3, maxBytes: 1000 });
    expect(out).toEqual({ seqs: [2], forced: 0, bytes: 10 });
    expect(list.map((e) => e.msg.seq)).toEqual([1, 3]);
  });

  it('drops the oldest message of any kind only when no snapshot is left, and counts it', () => {
    const list = [entry(1, 'vip.change'), entry(2, 'snapshot'), entry(3, 'vip.change')];
    const out = evictToFit(list, 30, 25, { maxEntries: 100, maxBytes: 30 });
    expect(out).toEqual({ seqs: [2, 1, 3], forced: 2, bytes: 30 });
    expect(list).toEqual([]);
  });

  it('frees bytes, not only entries: a big incoming message evicts as much as it needs', () => {
    const list = [entry(1, 'snapshot', 40), entry(2, 'vip.change', 10), entry(3, 'vip.change', 10)];
    const out = evictToFit(list, 60, 30, { maxEntries: 100, maxBytes: 70 });
    expect(out.seqs).toEqual([1]);
    expect(list.map((e) => e.msg.seq)).toEqual([2, 3]);
  });
});
