import type { FastifyBaseLogger } from 'fastify';
import type { Alert, AlertDeliveryResult } from '@keepwatch/shared';
import { observe, planAlerts, type ActiveAlert, type ObservedAlert } from './alert-engine';
import { noticeOf as notice, type AlertNotice } from './alert-notice';
import { ActiveAlerts, EXTRA_SCOPE } from './active-alerts';
import { RECENT_KEPT, RecentAlerts, firingNewestFirst } from './alert-list';
import { StartupGrace } from './startup-grace';
import type { ChannelStore } from './channel-store';
import type { AlertRepos, AlertTuning, StatusSource } from './alert-tuning';
import { LeaseGate, type EvaluationLease } from './alert-lease';
import { AlertDelivery } from './alert-delivery';
import { HoldTimer } from './hold-timer';

const NONE: ReadonlySet<string> = new Set();

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
 * time (each plans from what the previous one committed).
 */
export class AlertService {
  private readonly delivery: AlertDelivery;
  private recent: RecentAlerts;
  /** The evaluation running or last run: the next one starts after it. */
  private serial: Promise<unknown> = Promise.resolve();
  private tickQueued: Promise<boolean> | undefined;
  /** scope → (key → first seen) of findings observed but not firing yet. */
  private readonly pending = new Map<string, Map<string, number>>();
  private active: ActiveAlerts;
  private readonly grace: StartupGrace;
  private readonly gate: LeaseGate;
  /** Scopes a failed transaction left unevaluated: retried at the next tick. */
  private readonly retry = new Set<string>();
  /** Clusters with a finding held by maintenance when last evaluated: the tick re-checks them. */
  private readonly heldSeen = new Set<string>();
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
    this.active = new ActiveAlerts([]);
    this.recent = new RecentAlerts([]);
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
      active: firingNewestFirst(this.active.all()),
      recent: this.recent.latest(recentLimit),
    };
  }

  /** The firing alerts (from memory). */
  firing(): ActiveAlert[] {
    return [...this.active.all()];
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
      clusterIds === undefined || grace.justEnded ? this.allScopes() : new Set(clusterIds),
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
    if (grace.justEnded) return this.evaluateScopes(this.allScopes(), now);
    const scopes = new Set<string>([EXTRA_SCOPE, ...this.retry]);
    for (const [scope, p] of this.pending)
      for (const since of p.values())
        if (now - since >= this.tuning.holdMs) {
          scopes.add(scope);
          break;
        }
    if (this.tuning.renotifyMs > 0)
      for (const s of this.active.dueForRenotify(now, this.tuning.renotifyMs)) scopes.add(s);
    if (this.held) {
      if (!this.heldClusters) return this.evaluateScopes(this.allScopes(), now);
      for (const id of this.heldClusters()) scopes.add(id);
      // Evaluating them puts back those still holding something.
      for (const id of this.heldSeen) scopes.add(id);
      this.heldSeen.clear();
    }
    try {
      return await this.evaluateScopes(scopes, now);
    } finally {
      this.wakeAtEarliestHoldEnd();
    }
  }

  /** AL-9 (alert-lease.ts): only the lease's holder evaluates. */
  private mayEvaluate(): Promise<boolean> {
    return this.gate.check({
      lost: () => {
        this.pending.clear();
        this.retry.clear();
        this.heldSeen.clear();
      },
      gained: async () => {
        await this.reload();
        for (const s of this.allScopes()) this.retry.add(s);
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
    this.active = new ActiveAlerts(active);
    this.recent = new RecentAlerts(recent);
  }

  private allScopes(): Set<string> {
    const scopes = new Set<string>(this.status.clusterIds());
    for (const s of this.active.scopes()) scopes.add(s);
    for (const s of this.pending.keys()) scopes.add(s);
    scopes.add(EXTRA_SCOPE);
    return scopes;
  }

  private async evaluateScopes(scopes: ReadonlySet<string>, now: number): Promise<boolean> {
    const fire: ObservedAlert[] = [];
    const resolve: ActiveAlert[] = [];
    const renotify: ActiveAlert[] = [];
    for (const scope of scopes) {
      const { observed, heldKeys } = this.observeScope(scope);
      const plan = planAlerts({
        active: this.active.inScope(scope),
        observed,
        pending: this.pending.get(scope) ?? new Map<string, number>(),
        now,
        holdMs: this.tuning.holdMs,
        renotifyMs: this.tuning.renotifyMs,
      });
      if (plan.pending.size > 0) this.pending.set(scope, plan.pending);
      else this.pending.delete(scope);
      for (const since of plan.pending.values()) this.hold.wakeBy(since + this.tuning.holdMs);
      fire.push(...plan.fire);
      resolve.push(...plan.resolve);
      renotify.push(...plan.renotify.filter((a) => !heldKeys.has(a.key)));
    }
    if (fire.length + resolve.length + renotify.length === 0) return false;
    try {
      await this.commit(fire, resolve, renotify, now);
    } catch (err) {
      for (const s of scopes) this.retry.add(s);
      throw err;
    }
    for (const s of scopes) this.retry.delete(s);
    for (const o of fire) this.log.warn({ alert: o.key }, `alert firing: ${o.message}`);
    for (const a of resolve) this.log.info({ alert: a.key }, `alert resolved: ${a.message}`);
    this.onChanged?.();
    this.kick();
    return true;
  }

  /** One transaction; the in-memory alerts follow only once it committed (written through). */
  private async commit(
    fire: ObservedAlert[],
    resolve: ActiveAlert[],
    renotify: ActiveAlert[],
    now: number,
  ): Promise<void> {
    const ids = await this.repos.alerts.commit(
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
    fire.forEach((o, i) =>
      this.active.add({ ...o, id: ids[i] ?? 0, firingAt: now, lastNotifiedAt: now }),
    );
    for (const a of resolve) this.active.remove(a);
    // Latest first, as the table orders them (resolved_at, then id).
    for (const a of [...resolve].sort((x, y) => x.id - y.id)) this.recent.resolved(a, now);
    for (const a of renotify) this.active.notified(a, now);
  }

  /**
   * A scope's observed alerts minus held ones; a held one already firing stays observed (not
   * resolved). Maintenance is asked about this cluster's findings only.
   */
  private observeScope(scope: string): {
    observed: ObservedAlert[];
    heldKeys: ReadonlySet<string>;
  } {
    if (scope === EXTRA_SCOPE) return { observed: this.extraObserved?.() ?? [], heldKeys: NONE };
    const c = this.status.cluster(scope);
    if (!c) return { observed: [], heldKeys: NONE };
    const all = observe([c]);
    const held = this.held;
    if (!held || c.findings.length === 0) return { observed: all, heldKeys: NONE };
    const heldFindings = c.findings.filter((f) => held(c.id, f.nodes ?? []));
    if (heldFindings.length === 0) return { observed: all, heldKeys: NONE };
    const heldKeys = new Set(observe([{ ...c, findings: heldFindings }]).map((o) => o.key));
    this.heldSeen.add(scope);
    const firing = new Set(this.active.inScope(scope).map((a) => a.key));
    return { observed: all.filter((o) => !heldKeys.has(o.key) || firing.has(o.key)), heldKeys };
  }

  /** After a tick, the timer for the pending findings of scopes it did not look at. */
  private wakeAtEarliestHoldEnd(): void {
    let earliest = Infinity;
    for (const p of this.pending.values())
      for (const since of p.values()) earliest = Math.min(earliest, since + this.tuning.holdMs);
    if (earliest < Infinity) this.hold.wakeBy(earliest);
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
