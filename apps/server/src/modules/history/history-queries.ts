import type {
  HistoryEvent,
  HistorySeriesPoint,
  HistorySeriesQuery,
  HistoryTimelineQuery,
} from '@keepwatch/shared';
import type { HistoryRepository, StoredChunk } from '../../storage/history-repository';
import { CHUNK_MS, HOUR_MS, MINUTE_MS, Res, STEP_MS, floorTo, rollupRaw } from './rollup';
import { decodeOpenRaw, decodeRollups, decodeSealedRaw } from './series-codec';

export const DEFAULT_TIMELINE_LIMIT = 1000;

/** The `types` parameter (comma-separated) as a list; empty = every type. */
export const timelineTypes = (types: string | undefined): string[] =>
  (types ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Read side of history (app.repos.history): the timeline (index (cluster_id[, node], ts))
 * and series points.
 */
export class HistoryQueries {
  constructor(private readonly repo: HistoryRepository) {}

  async timeline(q: HistoryTimelineQuery): Promise<{ events: HistoryEvent[]; truncated: boolean }> {
    const limit = q.limit ?? DEFAULT_TIMELINE_LIMIT;
    const rows = await this.repo.transitions({
      cluster: q.cluster,
      from: q.from,
      to: q.to,
      ...(q.node !== undefined && { node: q.node }),
      types: timelineTypes(q.types),
      limit: limit + 1,
    });
    const truncated = rows.length > limit;
    const events = rows.slice(0, limit).map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
    return { events, truncated };
  }

  /** Rolled-up points; the hours not sealed yet are rolled up on the fly from raw samples. */
  async series(q: HistorySeriesQuery): Promise<HistorySeriesPoint[]> {
    const id = await this.repo.seriesId(q.cluster, q.node, q.metric);
    if (id === undefined) return [];
    const res = q.step === 'minute' ? Res.minute : Res.hour;
    const step = q.step === 'minute' ? MINUTE_MS : HOUR_MS;
    const from = floorTo(q.from, step);
    const [rolledRows, rawRows] = await Promise.all([
      this.rows(id, res, from, q.to),
      this.rows(id, Res.raw, from, q.to),
    ]);
    const rolled = rolledRows.flatMap((c) => decodeRollups(c.start, STEP_MS[res], c.data));
    const open = rawRows.filter((c) => !c.sealed).flatMap((c) => decodeOpenRaw(c.start, c.data));
    const fresh = rollupRaw(open, step);
    const seen = new Set(rolled.map((p) => p.ts));
    return [...rolled, ...fresh.filter((p) => !seen.has(p.ts))]
      .filter((p) => p.ts >= from && p.ts < q.to)
      .sort((a, b) => a.ts - b.ts);
  }

  /** Raw points of a series (sealed or not) for [from, to): debugging and tests. */
  async raw(seriesId: number, from: number, to: number): Promise<{ ts: number; value: number }[]> {
    return (await this.rows(seriesId, Res.raw, from, to))
      .flatMap((c) =>
        c.sealed ? decodeSealedRaw(c.start, c.data) : decodeOpenRaw(c.start, c.data),
      )
      .filter((p) => p.ts >= from && p.ts < to);
  }

  private rows(seriesId: number, res: Res, from: number, to: number): Promise<StoredChunk[]> {
    return this.repo.chunks(seriesId, res, floorTo(from, CHUNK_MS[res]), to);
  }
}
