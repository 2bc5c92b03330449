import { Cron } from 'croner';
import type {
  DrillOptions,
  DrillSchedule,
  DrillScheduleInput,
  DrillWindow,
} from '@keepwatch/shared';
import type {
  DrillScheduleRecord,
  DrillSchedulesRepository,
  NewDrillSchedule,
} from '../../storage/drill-repository';

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

/** SC-*: the schedules with their next run (derived here: the repository stores, this decides). */
export class ScheduleStore {
  /** The schedules as last read or written, for SC-4's alert (evaluations run no query). */
  private known = new Map<number, DrillScheduleRecord>();

  constructor(
    private readonly repo: DrillSchedulesRepository,
    private readonly now: () => number,
  ) {}

  private toSchedule(r: DrillScheduleRecord): DrillSchedule {
    this.known.set(r.id, r);
    const from = Math.max(this.now(), r.lastRunAt ?? 0);
    return {
      ...r,
      nextRunAt: r.enabled ? nextRunInWindow(r.cron, r.timezone, r.window, from) : null,
    };
  }

  async list(): Promise<DrillSchedule[]> {
    const rows = await this.repo.list();
    this.known = new Map();
    return rows.map((r) => this.toSchedule(r));
  }

  async get(id: number): Promise<DrillSchedule | undefined> {
    const r = await this.repo.get(id);
    if (!r) this.known.delete(id);
    return r && this.toSchedule(r);
  }

  /** The schedules as last seen by this server (no query). */
  cached(): DrillScheduleRecord[] {
    return [...this.known.values()];
  }

  async create(input: DrillScheduleInput, by: string): Promise<DrillSchedule> {
    return this.toSchedule(await this.repo.create(definition(input), by, this.now()));
  }

  async replace(id: number, input: DrillScheduleInput): Promise<DrillSchedule | undefined> {
    const r = await this.repo.replace(id, definition(input));
    return r && this.toSchedule(r);
  }

  async delete(id: number): Promise<boolean> {
    this.known.delete(id);
    return this.repo.delete(id);
  }

  async ran(id: number, at: number, drillId: string | null, result: string): Promise<void> {
    await this.repo.ran(id, at, drillId, result);
    const k = this.known.get(id);
    if (k) this.known.set(id, { ...k, lastRunAt: at, lastDrillId: drillId, lastResult: result });
  }

  /** SC-5: takes the run due at `at` unless another replica already has (the repository's CAS). */
  async claim(s: DrillSchedule, at: number, result: string): Promise<boolean> {
    const won = await this.repo.claimRun(s.id, s.lastRunAt, at, result);
    const k = this.known.get(s.id);
    if (won && k)
      this.known.set(s.id, { ...k, lastRunAt: at, lastDrillId: null, lastResult: result });
    return won;
  }

  async result(id: number, result: string): Promise<void> {
    await this.repo.result(id, result);
    const k = this.known.get(id);
    if (k) this.known.set(id, { ...k, lastResult: result });
  }
}

function definition(input: DrillScheduleInput): NewDrillSchedule {
  return {
    clusterId: input.clusterId,
    kind: input.kind,
    options: input.options ?? ({} satisfies DrillOptions),
    cron: input.cron,
    timezone: input.timezone ?? 'UTC',
    window: input.window,
    enabled: input.enabled !== false,
  };
}
