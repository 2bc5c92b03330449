import type { AlertQueueRepository, ClaimedDelivery } from '../../storage/alerts-repository';
import type { AlertNotice } from './alert-notice';

export type Delivery = ClaimedDelivery;

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

/** How long a claimed delivery is reserved for its sender: longer than any channel's timeouts. */
export const CLAIM_LEASE_MS = 120_000;

/**
 * The durable queue (app.repos.alertQueue): pending → sent | failed, across restarts and
 * replicas. A delivery is claimed before it is sent (one sender at a time; a dead sender's
 * claim runs out and the delivery is due again), and backoff is applied here.
 */
export class DeliveryQueue {
  constructor(
    private readonly repo: AlertQueueRepository,
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  enqueueAll(alertId: number | null, notice: AlertNotice, now: number): Promise<number> {
    return this.repo.enqueueAll(alertId, notice, now);
  }

  claim(now: number, limit = 20): Promise<Delivery[]> {
    return this.repo.claim(now, limit, CLAIM_LEASE_MS);
  }

  sent(d: Delivery, now: number): Promise<boolean> {
    return this.repo.sent(d, now);
  }

  /** Records a failed attempt: retried later with backoff, or failed for good. */
  failed(d: Delivery, error: string, now: number): Promise<boolean> {
    const attempts = d.attempts + 1;
    return this.repo.failed(d, {
      error,
      nextAt: now + backoffDelay(attempts, this.policy),
      final: attempts >= this.policy.maxAttempts,
    });
  }
}
