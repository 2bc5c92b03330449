import type { Alert } from '@keepwatch/shared';
import { observe, planAlerts, type ActiveAlert, type ObservedAlert } from './alert-engine';
import { ActiveAlerts, EXTRA_SCOPE } from './active-alerts';
import { RecentAlerts } from './alert-list';
import type { AlertTuning, StatusSource } from './alert-tuning';
import type { HoldTimer } from './hold-timer';

const NONE: ReadonlySet<string> = new Set();

/** What other modules plug into an evaluation (set on the AlertService by modules/alerts). */
export interface EvaluationHooks {
  held: ((cluster: string, nodes: readonly string[]) => boolean) | undefined;
  heldClusters: (() => Iterable<string>) | undefined;
  extraObserved: (() => ObservedAlert[]) | undefined;
}

/** One evaluation's outcome, to be committed in one transaction. */
export interface AlertPlan {
  fire: ObservedAlert[];
  resolve: ActiveAlert[];
  renotify: ActiveAlert[];
}

/**
 * What an evaluation plans from, all in memory (SPEC AL-3): the firing alerts, the latest
 * resolved ones, the findings observed but not firing yet, the scopes a failed transaction
 * left behind and the clusters seen held by maintenance. AlertService decides when to
 * evaluate (grace, lease, turns) and commits; this class decides what, and follows a commit.
 */
export class EvaluationState {
  active = new ActiveAlerts([]);
  recent = new RecentAlerts([]);
  /** scope → (key → first seen) of findings observed but not firing yet. */
  private readonly pending = new Map<string, Map<string, number>>();
  /** Scopes a failed transaction left unevaluated: retried at the next tick. */
  private readonly retry = new Set<string>();
  /** Clusters with a finding held by maintenance when last evaluated: the tick re-checks them. */
  private readonly heldSeen = new Set<string>();

  constructor(
    private readonly status: StatusSource,
    private readonly tuning: AlertTuning,
    private readonly hold: HoldTimer,
    private readonly hooks: EvaluationHooks,
  ) {}

  /** The alerts as the table holds them (start, AL-5; a reload on another replica's word). */
  replace(active: readonly ActiveAlert[], recent: readonly Alert[]): void {
    this.active = new ActiveAlerts(active);
    this.recent = new RecentAlerts(recent);
  }

  /** AL-9: the lease was lost; what was pending is the new holder's to observe. */
  forget(): void {
    this.pending.clear();
    this.retry.clear();
    this.heldSeen.clear();
  }

  /** AL-9: the lease was gained; the next tick evaluates everything. */
  retryAll(): void {
    for (const s of this.allScopes()) this.retry.add(s);
  }

  allScopes(): Set<string> {
    const scopes = new Set<string>(this.status.clusterIds());
    for (const s of this.active.scopes()) scopes.add(s);
    for (const s of this.pending.keys()) scopes.add(s);
    scopes.add(EXTRA_SCOPE);
    return scopes;
  }

  /**
   * The scopes a tick must look at: the extra scope, retries, holds that ended, alerts due
   * for re-notification and clusters under maintenance (every scope when maintenance cannot
   * say which clusters it holds).
   */
  dueScopes(now: number): Set<string> {
    const scopes = new Set<string>([EXTRA_SCOPE, ...this.retry]);
    for (const [scope, p] of this.pending)
      for (const since of p.values())
        if (now - since >= this.tuning.holdMs) {
          scopes.add(scope);
          break;
        }
    if (this.tuning.renotifyMs > 0)
      for (const s of this.active.dueForRenotify(now, this.tuning.renotifyMs)) scopes.add(s);
    if (this.hooks.held) {
      if (!this.hooks.heldClusters) return this.allScopes();
      for (const id of this.hooks.heldClusters()) scopes.add(id);
      // Evaluating them puts back those still holding something.
      for (const id of this.heldSeen) scopes.add(id);
      this.heldSeen.clear();
    }
    return scopes;
  }

  /** Plans the scopes (pending findings are kept, their hold ends armed on the timer). */
  plan(scopes: ReadonlySet<string>, now: number): AlertPlan {
    const out: AlertPlan = { fire: [], resolve: [], renotify: [] };
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
      out.fire.push(...plan.fire);
      out.resolve.push(...plan.resolve);
      out.renotify.push(...plan.renotify.filter((a) => !heldKeys.has(a.key)));
    }
    return out;
  }

  /** The transaction for these scopes failed: the next tick evaluates them again. */
  failed(scopes: Iterable<string>): void {
    for (const s of scopes) this.retry.add(s);
  }

  /** The plan committed (`ids`: the new alerts' rows, in `fire` order): memory follows. */
  committed(plan: AlertPlan, ids: readonly number[], scopes: Iterable<string>, now: number): void {
    for (const s of scopes) this.retry.delete(s);
    plan.fire.forEach((o, i) =>
      this.active.add({ ...o, id: ids[i] ?? 0, firingAt: now, lastNotifiedAt: now }),
    );
    for (const a of plan.resolve) this.active.remove(a);
    // Latest first, as the table orders them (resolved_at, then id).
    for (const a of [...plan.resolve].sort((x, y) => x.id - y.id)) this.recent.resolved(a, now);
    for (const a of plan.renotify) this.active.notified(a, now);
  }

  /** After a tick, the timer for the pending findings of scopes it did not look at. */
  wakeAtEarliestHoldEnd(): void {
    let earliest = Infinity;
    for (const p of this.pending.values())
      for (const since of p.values()) earliest = Math.min(earliest, since + this.tuning.holdMs);
    if (earliest < Infinity) this.hold.wakeBy(earliest);
  }

  /**
   * A scope's observed alerts minus held ones; a held one already firing stays observed (not
   * resolved). Maintenance is asked about this cluster's findings only.
   */
  private observeScope(scope: string): {
    observed: ObservedAlert[];
    heldKeys: ReadonlySet<string>;
  } {
    if (scope === EXTRA_SCOPE)
      return { observed: this.hooks.extraObserved?.() ?? [], heldKeys: NONE };
    const c = this.status.cluster(scope);
    if (!c) return { observed: [], heldKeys: NONE };
    const all = observe([c]);
    const held = this.hooks.held;
    if (!held || c.findings.length === 0) return { observed: all, heldKeys: NONE };
    const heldFindings = c.findings.filter((f) => held(c.id, f.nodes ?? []));
    if (heldFindings.length === 0) return { observed: all, heldKeys: NONE };
    const heldKeys = new Set(observe([{ ...c, findings: heldFindings }]).map((o) => o.key));
    this.heldSeen.add(scope);
    const firing = new Set(this.active.inScope(scope).map((a) => a.key));
    return { observed: all.filter((o) => !heldKeys.has(o.key) || firing.has(o.key)), heldKeys };
  }
}
