import type { DrillKind, DrillScheduleInput } from '@keepwatch/shared';

/*
 * The schedule form, pure: what the operator typed → the body of POST /drills/schedules, or
 * the reasons it cannot be sent (the server checks again, with the real cron parser):
 *
 *   SC-1 cron: 5 or 6 fields separated by blanks, each made of digits, letters (JAN, MON),
 *        and * / , - ? L W #.
 *   SC-2 window start and end are HH:MM (00:00–23:59); end before start is an overnight
 *        window, allowed; start equal to end is an empty window, refused.
 *   SC-3 the time zone is one the browser knows (IANA name) or UTC.
 *   SC-4 days: 0 = Sunday … 6 = Saturday, each at most once, sorted; none chosen = every day
 *        (sent as absent).
 */

export interface ScheduleForm {
  clusterId: string;
  kind: DrillKind;
  cron: string;
  timezone: string;
  start: string;
  end: string;
  days: readonly number[];
}

export type ScheduleProblem = 'cron' | 'window' | 'zone';

export type ScheduleCheck =
  { ok: true; body: DrillScheduleInput } | { ok: false; problems: ScheduleProblem[] };

const CRON_FIELD = /^[0-9A-Za-z*/,?#-]+$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** SC-1 */
export function cronLooksValid(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => CRON_FIELD.test(f));
}

/** SC-3: the zones the browser knows (UTC always among them). */
export function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** SC-1..SC-4 */
export function checkSchedule(form: ScheduleForm, zones: readonly string[]): ScheduleCheck {
  const problems: ScheduleProblem[] = [];
  if (!cronLooksValid(form.cron)) problems.push('cron');
  if (!HHMM.test(form.start) || !HHMM.test(form.end) || form.start === form.end) {
    problems.push('window');
  }
  if (!zones.includes(form.timezone)) problems.push('zone');
  if (problems.length > 0) return { ok: false, problems };
  const days = [...new Set(form.days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b);
  return {
    ok: true,
    body: {
      clusterId: form.clusterId,
      kind: form.kind,
      cron: form.cron.trim().split(/\s+/).join(' '),
      timezone: form.timezone,
      window: { start: form.start, end: form.end, ...(days.length > 0 && { days }) },
    },
  };
}

/** Weekday names of a language, Sunday first (Jan 4 2026 was a Sunday). */
export function weekdayNames(lang: string): string[] {
  const f = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' });
  return [0, 1, 2, 3, 4, 5, 6].map((d) => f.format(Date.UTC(2026, 0, 4 + d)));
}

/** "Mon, Tue" for the days of a window; null = every day. */
export function describeDays(days: readonly number[] | undefined, lang: string): string | null {
  if (!days || days.length === 0 || days.length === 7) return null;
  const names = weekdayNames(lang);
  return days.map((d) => names[d] ?? String(d)).join(', ');
}
