import { isFindingCode, type FindingArgs } from '@keepwatch/shared';
import type { Lang, Messages } from './dictionary';
import { findingReader } from './findings-i18n';

/*
 * Language-aware formatting: lists, findings and alerts worded from their rule ID, and
 * times that always say their time zone ("2026-11-24 14:03:05 GMT+8").
 */

export interface Format {
  list(items: readonly string[]): string;
  /** A finding or an alert in the reader's language; the server's English if the code is unknown. */
  finding(f: {
    code?: string;
    args?: FindingArgs;
    text?: { en: string; 'zh-CN': string };
    message: string;
  }): string;
  /** Date and time with seconds and the zone. */
  dateTime(ms: number): string;
  /** Time of day with seconds and the zone (for the timeline and logs). */
  time(ms: number): string;
  /** Time of day with milliseconds, no zone (log lines, beside a header that names it). */
  clock(ms: number): string;
  /** The zone the times are shown in: "Asia/Shanghai (GMT+8)". */
  zone: string;
}

export function createFormat(lang: Lang, t: Messages, timeZone?: string): Format {
  const list = new Intl.ListFormat(lang, { type: 'conjunction' });
  const zoneOpt = timeZone === undefined ? {} : { timeZone };
  const dateTime = new Intl.DateTimeFormat(lang, {
    ...zoneOpt,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'shortOffset',
  });
  const time = new Intl.DateTimeFormat(lang, {
    ...zoneOpt,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'shortOffset',
  });
  const clock = new Intl.DateTimeFormat('en-GB', {
    ...zoneOpt,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hour12: false,
  });
  const resolvedZone = dateTime.resolvedOptions().timeZone;
  const offset = time.formatToParts(Date.now()).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const joinList = (items: readonly string[]): string => list.format(items);
  return {
    list: joinList,
    finding: (f) =>
      f.text
        ? f.text[lang]
        : isFindingCode(f.code)
          ? t.findings[f.code](findingReader(f.args, joinList))
          : f.message,
    dateTime: (ms) => dateTime.format(ms),
    time: (ms) => time.format(ms),
    clock: (ms) => clock.format(ms),
    zone: `${resolvedZone} (${offset})`,
  };
}
