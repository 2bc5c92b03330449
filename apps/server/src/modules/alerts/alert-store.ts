import type { Database } from 'better-sqlite3';
import type { Alert, FindingArgs } from '@keepwatch/shared';
import type { ActiveAlert, ObservedAlert } from './alert-engine';

interface AlertRow {
  id: number;
  key: string;
  rule: string;
  severity: string;
  cluster: string;
  message: string;
  firing_at: number;
  resolved_at: number | null;
  last_notified_at: number | null;
  code: string | null;
  args: string | null;
  text: string | null;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  key: r.key,
  rule: r.rule,
  severity: r.severity,
  cluster: r.cluster,
  message: r.message,
  firingAt: r.firing_at,
  resolvedAt: r.resolved_at,
  ...(r.code !== null && { code: r.code }),
  ...(r.args !== null && { args: JSON.parse(r.args) as FindingArgs }),
  ...(r.text !== null && { text: JSON.parse(r.text) as Alert['text'] }),
});

/** The alerts table: one row per firing episode; active = resolved_at IS NULL. */
export class AlertStore {
  constructor(private readonly db: Database) {}

  active(): ActiveAlert[] {
    const rows = this.db
      .prepare('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY firing_at, id')
      .all() as AlertRow[];
    return rows.map((r) => ({ ...toAlert(r), lastNotifiedAt: r.last_notified_at }));
  }

  /** Active alerts plus the latest resolved ones, newest first. */
  list(recentLimit = 100): { active: Alert[]; recent: Alert[] } {
    const active = this.db
      .prepare('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY firing_at DESC, id DESC')
      .all() as AlertRow[];
    const recent = this.db
      .prepare(
        'SELECT * FROM alerts WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ?',
      )
      .all(recentLimit) as AlertRow[];
    return { active: active.map(toAlert), recent: recent.map(toAlert) };
  }

  fire(o: ObservedAlert, at: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO alerts (key, rule, severity, cluster, message, firing_at, last_notified_at, code, args, text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.key,
        o.rule,
        o.severity,
        o.cluster,
        o.message,
        at,
        at,
        o.code ?? null,
        o.args === undefined ? null : JSON.stringify(o.args),
        o.text === undefined ? null : JSON.stringify(o.text),
      );
    return Number(info.lastInsertRowid);
  }

  resolve(id: number, at: number): void {
    this.db
      .prepare('UPDATE alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL')
      .run(at, id);
  }

  notified(id: number, at: number): void {
    this.db.prepare('UPDATE alerts SET last_notified_at = ? WHERE id = ?').run(at, id);
  }
}
