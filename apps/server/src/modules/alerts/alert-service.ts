import type { FastifyBaseLogger } from 'fastify';
import type { Alert, AlertDeliveryResult } from '@keepwatch/shared';
import type { ActiveAlert, ObservedAlert } from './alert-engine';
import { noticeOf as notice, type AlertNotice } from './alert-notice';
import { RECENT_KEPT, firingNewestFirst } from './alert-list';
import { EvaluationState, type AlertPlan, type EvaluationHooks } from './alert-evaluation';
import { StartupGrace } from './startup-grace';
import type { ChannelStore } from './channel-store';
import type { AlertRepos, AlertTuning, StatusSource } from './alert-tuning';
import { LeaseGate, type EvaluationLease } from './alert-lease';
import { AlertDelivery } from './alert-delivery';
import { HoldTimer } from './hold-timer';

export {
  DEFAULT_TUNING,
  type AlertRepos,
  type AlertTuning,
  type StatusSource,
} from './alert-tuning';
export type { EvaluationLease } from './alert-lease';

/**
 * Turns status into alerts (firing/resolved), queues their notifications and delivers them.
 * Incremental (SPEC.md): a status change evaluates the changed clusters only, from the alerts
 * kept in memory; the database is written, never read, by an evaluation. Storage goes through
 * the repositories (app.repos.alerts, alertChannels, alertQueue); evaluations run one at a
 * time (each plans from what the previous one committed); what they plan from is in
 * alert-evaluation.ts.
 */
export class AlertService implements EvaluationHooks {
  private readonly delivery: AlertDelivery;
  private readonly state: EvaluationState;
  /** The evaluation running or last run: the next one starts after it. */
  private serial: Promise<unknown> = Promise.resolve();
  private tickQueued: Promise<boolean> | undefined;
  private readonly grace: StartupGrace;
  private readonly gate: LeaseGate;
  private readonly hold: HoldTimer;
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
   * The clusters with a maintenance window open or to come: the tick re-evaluates them (and
   * those with a finding held at their last evaluation, whose window may just have ended), as
   * a window starts and ends without any status change.
   * Unset while `held` is set: every cluster is re-evaluated each tick (correct, O(fleet)).
   */
  heldClusters: (() => Iterable<string>) | undefined;
  /**
   * Alerts observed by other modules than the cluster status (modules/drills: a scheduled
   * drill that failed or was refused). Fired and resolved like any other.
   */
  extraObserved: (() => ObservedAlert[]) | undefined;

  /** AL-5: a (re)start restores the firing alerts and the latest resolved ones, once. */
  static async open(
    repos: AlertRepos,
    status: StatusSource,
    now: () => number,
    tuning: AlertTuning,
    log: FastifyBaseLogger,
    lease?: EvaluationLease,
  ): Promise<AlertService> {
    const service = new AlertService(repos, status, now, tuning, log, lease);
    await service.reload();
    return service;
  }

  private constructor(
    private readonly repos: AlertRepos,
    private readonly status: StatusSource,
    private readonly now: () => number,
    private readonly tuning: AlertTuning,
    private readonly log: FastifyBaseLogger,
    lease?: EvaluationLease,
  ) {
    this.gate = new LeaseGate(lease);
    this.delivery = new AlertDelivery(repos, tuning.backoff, now, log, (err, what) =>
      this.onError(err, what),
    );
    this.hold = new HoldTimer(now, () => {
      this.tick().catch((err: unknown) => this.onError(err, 'alert evaluation'));
    });
    this.state = new EvaluationState(status, tuning, this.hold, this);
    const restored = function* (s: StatusSource) {
      for (const id of s.clusterIds()) {
        const c = s.cluster(id);
        if (c) yield c;
      }
    };
    this.grace = new StartupGrace(
      now(),
      tuning.startupGraceMs,
      tuning.startupGraceMs > 0 ? restored(status) : [],
    );
  }

  /** The alert channels (the delivery side's store). */
  get channels(): ChannelStore {
    return this.delivery.channels;
  }

  /** Firing alerts and the latest resolved ones, newest first (from memory, no query). */
  list(recentLimit = RECENT_KEPT): { active: Alert[]; recent: Alert[] } {
    return {
      active: firingNewestFirst(this.state.active.all()),
      recent: this.state.recent.latest(recentLimit),
    };
  }

  /** The firing alerts (from memory). */
  firing(): ActiveAlert[] {
    return [...this.state.active.all()];
  }

  /** Runs `fn` after the evaluation in progress (evaluations plan from committed state). */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /**
   * One evaluation: fire, resolve, re-notify; resolves to whether anything was queued. With
   * `clusterIds`, only those clusters (AL-2); without, every cluster and the extra scope.
   */
  evaluate(clusterIds?: Iterable<string>): Promise<boolean> {
    const ids = clusterIds === undefined ? undefined : [...clusterIds];
    return this.inTurn(() => this.evaluateNow(ids));
  }

  private async evaluateNow(clusterIds: readonly string[] | undefined): Promise<boolean> {
    if (!(await this.mayEvaluate())) return false;
    const now = this.now();
    if (clusterIds !== undefined)
      for (const id of clusterIds) this.grace.look(id, this.status.cluster(id));
    const grace = this.grace.holds(now);
    if (grace.holds) {
      // Nothing may change when the grace ends, so look again then rather than at the next change.
      this.hold.wakeAt(this.grace.endsAt);
      return false;
    }
    return this.evaluateScopes(
      clusterIds === undefined || grace.justEnded ? this.state.allScopes() : new Set(clusterIds),
      now,
    );
  }

  /**
   * The periodic pass (every second): what changes with time alone, not with status: hold
   * periods, re-notification, maintenance windows starting or ending, the extra observers,
   * and scopes a failed transaction left behind. A tick asked for while one waits its turn
   * is that one.
   */
  tick(): Promise<boolean> {
    if (this.tickQueued) return this.tickQueued;
    const run = this.inTurn(() => {
      this.tickQueued = undefined;
      return this.tickNow();
    });
    this.tickQueued = run;
    return run;
  }

  private async tickNow(): Promise<boolean> {
    if (!(await this.mayEvaluate())) return false;
    const now = this.now();
    const grace = this.grace.holds(now);
    if (grace.holds) return false;
    if (grace.justEnded) return this.evaluateScopes(this.state.allScopes(), now);
    try {
      return await this.evaluateScopes(this.state.dueScopes(now), now);
    } finally {
      this.state.wakeAtEarliestHoldEnd();
    }
  }

  /** AL-9 (alert-lease.ts): only the lease's holder evaluates. */
  private mayEvaluate(): Promise<boolean> {
    return this.gate.check({
      lost: () => this.state.forget(),
      gained: async () => {
        await this.reload();
        this.state.retryAll();
      },
    });
  }

  /**
   * Reads the firing and the latest resolved alerts again from the table: a replica that
   * does not evaluate (AL-9) calls it when another replica says the alerts changed.
   */
  async reload(): Promise<void> {
    const [active, recent] = await Promise.all([
      this.repos.alerts.active(),
      this.repos.alerts.recent(RECENT_KEPT),
    ]);
    this.state.replace(active, recent);
  }

  private async evaluateScopes(scopes: ReadonlySet<string>, now: number): Promise<boolean> {
    const plan = this.state.plan(scopes, now);
    if (plan.fire.length + plan.resolve.length + plan.renotify.length === 0) return false;
    let ids: number[];
    try {
      ids = await this.commit(plan, now);
    } catch (err) {
      this.state.failed(scopes);
      throw err;
    }
    // The in-memory alerts follow only once the transaction committed (written through).
    this.state.committed(plan, ids, scopes, now);
    for (const o of plan.fire) this.log.warn({ alert: o.key }, `alert firing: ${o.message}`);
    for (const a of plan.resolve) this.log.info({ alert: a.key }, `alert resolved: ${a.message}`);
    this.onChanged?.();
    this.kick();
    return true;
  }

  /** One transaction: the rows and their notices; the new alerts' ids in `fire` order. */
  private commit({ fire, resolve, renotify }: AlertPlan, now: number): Promise<number[]> {
    return this.repos.alerts.commit(
      {
        fire: fire.map((o) => ({ alert: o, notice: notice('firing', o, now, now) })),
        resolve: resolve.map((a) => ({
          id: a.id,
          notice: notice('resolved', a, a.firingAt, now, now),
        })),
        renotify: renotify.map((a) => ({ id: a.id, notice: notice('firing', a, a.firingAt, now) })),
      },
      now,
    );
  }

  /** A one-off notice (no alert behind it) to every enabled channel: a drill's result. */
  announce(n: AlertNotice): void {
    this.delivery.announce(n);
  }

  /** Starts a delivery pass unless one runs (AlertDelivery.kick). */
  kick(): void {
    this.delivery.kick();
  }

  /** Stops the hold timer and waits for the evaluation and delivery pass in progress (shutdown). */
  async idle(): Promise<void> {
    this.hold.stop();
    await this.serial;
    await this.delivery.idle();
  }

  /** Sends a test notice right away, outside the queue, and reports how it went. */
  test(channelId: number): Promise<AlertDeliveryResult | undefined> {
    return this.delivery.test(channelId);
  }
}
