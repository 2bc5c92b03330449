import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import type { HistoryRecorder } from './history-recorder';
import {
  CHUNK_MS,
  HOUR_MS,
  MINUTE_MS,
  Res,
  STEP_MS,
  chunkCutoff,
  floorTo,
  mergePoints,
  rollupRaw,
  rollupRollups,
  type RetentionPolicy,
} from './rollup';
import { decodeOpenRaw, decodeRollups, encodeRollups, encodeSealedRaw } from './series-codec';

export interface MaintenanceOptions {
  policy: RetentionPolicy;
  now: () => number;
  /** Work per slice before yielding to ingest; default 5 ms. */
  sliceMs?: number;
  /** How long after an hour ends its raw chunk is rolled up (late samples); default 2 min. */
  graceMs?: number;
  /** Told when a timed run fails (a full disk…); the next interval tries again. */
  onError?: (err: unknown) => void;
}

export interface MaintenanceReport {
  sealed: number;
  deleted: number;
}

/** One bounded unit of work; returns how much it did (0 = nothing left to do). */
type Unit = () => number;

const BATCH = 200;
/** Rejected frames kept per agent (newest); older ones go with the raw window anyway. */
export const REJECTED_KEEP_PER_AGENT = 1000;

/**
 * Rolls raw sample chunks up (minute and hour) and prunes by retention, in slices of ≤ 5 ms
 * with a yield between them, so it never holds the single SQLite connection long enough to
 * delay ingest noticeably.
 */
export class HistoryMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MaintenanceReport> | undefined;
  private readonly stmts: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly recorder: HistoryRecorder,
    private readonly opts: MaintenanceOptions,
  ) {
    this.stmts = {
      nextOpen: db.prepare(
        `SELECT series_id AS seriesId, start, data FROM history_chunks WHERE res = ${Res.raw} AND sealed = 0 AND start < ? LIMIT 1`,
      ),
      chunk: db.prepare(
        'SELECT data FROM history_chunks WHERE series_id = ? AND res = ? AND start = ?',
      ),
      put: db.prepare(`INSERT INTO history_chunks (series_id, res, start, sealed, data) VALUES (?, ?, ?, 1, ?)
        ON CONFLICT(series_id, res, start) DO UPDATE SET sealed = 1, data = excluded.data`),
      dropChunks: db.prepare(`DELETE FROM history_chunks WHERE (series_id, res, start) IN
        (SELECT series_id, res, start FROM history_chunks WHERE res = ? AND sealed = 1 AND start < ? LIMIT ${BATCH})`),
      // Retention goes by the server's receive time: an agent's clock cannot keep rows forever.
      dropTransitions: db.prepare(`DELETE FROM history_transitions WHERE id IN
        (SELECT id FROM history_transitions WHERE received_at < ? LIMIT ${BATCH})`),
      dropRejected: db.prepare(`DELETE FROM rejected_events WHERE id IN
        (SELECT id FROM rejected_events WHERE received_at < ? LIMIT ${BATCH})`),
      rejectedOver: db.prepare(
        `SELECT agent_id AS agentId FROM rejected_events GROUP BY agent_id HAVING COUNT(*) > ${REJECTED_KEEP_PER_AGENT}`,
      ),
      trimRejected: db.prepare(`DELETE FROM rejected_events WHERE id IN
        (SELECT id FROM rejected_events WHERE agent_id = ? ORDER BY id DESC LIMIT -1 OFFSET ${REJECTED_KEEP_PER_AGENT})`),
      agents: db.prepare('SELECT agent_id AS agentId FROM agents'),
      dropEvents: db.prepare(`DELETE FROM events WHERE agent_id = ? AND seq IN
        (SELECT seq FROM events WHERE agent_id = ? AND received_at < ? AND (type = 'action.result') = ? LIMIT ${BATCH})`),
    };
  }

  start(intervalMs = MINUTE_MS): void {
    this.timer = setInterval(() => {
      this.run().catch((err: unknown) => this.opts.onError?.(err));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs everything that is due, slice by slice; concurrent calls share one run. */
  run(): Promise<MaintenanceReport> {
    this.running ??= this.runAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runAll(): Promise<MaintenanceReport> {
    const now = this.opts.now();
    this.recorder.flushSamples(floorTo(now, MINUTE_MS));
    const report: MaintenanceReport = { sealed: 0, deleted: 0 };
    report.sealed += await this.drain(() => this.sealOne(now));
    for (const res of [Res.raw, Res.minute, Res.hour]) {
      const cutoff = chunkCutoff(res, now, this.opts.policy);
      report.deleted += await this.drain(() => this.stmts['dropChunks']!.run(res, cutoff).changes);
    }
    const transitionsCutoff = now - this.opts.policy.transitionsMs;
    report.deleted += await this.drain(
      () => this.stmts['dropTransitions']!.run(transitionsCutoff).changes,
    );
    report.deleted += await this.drain(
      () => this.stmts['dropRejected']!.run(now - this.opts.policy.rawMs).changes,
    );
    for (const { agentId } of this.stmts['rejectedOver']!.all() as { agentId: string }[])
      report.deleted += this.stmts['trimRejected']!.run(agentId).changes;
    for (const { agentId } of this.stmts['agents']!.all() as { agentId: string }[]) {
      const drop =
        (cutoff: number, snapshots: number): Unit =>
        () =>
          this.stmts['dropEvents']!.run(agentId, agentId, cutoff, snapshots).changes;
      // Raw events are kept for the raw window only (their changes live on in
      // history_transitions); action results stay as long as transitions (pushes, drills).
      report.deleted += await this.drain(drop(now - this.opts.policy.rawMs, 0));
      report.deleted += await this.drain(drop(transitionsCutoff, 1));
    }
    return report;
  }

  /** Repeats `unit` until it has nothing left, yielding whenever a slice's budget is spent. */
  private async drain(unit: Unit): Promise<number> {
    const budget = this.opts.sliceMs ?? 5;
    let total = 0;
    for (;;) {
      const sliceStart = performance.now();
      let did: number;
      do {
        did = unit();
        total += did;
      } while (did > 0 && performance.now() - sliceStart < budget);
      if (did === 0) return total;
      await yieldToIo();
    }
  }

  /** Seals one finished raw hour: minute and hour rollups merged in, raw points compressed. */
  private sealOne(now: number): number {
    const before = now - HOUR_MS - (this.opts.graceMs ?? 2 * MINUTE_MS);
    const row = this.stmts['nextOpen']!.get(before) as
      { seriesId: number; start: number; data: Buffer } | undefined;
    if (!row) return 0;
    const raw = decodeOpenRaw(row.start, row.data).sort((a, b) => a.ts - b.ts);
    const minutes = rollupRaw(raw, MINUTE_MS);
    this.db.transaction(() => {
      this.merge(row.seriesId, Res.minute, minutes);
      this.merge(row.seriesId, Res.hour, rollupRollups(minutes, HOUR_MS));
      this.stmts['put']!.run(row.seriesId, Res.raw, row.start, encodeSealedRaw(row.start, raw));
    })();
    return 1;
  }

  private merge(seriesId: number, res: Res, fresh: ReturnType<typeof rollupRaw>): void {
    const byChunk = new Map<number, typeof fresh>();
    for (const p of fresh) {
      const start = floorTo(p.ts, CHUNK_MS[res]);
      byChunk.set(start, [...(byChunk.get(start) ?? []), p]);
    }
    for (const [start, points] of byChunk) {
      const old = this.stmts['chunk']!.get(seriesId, res, start) as { data: Buffer } | undefined;
      const existing = old ? decodeRollups(start, STEP_MS[res], old.data) : [];
      this.stmts['put']!.run(
        seriesId,
        res,
        start,
        encodeRollups(start, STEP_MS[res], mergePoints(existing, points)),
      );
    }
  }
}
