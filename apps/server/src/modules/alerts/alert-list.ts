import type { Alert } from '@keepwatch/shared';
import type { ActiveAlert } from './alert-engine';

/** How many resolved alerts are kept in memory for the lists (REST default and live feed). */
export const RECENT_KEPT = 100;

/** A firing alert as the API shows it. */
export const publicAlert = (a: ActiveAlert, resolvedAt: number | null = null): Alert => ({
  id: a.id,
  key: a.key,
  rule: a.rule,
  severity: a.severity,
  cluster: a.cluster,
  message: a.message,
  firingAt: a.firingAt,
  resolvedAt,
  ...(a.code !== undefined && { code: a.code }),
  ...(a.args !== undefined && { args: a.args }),
  ...(a.text !== undefined && { text: a.text }),
});

const newestFirst = (a: Alert, b: Alert): number => b.firingAt - a.firingAt || b.id - a.id;

/**
 * The latest resolved alerts, in memory: loaded from the alerts table at start, then written
 * through after each committed evaluation, so the lists (GET /alerts, every live alert
 * message: once per alert change under load) are no query.
 */
export class RecentAlerts {
  private list: Alert[];

  constructor(loaded: readonly Alert[]) {
    this.list = loaded.slice(0, RECENT_KEPT);
  }

  resolved(a: ActiveAlert, at: number): void {
    this.list.unshift(publicAlert(a, at));
    if (this.list.length > RECENT_KEPT) this.list.length = RECENT_KEPT;
  }

  latest(limit: number): Alert[] {
    return this.list.slice(0, limit);
  }
}

/** Firing alerts newest first (firing_at, id), as the lists show them. */
export const firingNewestFirst = (active: Iterable<ActiveAlert>): Alert[] =>
  [...active].map((a) => publicAlert(a)).sort(newestFirst);
