import type { Database } from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import type { StatusCluster } from '@keepwatch/shared';
import { observe, planAlerts, type ObservedAlert } from './alert-engine';
import type { AlertDeliveryResult } from '@keepwatch/shared';
import type { AlertNotice } from './alert-notice';
import { AlertStore } from './alert-store';
import { sendNotice } from './channels/send-notice';
import { ChannelStore } from './channel-store';
import { DEFAULT_BACKOFF, DeliveryQueue, type BackoffPolicy } from './delivery-queue';

export interface AlertTuning {
  /** A finding must persist this long before it fires (default 2 s). */
  holdMs: number;
  /** Re-send a still-firing alert this often; 0 = never (default). */
  renotifyMs: number;
  /**
   * After a start, while any known agent is still offline, nothing fires or resolves for up to
   * this long (default 15 s): restored agents are offline until they reconnect, and their
   * alerts must neither resolve nor re-fire meanwhile.
   */
  startupGraceMs: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_TUNING: AlertTuning = {
  holdMs: 2_000,
  renotifyMs: 0,
  startupGraceMs: 15_000,
  backoff: DEFAULT_BACKOFF,
};

const notice = (
  event: AlertNotice['event'],
  a: ObservedAlert,
  firingAt: number,
  at: number,
  resolvedAt?: number,
): AlertNotice => ({
  event,
  alert: {
    key: a.key,
    rule: a.rule,
    severity: a.severity,
    cluster: a.cluster,
    message: a.message,
    firingAt,
    ...(resolvedAt !== undefined && { resolvedAt }),
  },
  at,
});

/** Turns status into alerts (firing/resolved), queues their notifications and delivers them. */
export class AlertService {
  readonly alerts: AlertStore;
  readonly channels: ChannelStore;
  private readonly queue: DeliveryQueue;
  private pending = new Map<string, number>();
  private readonly startedAt: number;
  private readonly seenOnline = new Set<string>();
  private inFlight: Promise<void> | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private again = false;
  /** Called after an evaluation fired, resolved or re-notified something (the live feed). */
  onChanged: (() => void) | undefined;
  /** Told about a failed evaluation or delivery pass (a full disk…); default: logged. */
  onError: (err: unknown, what: string) => void = (err, what) =>
    this.log.error({ err }, `${what} failed`);
  /**
   * Maintenance windows (modules/maintenance): a finding of a held cluster/nodes neither fires
   * nor re-notifies, and an alert already firing for it stays as it is until the window ends.
   */
  held: ((cluster: string, nodes: readonly string[]) => boolean) | undefined;
  /**
   * Alerts observed by other modules than the cluster status (modules/drills: a scheduled
   * drill that failed or was refused). Fired and resolved like any other.
   */
  extraObserved: (() => ObservedAlert[]) | undefined;

  constructor(
    private readonly db: Database,
    private readonly status: () => StatusCluster[],
    private readonly now: () => number,
    private readonly tuning: AlertTuning,
    private readonly log: FastifyBaseLogger,
  ) {
    this.alerts = new AlertStore(db);
    this.channels = new ChannelStore(db);
    this.queue = new DeliveryQueue(db, tuning.backoff);
    this.startedAt = now();
  }

  /** One evaluation: fire, resolve, re-notify; returns whether anything was queued. */
  evaluate(): boolean {
    const now = this.now();
    const clusters = this.status();
    if (this.inGrace(now, clusters)) {
      // Nothing may change when the grace ends, so look again then rather than at the next change.
      this.wakeAt(this.startedAt + this.tuning.startupGraceMs - now);
      return false;
    }
    const active = this.alerts.active();
    const { observed, heldKeys } = this.withoutHeld(clusters, active);
    const plan = planAlerts({
      active,
      observed,
      pending: this.pending,
      now,
      holdMs: this.tuning.holdMs,
      renotifyMs: this.tuning.renotifyMs,
    });
    plan.renotify = plan.renotify.filter((a) => !heldKeys.has(a.key));
    this.pending = plan.pending;
    this.wakeAtHoldEnd(now);
    const work = plan.fire.length + plan.resolve.length + plan.renotify.length;
    if (work === 0) return false;
    this.db.transaction(() => {
      for (const o of plan.fire)
        this.enqueueAll(this.alerts.fire(o, now), notice('firing', o, now, now));
      for (const a of plan.resolve) {
        this.alerts.resolve(a.id, now);
        this.enqueueAll(a.id, notice('resolved', a, a.firingAt, now, now));
      }
      for (const a of plan.renotify) {
        this.alerts.notified(a.id, now);
        this.enqueueAll(a.id, notice('firing', a, a.firingAt, now));
      }
    })();
    for (const o of plan.fire) this.log.warn({ alert: o.key }, `alert firing: ${o.message}`);
    for (const a of plan.resolve) this.log.info({ alert: a.key }, `alert resolved: ${a.message}`);
    this.onChanged?.();
    this.kick();
    return true;
  }

  /** Observed alerts minus held ones; a held one already firing stays observed (not resolved). */
  private withoutHeld(
    clusters: StatusCluster[],
    active: readonly { key: string }[],
  ): { observed: ObservedAlert[]; heldKeys: Set<string> } {
    const all = [...observe(clusters), ...(this.extraObserved?.() ?? [])];
    const held = this.held;
    if (!held) return { observed: all, heldKeys: new Set() };
    const heldOnly = clusters.map((c) => ({
      ...c,
      findings: c.findings.filter((f) => held(c.id, f.nodes ?? [])),
    }));
    const heldKeys = new Set(observe(heldOnly).map((o) => o.key));
    const firing = new Set(active.map((a) => a.key));
    return { observed: all.filter((o) => !heldKeys.has(o.key) || firing.has(o.key)), heldKeys };
  }

  /** Re-evaluates when the earliest pending finding's hold ends, not at the next tick. */
  private wakeAtHoldEnd(now: number): void {
    clearTimeout(this.holdTimer);
    if (this.pending.size === 0) return;
    this.wakeAt(Math.min(...this.pending.values()) + this.tuning.holdMs - now);
  }

  private wakeAt(due: number): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(
      () => {
        try {
          this.evaluate();
        } catch (err) {
          this.onError(err, 'alert evaluation');
        }
      },
      Math.max(0, due) + 1,
    );
    this.holdTimer.unref();
  }

  /** Right after a start, while restored agents have not reconnected yet, nothing changes. */
  private inGrace(now: number, clusters: StatusCluster[]): boolean {
    if (now - this.startedAt >= this.tuning.startupGraceMs) return false;
    // Only nodes restored from the database that have not reconnected yet hold alerts back:
    // an agent seen online since this start that then drops is real news, grace or not.
    for (const c of clusters)
      for (const n of c.nodes) if (n.online) this.seenOnline.add(`${c.id}|${n.name}`);
    return clusters.some((c) => c.nodes.some((n) => !this.seenOnline.has(`${c.id}|${n.name}`)));
  }

  /** A one-off notice (no alert behind it) to every enabled channel: a drill's result. */
  announce(n: AlertNotice): void {
    for (const c of this.channels.enabled()) this.queue.enqueue(null, c.id, n, this.now());
    this.kick();
  }

  private enqueueAll(alertId: number, n: AlertNotice): void {
    for (const c of this.channels.enabled()) this.queue.enqueue(alertId, c.id, n, this.now());
  }

  /** Starts a delivery pass unless one runs; a pass started meanwhile is folded into a rerun. */
  kick(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    // A rejected pass (the queue's table unreadable or unwritable) must not become an
    // unhandled rejection, which ends the process: it is reported and retried next tick.
    this.inFlight = this.deliverDue()
      .catch((err: unknown) => this.onError(err, 'alert delivery pass'))
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async deliverDue(): Promise<void> {
    for (const d of this.queue.due(this.now())) {
      const channel = this.channels.get(d.channelId);
      if (!channel) continue;
      try {
        await sendNotice(channel, d.notice, this.now());
        this.queue.sent(d.id, this.now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn(
          { channel: channel.id, delivery: d.id, attempt: d.attempts + 1 },
          `alert delivery failed: ${message}`,
        );
        this.queue.failed(d, message, this.now());
      }
    }
  }

  /** Stops the hold timer and waits for the delivery pass in progress (shutdown). */
  async idle(): Promise<void> {
    clearTimeout(this.holdTimer);
    while (this.inFlight) await this.inFlight;
  }

  /** Sends a test notice right away, outside the queue, and reports how it went. */
  async test(channelId: number): Promise<AlertDeliveryResult | undefined> {
    const channel = this.channels.get(channelId);
    if (!channel) return undefined;
    const at = this.now();
    const probe: ObservedAlert = {
      key: 'test',
      rule: 'TEST',
      severity: 'info',
      cluster: 'keepwatch',
      message: `test notification from Keepwatch to channel "${channel.name}" / 测试通知`,
    };
    const started = Date.now();
    try {
      await sendNotice(channel, notice('test', probe, at, at), at);
      return { ok: true, durationMs: Date.now() - started };
    } catch (err) {
      return {
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        durationMs: Date.now() - started,
      };
    }
  }
}
