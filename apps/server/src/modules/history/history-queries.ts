import type { Database, Statement } from 'better-sqlite3';
import type {
  HistoryEvent,
  HistorySeriesPoint,
  HistorySeriesQuery,
  HistoryTimelineQuery,
} from '@keepwatch/shared';
import { CHUNK_MS, HOUR_MS, MINUTE_MS, Res, STEP_MS, floorTo, rollupRaw } from './rollup';
import { decodeOpenRaw, decodeRollups, decodeSealedRaw } from './series-codec';

export const DEFAULT_TIMELINE_LIMIT = 1000;

interface TransitionRow {
  ts: number;
  receivedAt: number;
  node: string;
  agentId: string;
  seq: number;
  type: string;
  summary: string;
  data: string;
}

const COLUMNS =
  'ts, received_at AS receivedAt, node, agent_id AS agentId, seq, type, summary, data';
const ORDER = 'ORDER BY ts, agent_id, seq, part LIMIT ?';

/** Read side of history: the timeline (index (cluster_id[, node], ts)) and series points. */
export class HistoryQueries {
  private readonly byCluster: Statement;
  private readonly byNode: Statement;
  private readonly seriesId: Statement;
  private readonly chunks: Statement;

  constructor(db: Database) {
    // json_each keeps one statement for any type filter; '' means "no filter".
    const types = `AND (? = '' OR type IN (SELECT value FROM json_each(?)))`;
    this.byCluster = db.prepare(
      `SELECT ${COLUMNS} FROM history_transitions WHERE cluster_id = ? AND ts >= ? AND ts < ? ${types} ${ORDER}`,
    );
    this.byNode = db.prepare(
      `SELECT ${COLUMNS} FROM history_transitions WHERE cluster_id = ? AND node = ? AND ts >= ? AND ts < ? ${types} ${ORDER}`,
    );
    this.seriesId = db.prepare(
      'SELECT id FROM history_series WHERE cluster_id = ? AND node = ? AND metric = ?',
    );
    this.chunks = db.prepare(
      'SELECT start, sealed, data FROM history_chunks WHERE series_id = ? AND res = ? AND start >= ? AND start < ? ORDER BY start',
    );
  }

  timeline(q: HistoryTimelineQuery): { events: HistoryEvent[]; truncated: boolean } {
    const limit = q.limit ?? DEFAULT_TIMELINE_LIMIT;
    const list = (q.types ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const typeArgs = list.length > 0 ? ['x', JSON.stringify(list)] : ['', '[]'];
    const rows = (
      q.node === undefined
        ? this.byCluster.all(q.cluster, q.from, q.to, ...typeArgs, limit + 1)
        : this.byNode.all(q.cluster, q.node, q.from, q.to, ...typeArgs, limit + 1)
    ) as TransitionRow[];
    const truncated = rows.length > limit;
    const events = rows.slice(0, limit).map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
    return { events, truncated };
  }

  /** Rolled-up points; the hours not sealed yet are rolled up on the fly from raw samples. */
  series(q: HistorySeriesQuery): HistorySeriesPoint[] {
    const row = this.seriesId.get(q.cluster, q.node, q.metric) as { id: number } | undefined;
    if (!row) return [];
    const res = q.step === 'minute' ? Res.minute : Res.hour;
    const step = q.step === 'minute' ? MINUTE_MS : HOUR_MS;
    const from = floorTo(q.from, step);
    const rolled = this.rows(row.id, res, from, q.to).flatMap((c) =>
      decodeRollups(c.start, STEP_MS[res], c.data),
    );
    const open = this.rows(row.id, Res.raw, from, q.to)
      .filter((c) => c.sealed === 0)
      .flatMap((c) => decodeOpenRaw(c.start, c.data));
    const fresh = rollupRaw(open, step);
    const seen = new Set(rolled.map((p) => p.ts));
    return [...rolled, ...fresh.filter((p) => !seen.has(p.ts))]
      .filter((p) => p.ts >= from && p.ts < q.to)
      .sort((a, b) => a.ts - b.ts);
  }

  /** Raw points of a series (sealed or not) for [from, to): debugging and tests. */
  raw(seriesId: number, from: number, to: number): { ts: number; value: number }[] {
    return this.rows(seriesId, Res.raw, from, to)
      .flatMap((c) =>
        c.sealed ? decodeSealedRaw(c.start, c.data) : decodeOpenRaw(c.start, c.data),
      )
      .filter((p) => p.ts >= from && p.ts < to);
  }

  private rows(
    seriesId: number,
    res: Res,
    from: number,
    to: number,
  ): { start: number; sealed: number; data: Buffer }[] {
    const first = floorTo(from, CHUNK_MS[res]);
    return this.chunks.all(seriesId, res, first, to) as {
      start: number;
      sealed: number;
      data: Buffer;
    }[];
  }
}
