import type { RawPoint, RollupPoint } from './series-codec';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Chunk resolutions as stored in history_chunks.res. */
export const Res = { raw: 0, minute: 1, hour: 2 } as const;
export type Res = (typeof Res)[keyof typeof Res];

/** Width of one chunk and of one point per resolution. */
export const CHUNK_MS: Record<Res, number> = { 0: HOUR_MS, 1: DAY_MS, 2: DAY_MS };
export const STEP_MS: Record<Res, number> = { 0: 0, 1: MINUTE_MS, 2: HOUR_MS };

export const floorTo = (ts: number, width: number): number => Math.floor(ts / width) * width;

/** min/avg/max/count of raw points per bucket of `step` ms, in time order. */
export function rollupRaw(points: readonly RawPoint[], step: number): RollupPoint[] {
  const buckets = new Map<number, { min: number; max: number; sum: number; count: number }>();
  for (const p of points) {
    const key = floorTo(p.ts, step);
    const b = buckets.get(key);
    if (!b) buckets.set(key, { min: p.value, max: p.value, sum: p.value, count: 1 });
    else {
      b.min = Math.min(b.min, p.value);
      b.max = Math.max(b.max, p.value);
      b.sum += p.value;
      b.count += 1;
    }
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, b]) => ({ ts, min: b.min, avg: b.sum / b.count, max: b.max, count: b.count }));
}

/** Coarser rollup of rollups: the average is weighted by each bucket's count. */
export function rollupRollups(points: readonly RollupPoint[], step: number): RollupPoint[] {
  const buckets = new Map<number, RollupPoint & { sum: number }>();
  for (const p of points) {
    const key = floorTo(p.ts, step);
    const b = buckets.get(key);
    if (!b) buckets.set(key, { ...p, ts: key, sum: p.avg * p.count });
    else {
      b.min = Math.min(b.min, p.min);
      b.max = Math.max(b.max, p.max);
      b.sum += p.avg * p.count;
      b.count += p.count;
    }
  }
  return [...buckets.values()]
    .sort((a, b) => a.ts - b.ts)
    .map(({ ts, min, max, sum, count }) => ({
      ts,
      min,
      avg: count > 0 ? sum / count : 0,
      max,
      count,
    }));
}

/** Merges new points into a chunk's points: a bucket present in both is replaced by the new one. */
export function mergePoints(
  old: readonly RollupPoint[],
  fresh: readonly RollupPoint[],
): RollupPoint[] {
  const byTs = new Map<number, RollupPoint>();
  for (const p of old) byTs.set(p.ts, p);
  for (const p of fresh) byTs.set(p.ts, p);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

export interface RetentionPolicy {
  /** Raw events (snapshots) and raw samples. */
  rawMs: number;
  minuteMs: number;
  hourMs: number;
  /** Transitions and the durable non-snapshot events. */
  transitionsMs: number;
}

/** Cut-off (exclusive) below which chunks of `res` are dropped: whole chunks only. */
export function chunkCutoff(res: Res, now: number, policy: RetentionPolicy): number {
  const keep =
    res === Res.raw ? policy.rawMs : res === Res.minute ? policy.minuteMs : policy.hourMs;
  // A chunk starting at s covers [s, s + width): drop it once its end is older than `keep`.
  return now - keep - CHUNK_MS[res];
}
