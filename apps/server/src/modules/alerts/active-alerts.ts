import type { ActiveAlert } from './alert-engine';

/**
 * Alerts not observed from a cluster's status (modules/drills' scheduled-drill alerts) are
 * evaluated together in this scope, on every full evaluation and every tick.
 */
export const EXTRA_SCOPE = '\u0000extra';

/**
 * The scope an alert is evaluated in (SPEC AL-1): its cluster when its key is one of the
 * cluster's status keys (`cluster|rule|…`, alert-engine.ts), the extra scope otherwise.
 */
export const scopeOf = (a: { key: string; cluster: string }): string =>
  a.key.startsWith(`${a.cluster}|`) ? a.cluster : EXTRA_SCOPE;

/**
 * The firing alerts, in memory and indexed by scope (SPEC AL-3): loaded once from the alerts
 * table at start, then written through by the service after each committed transaction, so an
 * evaluation never reads the table.
 */
export class ActiveAlerts {
  private readonly byScope = new Map<string, Map<string, ActiveAlert>>();
  private count = 0;

  constructor(rows: readonly ActiveAlert[]) {
    for (const r of rows) this.add(r);
  }

  get size(): number {
    return this.count;
  }

  inScope(scope: string): ActiveAlert[] {
    const m = this.byScope.get(scope);
    return m ? [...m.values()] : [];
  }

  *all(): IterableIterator<ActiveAlert> {
    for (const m of this.byScope.values()) yield* m.values();
  }

  scopes(): IterableIterator<string> {
    return this.byScope.keys();
  }

  add(a: ActiveAlert): void {
    const scope = scopeOf(a);
    let m = this.byScope.get(scope);
    if (!m) this.byScope.set(scope, (m = new Map<string, ActiveAlert>()));
    if (!m.has(a.key)) this.count += 1;
    m.set(a.key, a);
  }

  remove(a: { key: string; cluster: string }): void {
    const scope = scopeOf(a);
    const m = this.byScope.get(scope);
    if (!m?.delete(a.key)) return;
    this.count -= 1;
    if (m.size === 0) this.byScope.delete(scope);
  }

  notified(a: ActiveAlert, at: number): void {
    const held = this.byScope.get(scopeOf(a))?.get(a.key);
    if (held) held.lastNotifiedAt = at;
  }

  /** Scopes with an alert due for re-notification at `now` (renotifyMs > 0). */
  dueForRenotify(now: number, renotifyMs: number): string[] {
    const due: string[] = [];
    for (const [scope, m] of this.byScope)
      for (const a of m.values())
        if (now - (a.lastNotifiedAt ?? a.firingAt) >= renotifyMs) {
          due.push(scope);
          break;
        }
    return due;
  }
}
