import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Sealed } from '../../storage/history-repository';
import type { Repositories } from '../../storage/repositories';
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
import {
  decodeOpenRaw,
  decodeRollups,
  encodeRollups,
  encodeSealedRaw,
  type RollupPoint,
} from './series-codec';

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

/** One bounded unit of work; resolves to how much it did (0 = nothing left to do). */
type Unit = () => Promise<number>;

const BATCH = 200;
/** Rejected frames kept per agent (newest); older ones go with the raw window anyway. */
export const REJECTED_KEEP_PER_AGENT = 1000;

/** The repositories the job works on (app.repos): history's chunks and changes, the raw events. */
export type MaintenanceRepos = Pick<Repositories, 'history' | 'ingest'>;

/**
 * Rolls raw sample chunks up (minute and hour) and prunes by retention (app.repos.history and
 * .ingest), in slices of ≤ 5 ms with a yield between them, so it never holds the single
 * SQLite connection long enough to delay ingest noticeably.
 */
export class HistoryMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MaintenanceReport> | undefined;

  constructor(
    private readonly repos: MaintenanceRepos,
    private readonly recorder: HistoryRecorder,
    private readonly opts: MaintenanceOptions,
  ) {}

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
    const { history, ingest } = this.repos;
    const now = this.opts.now();
    // Every point of an hour old enough to be sealed below, and buffers a series stopped
    // feeding; not a live one's (it appends itself within two minutes, SR-1).
    // Committed before the seal reads the open chunks (the writer would take up to 20 ms).
    await this.recorder.flushSamplesStored(now - (this.opts.graceMs ?? 2 * MINUTE_MS));
    const report: MaintenanceReport = { sealed: 0, deleted: 0 };
    report.sealed += await this.drain(() => this.sealOne(now));
    for (const res of [Res.raw, Res.minute, Res.hour]) {
      const cutoff = chunkCutoff(res, now, this.opts.policy);
      report.deleted += await this.drain(() => history.pruneChunks(res, cutoff, BATCH));
    }
    const transitionsCutoff = now - this.opts.policy.transitionsMs;
    report.deleted += await this.drain(() => history.pruneTransitions(transitionsCutoff, BATCH));
    report.deleted += await this.drain(() =>
      ingest.pruneRejected(now - this.opts.policy.rawMs, BATCH),
    );
    report.deleted += await history.trimRejected(REJECTED_KEEP_PER_AGENT);
    // Raw events are kept for the raw window only (their changes live on in
    // history_transitions); action results stay as long as transitions (pushes, drills).
    // The oldest first, of any agents: a statement per BATCH rows, not per agent (issue 12).
    report.deleted += await this.drain(() =>
      ingest.pruneEvents(now - this.opts.policy.rawMs, false, BATCH),
    );
    report.deleted += await this.drain(() => ingest.pruneEvents(transitionsCutoff, true, BATCH));
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
        did = await unit();
        total += did;
      } while (did > 0 && performance.now() - sliceStart < budget);
      if (did === 0) return total;
      await yieldToIo();
    }
  }

  /** Seals one finished raw hour: minute and hour rollups merged in, raw points compressed. */
  private async sealOne(now: number): Promise<number> {
    const before = now - HOUR_MS - (this.opts.graceMs ?? 2 * MINUTE_MS);
    const sealed = await this.repos.history.sealNext(before, (open) => {
      const raw = decodeOpenRaw(open.start, open.data).sort((a, b) => a.ts - b.ts);
      const minutes = rollupRaw(raw, MINUTE_MS);
      return {
        raw: encodeSealedRaw(open.start, raw),
        rollups: [
          ...mergesOf(Res.minute, minutes),
          ...mergesOf(Res.hour, rollupRollups(minutes, HOUR_MS)),
        ],
      };
    });
    return sealed ? 1 : 0;
  }
}

/** Fresh rollup points as one merge per chunk of `res` they fall in. */
function mergesOf(res: Res, fresh: readonly RollupPoint[]): Sealed['rollups'] {
  const byChunk = new Map<number, RollupPoint[]>();
  for (const p of fresh) {
    const start = floorTo(p.ts, CHUNK_MS[res]);
    byChunk.set(start, [...(byChunk.get(start) ?? []), p]);
  }
  return [...byChunk].map(([start, points]) => ({
    res,
    start,
    merge: (old) => {
      const existing = old ? decodeRollups(start, STEP_MS[res], old) : [];
      return encodeRollups(start, STEP_MS[res], mergePoints(existing, points));
    },
  }));
}
