import {
  DRILL_KIND_INFO,
  type DrillFaultParams,
  type DrillLogLine,
  type DrillPhase,
  type DrillReport,
  type DrillStatus,
  type DrillTransition,
  type KeepalivedConfig,
  type LiveDrillMessage,
  type ProbeSampleTuple,
  type StatusCluster,
} from '@keepwatch/shared';
import { DrillObservation } from './drill-observation';
import {
  DEFAULT_TUNING,
  emptyReport,
  faultParams,
  maxDurationMs,
  type RunnerPlan,
  type RunnerTuning,
} from './drill-plan';
import { fillReport } from './drill-report-build';
import { SplitWatch } from './split-watch';
import { steadyState } from './steady-state';

export { DEFAULT_TUNING, emptyReport, type RunnerPlan, type RunnerTuning } from './drill-plan';

/*
 * One drill, as the state machine of SPEC.md (RN-*):
 *
 *   baseline ─(VIP served)→ fault ─(every target applied)→ observe ─(hold over | abort)→
 *   restore → verify ─(steady state held | timeout)→ report → done
 *
 *   baseline without a good request → failed (nothing applied)
 *   a fault refused by any target  → restore the others → failed
 *   abort (button or VIP unserved > abortUnservedMs) → restore at once → aborted
 *
 * The runner owns no I/O: actions, probes, the cluster view and persistence are ports, time
 * is `now` and `sleep` (fake timers in the tests). What it saw is a DrillObservation, the
 * split-brain watch a SplitWatch, the report is built by fillReport.
 */

export interface FaultOutcome {
  ok: boolean;
  /** When the fault took effect, on the server clock (agent step time − its offset). */
  at: number | null;
  error?: string;
}

export interface RunnerPorts {
  now(): number;
  sleep(ms: number): Promise<void>;
  cluster(): StatusCluster | undefined;
  fault(node: string, params: DrillFaultParams): Promise<FaultOutcome>;
  restore(node: string, drillId: string): Promise<{ ok: boolean; error?: string }>;
  /** Starts the client probe (vip + each LB); samples come back through addSamples. */
  startProbe(durationMs: number): Promise<void>;
  stopProbe(): Promise<void>;
  keepalivedConfig(node: string): KeepalivedConfig | undefined;
  vrrpInterface(node: string, instance: string): string | undefined;
  save(u: {
    status: DrillStatus;
    phase: DrillPhase;
    report: DrillReport;
    endedAt: number | null;
    error: string | null;
  }): void;
  emit(msg: LiveDrillMessage): void;
}

export class DrillRunner {
  private phase: DrillPhase = 'preflight';
  private status: DrillStatus = 'running';
  private error: string | null = null;
  private abortReason: string | null = null;
  private readonly obs = new DrillObservation();
  private readonly split: SplitWatch;
  private lastPoll = 0;
  private faultAt: number | null = null;
  private restoreAt: number | null = null;
  private restored = false;
  private restoreDetail = '';
  readonly clockOffsets: Record<string, number> = {};
  private readonly report: DrillReport;
  private readonly t: RunnerTuning;

  constructor(
    readonly plan: RunnerPlan,
    private readonly ports: RunnerPorts,
    tuning: Partial<RunnerTuning> = {},
  ) {
    this.t = { ...DEFAULT_TUNING, ...tuning };
    this.report = emptyReport(plan);
    const holders = ports.cluster()?.vips.find((v) => v.address === plan.vip)?.holders ?? [];
    this.split = new SplitWatch(plan.vip, this.t.splitGraceMs, holders);
  }

  get currentPhase(): DrillPhase {
    return this.phase;
  }

  get currentStatus(): DrillStatus {
    return this.status;
  }

  /** RN-6: the abort button (or an automatic abort condition). */
  abort(reason: string): void {
    if (this.abortReason || this.status !== 'running') return;
    this.abortReason = reason;
    this.addTransition({ at: this.ports.now(), node: 'server', kind: 'abort', detail: reason });
  }

  addSamples(target: string, tuples: readonly ProbeSampleTuple[]): void {
    if (tuples.length === 0) return;
    this.obs.addSamples(target, tuples);
    this.ports.emit({ type: 'drill.samples', drillId: this.plan.id, target, samples: [...tuples] });
  }

  addLog(line: DrillLogLine): void {
    this.obs.addLog(line);
  }

  /** A change seen by an agent (already on the server clock). Tracks kernel holders (SB-*). */
  addTransition(x: DrillTransition): void {
    this.record(x);
    if (x.kind === 'vip-add' || x.kind === 'vip-del')
      this.split.vipEvent(x.node, x.kind === 'vip-add', x.at);
  }

  /**
   * SB-2: `node`'s copy of the VIP is on a link that is down (or back up), as of `at` (an
   * agent's linkDown report, or the runner's own link-down fault and its restore).
   */
  linkState(node: string, down: boolean, at: number, detail?: string): void {
    if (!this.split.linkState(node, down, at)) return;
    this.record({
      at,
      node,
      kind: down ? 'link-down' : 'link-up',
      detail:
        detail ??
        (down
          ? `VIP ${this.plan.vip} left on a link that is down: it cannot answer there`
          : `the link under VIP ${this.plan.vip} is up again`),
    });
  }

  /**
   * An agent's own word on the link under its VIP copy (VH-6 `linkDown`), in arrival order;
   * reports from before the fault are the steady state, not the drill's.
   */
  linkReport(node: string, down: boolean, at: number): void {
    if (this.faultAt === null || at < this.faultAt) return;
    this.linkState(node, down, at);
  }

  private record(x: DrillTransition): void {
    this.obs.transitions.push(x);
    this.ports.emit({ type: 'drill.transition', drillId: this.plan.id, transition: x });
  }

  private setPhase(p: DrillPhase, message?: string): void {
    this.phase = p;
    this.persist();
    this.ports.emit({
      type: 'drill.phase',
      drillId: this.plan.id,
      clusterId: this.plan.clusterId,
      kind: this.plan.kind,
      phase: p,
      status: this.status,
      at: this.ports.now(),
      ...(this.faultAt !== null && { faultAt: this.faultAt }),
      ...(message !== undefined && { message }),
    });
  }

  private persist(): void {
    // The partial report (fault time, transitions, samples so far) is readable mid-drill.
    this.buildReport(false);
    this.ports.save({
      status: this.status,
      phase: this.phase,
      report: this.report,
      endedAt: this.status === 'running' ? null : this.ports.now(),
      error: this.error,
    });
  }

  private async tick(): Promise<void> {
    await this.ports.sleep(this.t.tickMs);
    const now = this.ports.now();
    // The cluster view is polled every 250 ms (VIP events drive split detection meanwhile).
    if (now - this.lastPoll >= 250) {
      this.lastPoll = now;
      const polled = this.ports.cluster()?.vips.find((v) => v.address === this.plan.vip)?.holders;
      const split = this.split.poll(polled, now);
      if (split) this.record(split);
    }
    if (
      this.faultAt !== null &&
      this.restoreAt === null &&
      this.obs.unservedMs(now) > this.plan.abortUnservedMs
    )
      this.abort(`automatic: the VIP was unserved for more than ${this.plan.abortUnservedMs} ms`);
  }

  /** Runs the drill to its end; never throws (a failure is the drill's status). */
  async run(): Promise<DrillStatus> {
    try {
      await this.steps();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.status = 'failed';
      if (this.faultAt !== null && this.restoreAt === null) await this.restoreAll();
    }
    await this.ports.stopProbe().catch(() => undefined);
    this.setPhase('report');
    this.buildReport(true);
    if (this.status === 'running') this.status = 'failed';
    this.setPhase('done');
    return this.status;
  }

  private async steps(): Promise<void> {
    const { plan } = this;
    // RN-1 baseline: the probe runs, and the VIP must be served before anything is broken.
    this.setPhase('baseline');
    await this.ports.startProbe(maxDurationMs(plan, this.t));
    const until = this.ports.now() + this.t.baselineMs;
    while (this.ports.now() < until && !this.abortReason) await this.tick();
    if (this.abortReason) return this.finishAborted();
    if (!this.obs.vipServedOnce()) {
      this.error = `the VIP ${plan.vip} answered no request during the baseline: nothing was broken`;
      this.status = 'failed';
      return;
    }
    // RN-2 fault: every target, each with its own dead-man deadline.
    this.setPhase('fault');
    const outcomes = await Promise.all(
      plan.targets.map((n) => this.ports.fault(n, this.faultParamsFor(n))),
    );
    const refused = outcomes
      .map((o, i) => ({ o, n: plan.targets[i] ?? '?' }))
      .filter((x) => !x.o.ok);
    const ats = outcomes.flatMap((o) => (o.ok && o.at !== null ? [o.at] : []));
    this.faultAt = ats.length > 0 ? Math.min(...ats) : this.ports.now();
    for (const [i, o] of outcomes.entries())
      if (o.ok)
        this.addTransition({
          at: o.at ?? this.faultAt,
          node: plan.targets[i] ?? '?',
          kind: 'fault',
          detail: DRILL_KIND_INFO[plan.kind].fault,
        });
    for (const [i, o] of outcomes.entries()) if (o.ok) this.markDeadLink(plan.targets[i], o.at);
    if (refused.length > 0) {
      // RN-3: a partial fault is undone at once.
      this.error = refused.map((x) => `${x.n}: ${x.o.error ?? 'refused'}`).join('; ');
      this.status = 'failed';
      await this.restoreAll();
      return;
    }
    // RN-4 observe: hold the fault; abort early on the button or an abort condition.
    this.setPhase('observe');
    while (this.ports.now() < this.faultAt + plan.holdMs && !this.abortReason) await this.tick();
    await this.restoreAll();
    await this.verify();
    if (this.abortReason) return this.finishAborted();
  }

  private finishAborted(): void {
    this.status = 'aborted';
    this.error = this.abortReason;
  }

  private faultParamsFor(node: string): DrillFaultParams {
    const iface =
      DRILL_KIND_INFO[this.plan.kind].fault === 'link-down'
        ? this.ports.vrrpInterface(node, this.plan.instance)
        : undefined;
    return faultParams(this.plan, this.t, iface);
  }

  /**
   * SB-2: after a link-down fault on a node that held the VIP on that link, whatever that
   * kernel keeps there cannot answer. The agent may be cut off with its link (its reports,
   * the VIP's removal included, arrive when the link is back), so the runner says so itself.
   */
  private markDeadLink(node: string | undefined, at: number | null): void {
    if (node === undefined || DRILL_KIND_INFO[this.plan.kind].fault !== 'link-down') return;
    const iface = this.ports.vrrpInterface(node, this.plan.instance);
    const inst = this.ports
      .keepalivedConfig(node)
      ?.instances.find((i) => i.name === this.plan.instance);
    const dev = inst?.virtualAddresses.find((v) => v.address === this.plan.vip)?.dev ?? iface;
    if (iface === undefined || dev !== iface || !this.split.holds(node)) return;
    this.linkState(
      node,
      true,
      at ?? this.faultAt ?? this.ports.now(),
      `${node}'s ${iface} is down: whatever its kernel keeps there cannot answer (its last report showed VIP ${this.plan.vip})`,
    );
  }

  /** RN-5 restore: every target (a target that does not answer restores by its deadline). */
  private async restoreAll(): Promise<void> {
    this.setPhase('restore');
    this.restoreAt = this.ports.now();
    const results = await Promise.all(
      this.plan.targets.map((n) => this.ports.restore(n, this.plan.id)),
    );
    for (const [i, r] of results.entries()) {
      const node = this.plan.targets[i] ?? '?';
      this.addTransition({
        at: this.ports.now(),
        node,
        kind: 'restore',
        detail: r.ok
          ? 'restored'
          : `restore failed: ${r.error ?? '?'} (the agent's deadline restores it)`,
      });
      // SB-2: restored means the link is up; an agent that did not answer tells when it is back.
      if (r.ok) this.linkState(node, false, this.ports.now());
    }
  }

  /** RN-7 verify: the steady state, fail-back included, must hold for steadyForMs. */
  private async verify(): Promise<void> {
    this.setPhase('verify');
    const deadline = this.ports.now() + this.t.verifyTimeoutMs;
    let since: number | null = null;
    let last = steadyState(undefined, this.plan);
    while (this.ports.now() < deadline) {
      await this.tick();
      last = steadyState(this.ports.cluster(), this.plan);
      const now = this.ports.now();
      if (!last.ok) since = null;
      else if ((since ??= now) + this.t.steadyForMs <= now) break;
    }
    this.restored = last.ok;
    this.restoreDetail = last.detail;
    const tailEnd = this.ports.now() + this.t.tailMs;
    while (this.ports.now() < tailEnd) await this.tick();
  }

  private buildReport(final: boolean): void {
    const { plan } = this;
    const backup = this.ports
      .cluster()
      ?.nodes.find((n) => n.role === 'lb' && n.name !== plan.master)?.name;
    const passed = fillReport(
      this.report,
      {
        plan,
        obs: this.obs,
        clockOffsets: this.clockOffsets,
        faultAt: this.faultAt,
        restoreAt: this.restoreAt,
        restored: this.restored,
        restoreDetail: this.restoreDetail,
        masterConfig: this.ports.keepalivedConfig(plan.master),
        backupConfig: backup ? this.ports.keepalivedConfig(backup) : undefined,
      },
      final,
    );
    // RN-8: passed only when every criterion held and nothing aborted or failed the run.
    if (passed !== null && this.status === 'running') this.status = passed ? 'passed' : 'failed';
  }
}
