import type { Database } from 'better-sqlite3';
import type { AlertNotice } from './alert-notice';

export interface Delivery {
  id: number;
  channelId: number;
  notice: AlertNotice;
  attempts: number;
}

export interface BackoffPolicy {
  /** First retry after this; doubles per attempt. */
  baseMs: number;
  maxMs: number;
  /** After this many failed attempts the delivery is `failed` for good. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000, maxAttempts: 10 };

/** Delay before attempt `attempts + 1` after `attempts` failures (exponential, capped). */
export function backoffDelay(attempts: number, p: BackoffPolicy): number {
  return Math.min(p.baseMs * 2 ** Math.max(0, attempts - 1), p.maxMs);
}

interface Row {
  id: number;
  channel_id: number;
  payload: string;
  attempts: number;
}

/** The alert_deliveries table: pending → sent | failed, durable across restarts. */
export class DeliveryQueue {
  constructor(
    private readonly db: Database,
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  enqueue(alertId: number | null, channelId: number, notice: AlertNotice, now: number): void {
    this.db
      .prepare(
        `INSERT INTO alert_deliveries (alert_id, channel_id, event, payload, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(alertId, channelId, notice.event, JSON.stringify(notice), now, now);
  }

  due(now: number, limit = 20): Delivery[] {
    const rows = this.db
      .prepare(
        `SELECT id, channel_id, payload, attempts FROM alert_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      )
      .all(now, limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      channelId: r.channel_id,
      notice: JSON.parse(r.payload) as AlertNotice,
      attempts: r.attempts,
    }));
  }

  sent(id: number, now: number): void {
    this.db
      .prepare(
        "UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
      )
      .run(now, id);
  }

  /** Records a failed attempt: retried later with backoff, or failed for good. */
  failed(d: Delivery, error: string, now: number): void {
    const attempts = d.attempts + 1;
    const final = attempts >= this.policy.maxAttempts;
    this.db
      .prepare(
        'UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
      )
      .run(
        final ? 'failed' : 'pending',
        attempts,
        now + backoffDelay(attempts, this.policy),
        error.slice(0, 1000),
        d.id,
      );
  }
}
