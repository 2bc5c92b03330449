import { describe, expect, it } from 'vitest';
import { ClockSync } from './clock-sync';
import { closeReason } from './close-reason';

describe('ClockSync', () => {
  it('computes offset ((t1 - t0) + (t2 - t3)) / 2 and the round trip', () => {
    const sync = new ClockSync();
    // Agent 1000 ms ahead, 5 ms each way, 1 ms processing.
    expect(sync.add(0, 1005, 1006, 11)).toEqual({ offsetMs: 1000, rttMs: 10 });
  });

  it('keeps the sample with the smallest round trip of the last 8', () => {
    const sync = new ClockSync(8);
    sync.add(0, 1001, 1001, 2); // rtt 2, offset 1000
    sync.add(0, 1090, 1090, 100); // rtt 100, asymmetric: offset 1040
    expect(sync.best()).toEqual({ offsetMs: 1000, rttMs: 2 });
    for (let i = 0; i < 8; i++) sync.add(0, 1030, 1030, 50); // pushes the good one out
    expect(sync.best()?.rttMs).toBe(50);
  });
});

describe('closeReason', () => {
  it('keeps reasons within the 123-byte WebSocket limit on a character boundary', () => {
    const long = 'schema violation at /vrrp/0/instance: ' + 'é'.repeat(200);
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('…')).toBe(true);
    expect(closeReason('short')).toBe('short');
  });
});
