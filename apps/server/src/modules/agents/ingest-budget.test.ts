import { describe, expect, it } from 'vitest';
import { IngestBudget } from './ingest-budget';

const limits = { burstFrames: 3, framesPerS: 2, burstBytes: 1000, bytesPerS: 100 };

describe('IngestBudget', () => {
  it('IB-1/IB-2: a full bucket admits its burst, then refills at its rate', () => {
    let now = 0;
    const b = new IngestBudget(() => now, limits);
    expect([1, 2, 3, 4].map(() => b.charge('a', 10).ok)).toEqual([true, true, true, false]);
    now = 500; // one frame's worth at 2/s
    expect(b.charge('a', 10).ok).toBe(true);
    expect(b.charge('a', 10).ok).toBe(false);
    expect(b.charge('other', 10).ok).toBe(true);
  });

  it('IB-2/IB-3: bytes count too; a refusal says when the frame would fit', () => {
    let now = 0;
    const b = new IngestBudget(() => now, limits);
    expect(b.charge('a', 900).ok).toBe(true);
    const refused = b.charge('a', 300);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 2000 });
    now = 2000;
    expect(b.charge('a', 300).ok).toBe(true);
    expect(b.charge('a', 5000)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('exceeds') as string,
    });
  });

  it('IB-4: the set of buckets is bounded; full buckets of offline agents go first', () => {
    let now = 0;
    const online = new Set(['keep']);
    const b = new IngestBudget(
      () => now,
      limits,
      10,
      (id) => online.has(id),
    );
    b.charge('keep', 10);
    for (let i = 0; i < 50; i++) b.charge(`agent-${i}`, 10);
    expect(b.size).toBeLessThanOrEqual(10);
    now = 10_000;
    for (let i = 0; i < 50; i++) b.charge(`later-${i}`, 10);
    expect(b.size).toBeLessThanOrEqual(10);
  });
});
