import { describe, expect, it } from 'vitest';
import {
  HOUR_MS,
  MINUTE_MS,
  chunkCutoff,
  mergePoints,
  rollupRaw,
  rollupRollups,
  Res,
} from './rollup';
import {
  columnExponent,
  decodeOpenRaw,
  decodeRollups,
  decodeSealedRaw,
  encodeOpenRaw,
  encodeRollups,
  encodeSealedRaw,
} from './series-codec';

const T0 = Date.UTC(2026, 0, 1);

describe('series codec', () => {
  const raw = Array.from({ length: 720 }, (_, i) => ({
    ts: T0 + i * 5000,
    value: 10 + (i % 7) * 1.25,
  }));

  it('round-trips open raw chunks exactly and sealed ones to 3 significant digits', () => {
    expect(
      decodeOpenRaw(
        T0,
        Buffer.concat([encodeOpenRaw(T0, raw.slice(0, 10)), encodeOpenRaw(T0, raw.slice(10))]),
      ),
    ).toEqual(raw);
    const sealed = encodeSealedRaw(T0, raw);
    // max 17.5 → steps of 0.1: 11.25 is stored as 11.3 (or 11.2), never further off than 0.05.
    const back = decodeSealedRaw(T0, sealed);
    expect(back.map((p) => p.ts)).toEqual(raw.map((p) => p.ts));
    back.forEach((p, i) =>
      expect(Math.abs(p.value - (raw[i]?.value ?? NaN))).toBeLessThanOrEqual(0.05 + 1e-9),
    );
    expect(back[0]?.value).toBe(10);
    // 720 regular samples in well under a byte each.
    expect(sealed.length).toBeLessThan(720);
  });

  it('keeps small values to 0.01 and big ones to 3 significant digits', () => {
    expect(columnExponent([0.5, 2.34])).toBe(-2);
    expect(columnExponent([187.4, 12])).toBe(0);
    expect(columnExponent([31_000])).toBe(2);
    expect(columnExponent([0, 0])).toBe(-2);
    const points = [
      { ts: T0, min: 1.5, avg: 2.34, max: 4, count: 12 },
      { ts: T0 + 2 * MINUTE_MS, min: 0, avg: 187.4, max: 31_049, count: 1 },
      { ts: T0 + 3 * MINUTE_MS, min: -5.5, avg: -1, max: 0.01, count: 3 },
    ];
    expect(decodeRollups(T0, MINUTE_MS, encodeRollups(T0, MINUTE_MS, points))).toEqual([
      { ts: T0, min: 1.5, avg: 2, max: 0, count: 12 },
      { ts: T0 + 2 * MINUTE_MS, min: 0, avg: 187, max: 31_000, count: 1 },
      { ts: T0 + 3 * MINUTE_MS, min: -5.5, avg: -1, max: 0, count: 3 },
    ]);
  });

  it('rejects a truncated chunk instead of inventing points', () => {
    const data = encodeRollups(T0, MINUTE_MS, [{ ts: T0, min: 1, avg: 1, max: 1, count: 1 }]);
    expect(() => decodeRollups(T0, MINUTE_MS, data.subarray(0, 1))).toThrow();
  });
});

describe('rollups', () => {
  it('computes min/avg/max/count per minute and a count-weighted hour', () => {
    const points = [
      { ts: T0 + 1000, value: 10 },
      { ts: T0 + 2000, value: 20 },
      { ts: T0 + MINUTE_MS + 5, value: 40 },
    ];
    const minutes = rollupRaw(points, MINUTE_MS);
    expect(minutes).toEqual([
      { ts: T0, min: 10, avg: 15, max: 20, count: 2 },
      { ts: T0 + MINUTE_MS, min: 40, avg: 40, max: 40, count: 1 },
    ]);
    // Weighted: (15*2 + 40*1) / 3, not (15 + 40) / 2.
    expect(rollupRollups(minutes, HOUR_MS)).toEqual([
      { ts: T0, min: 10, avg: 70 / 3, max: 40, count: 3 },
    ]);
  });

  it('merge replaces a bucket present in both and keeps order', () => {
    const a = { ts: T0 + MINUTE_MS, min: 1, avg: 1, max: 1, count: 1 };
    const b = { ts: T0, min: 2, avg: 2, max: 2, count: 2 };
    const a2 = { ...a, count: 9 };
    expect(mergePoints([a], [b, a2])).toEqual([b, a2]);
  });

  it('drops a chunk only once all of it is older than the retention', () => {
    const policy = {
      rawMs: 2 * 86_400_000,
      minuteMs: 30 * 86_400_000,
      hourMs: 400 * 86_400_000,
      transitionsMs: 1,
    };
    const now = T0 + 10 * 86_400_000;
    // raw chunks are one hour wide: the chunk starting at now - 2 d - 1 h ends exactly at the cut.
    expect(chunkCutoff(Res.raw, now, policy)).toBe(now - policy.rawMs - HOUR_MS);
    expect(chunkCutoff(Res.minute, now, policy)).toBe(now - policy.minuteMs - 86_400_000);
  });
});
