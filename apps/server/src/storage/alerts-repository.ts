import type { Alert, AlertChannelInput } from '@keepwatch/shared';
import type { ActiveAlert, ObservedAlert } from '../modules/alerts/alert-engine';
import type { AlertNotice } from '../modules/alerts/alert-notice';
import type { StoredChannel } from '../modules/alerts/channel-store';

/*
 * Alerts' side of the storage contract (repositories.ts): the alert episodes, the channels and
 * the durable notification queue. Implemented once in sql-alerts.ts for both engines, checked
 * by alerts.contract.test.ts against SQLite and a real PostgreSQL. Policy stays in
 * modules/alerts: evaluation runs in memory (SPEC AL-3), backoff and secret masking there too.
 */

/** One evaluation's writes: all in one transaction, each notice queued to every enabled channel. */
export interface AlertCommit {
  fire: { alert: ObservedAlert; notice: AlertNotice }[];
  resolve: { id: number; notice: AlertNotice }[];
  renotify: { id: number; notice: AlertNotice }[];
}

export interface AlertsRepository {
  /** Firing alerts (resolved_at NULL), oldest first (firing_at, id). */
  active(): Promise<ActiveAlert[]>;
  /** Up to `limit` resolved alerts, the latest resolved first (then id). */
  recent(limit: number): Promise<Alert[]>;
  /**
   * Fires (firing_at = last_notified_at = at), resolves (only if still firing), re-notifies,
   * and queues the notices; all or nothing. The ids of the fired alerts, in order.
   */
  commit(c: AlertCommit, at: number): Promise<number[]>;
}

export interface ChannelWrite {
  name: string;
  type: string;
  config: Record<string, unknown>;
  enabled: boolean;
}

export interface AlertChannelsRepository {
  /** By id. */
  all(): Promise<StoredChannel[]>;
  get(id: number): Promise<StoredChannel | undefined>;
  create(input: AlertChannelInput, at: number): Promise<StoredChannel>;
  /** Replaces the channel (config as given: the module resolves masked secrets first). */
  update(id: number, c: ChannelWrite, at: number): Promise<StoredChannel | undefined>;
  /** Deletes the channel and its queued deliveries; false if none. */
  remove(id: number): Promise<boolean>;
}

/** A queued delivery claimed by one sender until `claimedUntil`. */
export interface ClaimedDelivery {
  id: number;
  channelId: number;
  notice: AlertNotice;
  /** Failed attempts so far. */
  attempts: number;
  /** The claim's lease: nobody else claims it before; it also identifies this claim. */
  claimedUntil: number;
}

export interface AlertQueueRepository {
  /** Queues a notice (no alert behind it: a drill's result) to every enabled channel; how many. */
  enqueueAll(alertId: number | null, notice: AlertNotice, at: number): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries due at `now` (oldest due first) until
   * now + leaseMs: two claimers at once never get the same one (PostgreSQL: FOR UPDATE SKIP
   * LOCKED), and a claim whose sender died is due again when its lease ends (not lost).
   */
  claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Marks a claimed delivery sent; false if the claim was lost (lease over, claimed again). */
  sent(d: ClaimedDelivery, at: number): Promise<boolean>;
  /**
   * Records a failed attempt of a claimed delivery: pending again from `nextAt`, or failed for
   * good (`final`). False if the claim was lost.
   */
  failed(
    d: ClaimedDelivery,
    f: { error: string; nextAt: number; final: boolean },
  ): Promise<boolean>;
}
