import { describe, expect, it } from 'vitest';
import {
  checkSchedule,
  cronLooksValid,
  describeDays,
  knownZones,
  type ScheduleForm,
} from './schedule-model';

const ZONES = ['UTC', 'Asia/Shanghai', 'Europe/Berlin'];
const form = (over: Partial<ScheduleForm> = {}): ScheduleForm => ({
  clusterId: 'lab',
  kind: 'nginx-outage',
  cron: '0 3 * * 1',
  timezone: 'Asia/Shanghai',
  start: '02:00',
  end: '05:00',
  days: [],
  ...over,
});

describe('schedule form (schedule-model.ts)', () => {
  it('SC-1: cron has 5 or 6 fields of cron characters', () => {
    expect(cronLooksValid('0 3 * * 1')).toBe(true);
    expect(cronLooksValid('  */5  2-4 * JAN-MAR MON,FRI ')).toBe(true);
    expect(cronLooksValid('0 0 3 * * 1')).toBe(true);
    expect(cronLooksValid('0 3 * *')).toBe(false);
    expect(cronLooksValid('0 3 * * 1; rm -rf /')).toBe(false);
    expect(cronLooksValid('')).toBe(false);
  });

  it('SC-2: the window is two HH:MM; overnight allowed, empty refused', () => {
    expect(checkSchedule(form({ start: '22:00', end: '04:00' }), ZONES).ok).toBe(true);
    const empty = checkSchedule(form({ start: '03:00', end: '03:00' }), ZONES);
    expect(empty).toEqual({ ok: false, problems: ['window'] });
    expect(checkSchedule(form({ end: '24:00' }), ZONES)).toEqual({
      ok: false,
      problems: ['window'],
    });
  });

  it('SC-3: an unknown zone is refused; every problem is reported at once', () => {
    expect(checkSchedule(form({ timezone: 'Mars/Olympus', cron: 'x' }), ZONES)).toEqual({
      ok: false,
      problems: ['cron', 'zone'],
    });
    expect(knownZones()).toContain('UTC');
  });

  it('SC-4: days are deduplicated and sorted; none = every day (absent)', () => {
    const every = checkSchedule(form(), ZONES);
    expect(every.ok && every.body.window).toEqual({ start: '02:00', end: '05:00' });
    const some = checkSchedule(form({ days: [5, 1, 5], cron: ' 0  3 * * 1 ' }), ZONES);
    expect(some.ok && some.body).toEqual({
      clusterId: 'lab',
      kind: 'nginx-outage',
      cron: '0 3 * * 1',
      timezone: 'Asia/Shanghai',
      window: { start: '02:00', end: '05:00', days: [1, 5] },
    });
  });

  it('describes days in the reader’s language', () => {
    expect(describeDays([1, 5], 'en')).toBe('Mon, Fri');
    expect(describeDays([1], 'zh-CN')).toMatch(/周一|星期一/);
    expect(describeDays(undefined, 'en')).toBeNull();
    expect(describeDays([0, 1, 2, 3, 4, 5, 6], 'en')).toBeNull();
  });
});
