import type { ReadinessCheck } from '@keepwatch/shared';

/** One structural difference of config-same (server: insight/nginx-compare.ts), '' = absent. */
export interface ConfigDifference {
  where: string;
  master: string;
  backup: string;
}

const isDiff = (v: unknown): v is ConfigDifference =>
  typeof v === 'object' &&
  v !== null &&
  ['where', 'master', 'backup'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** The differences a config-same check carries, and how many it left out. */
export function configDifferences(c: ReadinessCheck): { shown: ConfigDifference[]; more: number } {
  const raw = c.args['diffs'];
  if (c.id !== 'config-same' || typeof raw !== 'string') return { shown: [], more: 0 };
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return { shown: [], more: 0 };
  }
  const shown = Array.isArray(list) ? list.filter(isDiff) : [];
  const total = typeof c.args['differences'] === 'number' ? c.args['differences'] : shown.length;
  return { shown, more: Math.max(0, total - shown.length) };
}
