import type { DurationUnits } from '../../i18n/dictionary';
import { formatDuration } from '../../lib/format-duration';
import type { Alert } from '@keepwatch/shared';

/* Ordering and time labels of the alert lists: pure, time injected. */

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };
const rank = (severity: string): number => SEVERITY_RANK[severity] ?? 3;

/** Active alerts: the worst first, then the longest-firing (it has waited longest for a human). */
export function sortActive(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.firingAt - b.firingAt || a.id - b.id,
  );
}

/** Resolved alerts: the latest resolution first. */
export function sortRecent(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0) || b.id - a.id);
}

/**
 * "3m 12s" since `then`, or null for "just now": under 5 s (a just-fired alert should not
 * tick "1s, 2s") and for a future time (clock skew between server and browser).
 */
export function relativeAge(now: number, then: number, units: DurationUnits): string | null {
  const ms = now - then;
  return ms < 5000 ? null : formatDuration(ms, units);
}

/** How long an alert fired: resolvedAt − firingAt, or null while active. */
export function firingDuration(alert: Alert, units: DurationUnits): string | null {
  return alert.resolvedAt === null
    ? null
    : formatDuration(alert.resolvedAt - alert.firingAt, units);
}
