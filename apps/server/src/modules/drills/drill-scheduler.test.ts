import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DrillSchedule } from '@keepwatch/shared';
import { migrate } from '../../plugins/db-migrations';
import { sqliteRepositories } from '../../storage/sql-repositories';
import { inWindow, nextRunInWindow, ScheduleStore } from './drill-schedule';
import { DrillScheduler } from './drill-scheduler';
import type { StartResult } from './drill-service';

/* Schedules on a fake clock (vi.useFakeTimers): windows, time zones, refusals, results. */

const T0 = Date.UTC(2026, 11, 7, 0, 0); // Monday 2026-12-07 00:00 UTC = 08:00 Asia/Shanghai

describe('schedule windows', () => {
  it('SC-1: inWindow reads the local time of the schedule, overnight windows included', () => {
    const w = { start: '02:00', end: '04:00' };
    // 19:30 UTC = 03:30 in Shanghai.
    expect(inWindow(Date.UTC(2026, 11, 7, 19, 30), 'Asia/Shanghai', w)).toBe(true);
    expect(inWindow(Date.UTC(2026, 11, 7, 19, 30), 'UTC', w)).toBe(false);
    const night = { start: '23:00', end: '01:00', days: [6] }; // Saturday night
    expect(inWindow(Date.UTC(2026, 11, 12, 23, 30), 'UTC', night)).toBe(true); // Sat 23:30
    expect(inWindow(Date.UTC(2026, 11, 13, 0, 30), 'UTC', night)).toBe(true); // Sun 00:30, Saturday's window
    expect(inWindow(Date.UTC(2026, 11, 13, 23, 30), 'UTC', night)).toBe(false); // Sun 23:30
  });

  it('SC-1: the next run is the first cron time inside the window', () => {
    // Every hour on the hour; the window 03:00–04:00 Shanghai = 19:00–20:00 UTC.
    const next = nextRunInWindow(
      '0 * * * *',
      'Asia/Shanghai',
      { start: '03:00', end: '04:00' },
      T0,
    );
    expect(next).toBe(Date.UTC(2026, 11, 7, 19, 0));
    expect(nextRunInWindow('0 12 * * *', 'UTC', { start: '03:00', end: '04:00' }, T0)).toBeNull();
  });
});

describe('DrillScheduler', () => {
  let db: Database.Database;
  let store: ScheduleStore;
  const started: { id: number; at: number }[] = [];
  const announced: { result: string; detail: string }[] = [];
  let refuse = false;
  let alertsChanged = 0;
  let scheduler: DrillScheduler;

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    db = new Database(':memory:');
    migrate(db);
    store = new ScheduleStore(sqliteRepositories(db).drillSchedules, Date.now);
    started.length = 0;
    announced.length = 0;
    refuse = false;
    alertsChanged = 0;
    scheduler = new DrillScheduler({
      now: Date.now,
      store,
      start: (s: DrillSchedule): Promise<StartResult> => {
        started.push({ id: s.id, at: Date.now() });
        return Promise.resolve(
          refuse
            ? { ok: false, code: 409, error: 'busy', message: 'cluster lab is busy' }
            : { ok: true, id: `dr-${started.length}` },
        );
      },
      announce: (_s, result, detail) => announced.push({ result, detail }),
      alertsChanged: () => alertsChanged++,
      onError: (err) => {
        throw err;
      },
    });
  });

  afterEach(() => {
    scheduler.close();
    db.close();
    vi.useRealTimers();
  });

  it('SC-1: a scheduled drill starts at its cron time inside the window, and only then', async () => {
    await store.create(
      {
        clusterId: 'lab',
        kind: 'nginx-outage',
        cron: '0 * * * *',
        timezone: 'Asia/Shanghai',
        window: { start: '03:00', end: '04:00' },
      },
      'alice',
    );
    await scheduler.arm();
    await vi.advanceTimersByTimeAsync(18 * 3_600_000 + 59 * 60_000); // 18:59 UTC
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000); // 19:01 UTC = 03:01 Shanghai
    expect(started.map((s) => s.at)).toEqual([Date.UTC(2026, 11, 7, 19, 0)]);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000); // past the next day's 03:00 Shanghai
    expect(started).toHaveLength(2);
    expect((await store.get(1))?.lastResult).toBe('running');
  });

  it('SC-3/SC-4: a result goes to the channels; a refused run is announced and alerts re-evaluated', async () => {
    const s = await store.create(
      {
        clusterId: 'lab',
        kind: 'keepalived-stop',
        cron: '*/10 * * * *',
        window: { start: '00:00', end: '23:59' },
      },
      'alice',
    );
    refuse = true;
    await scheduler.arm();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(started).toHaveLength(1);
    expect(announced).toEqual([{ result: 'refused', detail: 'cluster lab is busy' }]);
    expect((await store.get(s.id))?.lastResult).toBe('refused');
    expect(alertsChanged).toBe(1);
    refuse = false;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await scheduler.ended(
      { id: 'dr-2', clusterId: 'lab', kind: 'keepalived-stop', status: 'passed', scheduleId: s.id },
      'downtime 650 ms',
    );
    expect(announced.at(-1)).toEqual({ result: 'passed', detail: 'downtime 650 ms' });
    expect((await store.get(s.id))?.lastResult).toBe('passed');
  });

  it('SC-2: a run missed while the server was down is skipped once its window has closed', async () => {
    const s = await store.create(
      {
        clusterId: 'lab',
        kind: 'nginx-outage',
        cron: '0 1 * * *',
        window: { start: '01:00', end: '02:00' },
      },
      'alice',
    );
    vi.setSystemTime(Date.UTC(2026, 11, 7, 3, 0));
    await scheduler.tick();
    expect(started).toEqual([]);
    expect((await store.get(s.id))?.lastResult).toBe('skipped');
  });
});
