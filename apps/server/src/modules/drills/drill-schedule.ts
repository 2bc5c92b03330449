import type { Database } from 'better-sqlite3';
import { Cron } from 'croner';
import type {
  DrillKind,
  DrillOptions,
  DrillSchedule,
  DrillScheduleInput,
  DrillWindow,
} from '@keepwatch/shared';

/*
 * Drill schedules (SPEC.md SC-*): a croner expression in a time zone, and a maintenance
 * window the run must start inside. A cron time outside the window is skipped (SC-1); a run
 * the server missed (it was down) is not made up later unless the window still holds (SC-2).
 */

const DAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Local weekday and minutes since midnight of `at` in `timezone`. */
export function localTime(at: number, timezone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return {
    day: DAY[get('weekday')] ?? 0,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const hm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** SC-1: whether `at` falls inside the window (end exclusive; end < start spans midnight). */
export function inWindow(at: number, timezone: string, w: DrillWindow): boolean {
  const { day, minutes } = localTime(at, timezone);
  const start = hm(w.start);
  const end = hm(w.end);
  const days = w.days && w.days.length > 0 ? w.days : undefined;
  if (start <= end) return minutes >= start && minutes < end && (!days || days.includes(day));
  // Overnight: the part after midnight belongs to the window that opened the day before.
  if (minutes >= start) return !days || days.includes(day);
  if (minutes < end) return !days || days.includes((day + 6) % 7);
  return false;
}

/** Throws with croner's reason when the expression or the time zone is not valid. */
export function validateCron(cron: string, timezone: string): void {
  new Cron(cron, { timezone, paused: true }).stop();
  new Intl.DateTimeFormat('en-US', { timeZone: timezone });
}

/** The first cron time after `from` that is inside the window (null if none within a year). */
export function nextRunInWindow(
  cron: string,
  timezone: string,
  w: DrillWindow,
  from: number,
): number | null {
  const job = new Cron(cron, { timezone, paused: true });
  try {
    let t = new Date(from);
    for (let i = 0; i < 5000; i++) {
      const next = job.nextRun(t);
      if (!next || next.getTime() - from > 366 * 86_400_000) return null;
      if (inWindow(next.getTime(), timezone, w)) return next.getTime();
      t = next;
    }
    return null;
  } finally {
    job.stop();
  }
}

interface Row {
  id: number;
  cluster_id: string;
  kind: DrillKind;
  options: string;
  cron: string;
  timezone: string;
  window: string;
  enabled: number;
  created_by: string;
  created_at: number;
  last_run_at: number | null;
  last_drill_id: string | null;
  last_result: string | null;
}

export class ScheduleStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  private toSchedule(r: Row): DrillSchedule {
    const window = JSON.parse(r.window) as DrillWindow;
    const from = Math.max(this.now(), r.last_run_at ?? 0);
    return {
      id: r.id,
      clusterId: r.cluster_id,
      kind: r.kind,
      options: JSON.parse(r.options) as Record<string, unknown>,
      cron: r.cron,
      timezone: r.timezone,
      window,
      enabled: r.enabled === 1,
      createdBy: r.created_by,
      createdAt: r.created_at,
      nextRunAt: r.enabled === 1 ? nextRunInWindow(r.cron, r.timezone, window, from) : null,
      lastRunAt: r.last_run_at,
      lastDrillId: r.last_drill_id,
      lastResult: r.last_result,
    };
  }

  list(): DrillSchedule[] {
    return (this.db.prepare('SELECT * FROM drill_schedules ORDER BY id').all() as Row[]).map((r) =>
      this.toSchedule(r),
    );
  }

  get(id: number): DrillSchedule | undefined {
    const r = this.db.prepare('SELECT * FROM drill_schedules WHERE id = ?').get(id) as
      Row | undefined;
    return r && this.toSchedule(r);
  }

  create(input: DrillScheduleInput, by: string): DrillSchedule {
    const info = this.db
      .prepare(
        `INSERT INTO drill_schedules (cluster_id, kind, options, cron, timezone, window, enabled, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.clusterId,
        input.kind,
        JSON.stringify(input.options ?? ({} satisfies DrillOptions)),
        input.cron,
        input.timezone ?? 'UTC',
        JSON.stringify(input.window),
        input.enabled === false ? 0 : 1,
        by,
        this.now(),
      );
    const created = this.get(Number(info.lastInsertRowid));
    if (!created) throw new Error('schedule vanished after insert');
    return created;
  }

  replace(id: number, input: DrillScheduleInput): DrillSchedule | undefined {
    const r = this.db
      .prepare(
        `UPDATE drill_schedules SET cluster_id = ?, kind = ?, options = ?, cron = ?, timezone = ?,
           window = ?, enabled = ? WHERE id = ?`,
      )
      .run(
        input.clusterId,
        input.kind,
        JSON.stringify(input.options ?? {}),
        input.cron,
        input.timezone ?? 'UTC',
        JSON.stringify(input.window),
        input.enabled === false ? 0 : 1,
        id,
      );
    return r.changes === 0 ? undefined : this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM drill_schedules WHERE id = ?').run(id).changes > 0;
  }

  ran(id: number, at: number, drillId: string | null, result: string): void {
    this.db
      .prepare(
        'UPDATE drill_schedules SET last_run_at = ?, last_drill_id = ?, last_result = ? WHERE id = ?',
      )
      .run(at, drillId, result, id);
  }

  result(id: number, result: string): void {
    this.db.prepare('UPDATE drill_schedules SET last_result = ? WHERE id = ?').run(result, id);
  }
}
