import { describe, expect, it } from 'vitest';
import { Backoff, msToBoundary } from './timing';

describe('msToBoundary', () => {
  it('lands every period on the same phase, whatever the time now', () => {
    for (const now of [1_000_000, 1_000_123, 1_000_999, 1_001_000]) {
      const wait = msToBoundary(1000, now, 250);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(1000);
      expect((now + wait) % 1000).toBe(250);
    }
  });

  it('lines loops of 1 s and 5 s up on the same instants', () => {
    const now = 1_795_000_003_456;
    const five = now + msToBoundary(5000, now, 300);
    expect(five % 5000).toBe(300);
    // Every 5 s boundary is also a 1 s boundary of the same phase.
    expect(msToBoundary(1000, five - 1, 300)).toBe(1);
  });

  it('waits a full period when called exactly on a boundary', () => {
    expect(msToBoundary(1000, 2_000_250, 250)).toBe(1000);
  });
});

describe('Backoff', () => {
  it('grows the cap exponentially up to the maximum and resets', () => {
    const b = new Backoff(100, 1000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
