import type { DrillOptions, DrillSchedule } from '@keepwatch/shared';
import { inWindow, nextRunInWindow, type ScheduleStore } from './drill-schedule';
import type { DrillEnded, StartResult } from './drill-service';

/*
 * Runs the schedules (SPEC.md SC-*): one timer for the soonest next run (re-armed at least
 * hourly, so clock changes and long waits stay right). A due schedule starts its drill as
 * `schedule:<id>`; the result goes to every notification channel (SC-3), and a schedule whose
 * last run failed, was refused, aborted or interrupted keeps an alert firing until a later
 * run passes (SC-4).
 */

export interface SchedulerDeps {
  now: () => number;
  store: ScheduleStore;
  start: (s: DrillSchedule) => Promise<StartResult>;
  /** A result for the channels. */
  announce: (s: DrillSchedule, result: string, detail: string) => void;
  /** The set of failing schedules changed: re-evaluate alerts. */
  alertsChanged: () => void;
  /** A timer's tick failed (the store): reported; the next arm tries again. */
  onError: (err: unknown) => void;
  /**
   * SC-5, with replicas: the hold on the `drill-scheduler` lease (storage/lease-keeper.ts).
   * Only while it is held are runs fired; none: this server is the only one.
   */
  lease?: { held(): boolean };
  /** The longest wait between two reads of the schedules (default 1 h; replicas: shorter, a schedule made on another replica is seen within it). */
  maxWaitMs?: number;
}

const MAX_WAIT_MS = 3_600_000;
export const BAD_RESULTS: readonly string[] = ['failed', 'refused', 'aborted', 'interrupted'];

export class DrillScheduler {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Ticks run one at a time (a timer's and a route's arm may meet). */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SchedulerDeps) {}

  /** Arms the timer for the soonest run; call after any schedule change. */
  async arm(): Promise<void> {
    if (this.closed) return;
    const schedules = await this.deps.store.list();
    clearTimeout(this.timer);
    if (this.closed) return;
    const now = this.deps.now();
    const next = schedules.flatMap((s) => (s.enabled && s.nextRunAt !== null ? [s.nextRunAt] : []));
    const maxWait = this.deps.maxWaitMs ?? MAX_WAIT_MS;
    const due = next.length > 0 ? Math.min(...next) : now + maxWait;
    // Without the lease, look again later: the holder runs what is due meanwhile.
    const wait = this.mayRun() ? Math.max(0, Math.min(due - now, maxWait)) : maxWait;
    this.timer = setTimeout(() => void this.tick().catch(this.deps.onError), wait);
    this.timer.unref();
  }

  /** Starts every schedule whose run is due now and inside its window (SC-1, SC-2). */
  tick(): Promise<void> {
    const run = this.queue.then(() => this.runDue());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private mayRun(): boolean {
    return this.deps.lease?.held() ?? true;
  }

  private async runDue(): Promise<void> {
    if (this.closed) return;
    if (!this.mayRun()) return this.arm();
    const now = this.deps.now();
    for (const s of await this.deps.store.list()) {
      if (!s.enabled) continue;
      const due = nextRunInWindow(s.cron, s.timezone, s.window, (s.lastRunAt ?? s.createdAt) + 1);
      if (due === null || due > now) continue;
      if (!inWindow(now, s.timezone, s.window)) {
        // Missed while the server was down, and the window has closed: skip it.
        await this.deps.store.claim(s, now, 'skipped');
        continue;
      }
      // SC-5: the run is taken before the drill starts; another replica's claim wins.
      if (!(await this.deps.store.claim(s, now, 'starting'))) continue;
      const r = await this.deps.start(s);
      if (r.ok) await this.deps.store.ran(s.id, now, r.id, 'running');
      else {
        await this.deps.store.ran(s.id, now, null, 'refused');
        this.deps.announce(s, 'refused', r.message);
        this.deps.alertsChanged();
      }
    }
    await this.arm();
  }

  /** A drill ended: record a scheduled one's result, tell the channels. */
  async ended(e: DrillEnded, detail: string): Promise<void> {
    if (e.scheduleId === null) return;
    const s = await this.deps.store.get(e.scheduleId);
    if (!s) return;
    await this.deps.store.result(s.id, e.status);
    this.deps.announce(s, e.status, detail);
    this.deps.alertsChanged();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

/** The options were validated as DrillOptions when the schedule was written. */
export function scheduleOptions(s: DrillSchedule): DrillOptions {
  const options: DrillOptions = s.options;
  return options;
}

export function isBad(result: string | null): boolean {
  return result !== null && BAD_RESULTS.includes(result);
}
