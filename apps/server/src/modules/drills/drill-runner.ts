import {
  DRILL_KIND_INFO,
  type DrillFaultParams,
  type DrillKind,
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
import { isGood } from '@keepwatch/probe';
import { advise, computeBound } from './drill-bound';
import { evaluate } from './drill-evaluate';
import { measure } from './drill-measure';
import { steadyState } from './steady-state';

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
 * is `now` and `sleep` (fake timers in the tests).
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

export interface RunnerPlan {
  id: string;
  clusterId: string;
  kind: DrillKind;
  vip: string;
  instance: string;
  master: string;
  targets: string[];
  probeFrom: string;
  holdMs: number;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  abortUnservedMs: number;
}

export interface RunnerTuning {
  baselineMs: number;
  tickMs: number;
  /** Two kernel holders for at least this long is a split brain (a takeover overlaps ~1 ms). */
  splitGraceMs: number;
  /** The steady state must hold this long to count as back. */
  steadyForMs: number;
  verifyTimeoutMs: number;
  /** Probing continues this long after the steady state is back (fail-back tail). */
  tailMs: number;
  /** The agent's dead-man deadline is holdMs + this. */
  deadmanMarginMs: number;
}

export const DEFAULT_TUNING: RunnerTuning = {
  baselineMs: 1500,
  tickMs: 50,
  splitGraceMs: 500,
  steadyForMs: 1500,
  verifyTimeoutMs: 60_000,
  tailMs: 1000,
  deadmanMarginMs: 20_000,
};

export function emptyReport(
  plan: Partial<RunnerPlan> & { probeIntervalMs: number; probeTimeoutMs: number; holdMs: number },
): DrillReport {
  return {
    vip: plan.vip ?? null,
    oldMaster: plan.master ?? null,
    targets: plan.targets ?? [],
    probeFrom: plan.probeFrom ?? 'server',
    probeIntervalMs: plan.probeIntervalMs,
    probeTimeoutMs: plan.probeTimeoutMs,
    holdMs: plan.holdMs,
    faultAt: null,
    restoreAt: null,
    downtimeMs: 0,
    failedRequests: 0,
    totalRequests: 0,
    answeredBy: {},
    detectionMs: null,
    takeoverMs: null,
    convergenceMs: null,
    newMaster: null,
    timeToNewMasterMs: null,
    failback: { disruptionMs: 0, failedRequests: 0, timeMs: null },
    restored: false,
    splitBrainSeen: false,
    checkScriptFired: null,
    bound: null,
    criteria: [],
    findings: [],
    advice: [],
    transitions: [],
    logs: [],
    samples: {},
    clockOffsets: {},
  };
}

const MAX_LOG_LINES = 2000;

export class DrillRunner {
  private phase: DrillPhase = 'preflight';
  private status: DrillStatus = 'running';
  private error: string | null = null;
  private abortReason: string | null = null;
  private readonly samples = new Map<string, ProbeSampleTuple[]>();
  private readonly transitions: DrillTransition[] = [];
  private readonly logs: DrillLogLine[] = [];
  private readonly holders = new Set<string>();
  private twoSince: number | null = null;
  private lastPoll = 0;
  private splitOpen = false;
  private faultAt: number | null = null;
  private restoreAt: number | null = null;
  private restored = false;
  private restoreDetail = '';
  readonly clockOffsets: Record<string, number> = {};
  private report: DrillReport;
  private readonly t: RunnerTuning;

  constructor(
    readonly plan: RunnerPlan,
    private readonly ports: RunnerPorts,
    tuning: Partial<RunnerTuning> = {},
  ) {
    this.t = { ...DEFAULT_TUNING, ...tuning };
    this.report = emptyReport(plan);
    const c = ports.cluster();
    for (const h of c?.vips.find((v) => v.address === plan.vip)?.holders ?? []) this.holders.add(h);
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
    let list = this.samples.get(target);
    if (!list) this.samples.set(target, (list = []));
    list.push(...tuples);
    this.ports.emit({ type: 'drill.samples', drillId: this.plan.id, target, samples: [...tuples] });
  }

  addLog(line: DrillLogLine): void {
    if (this.logs.length < MAX_LOG_LINES) this.logs.push(line);
  }

  /** A change seen by an agent (already on the server clock). Tracks kernel holders (SB-*). */
  addTransition(x: DrillTransition): void {
    this.transitions.push(x);
    this.ports.emit({ type: 'drill.transition', drillId: this.plan.id, transition: x });
    if (x.kind === 'vip-add') this.holders.add(x.node);
    if (x.kind === 'vip-del') this.holders.delete(x.node);
    if (x.kind === 'vip-add' || x.kind === 'vip-del') this.checkSplit(x.at);
  }

  private checkSplit(at: number): void {
    if (this.holders.size >= 2) {
      this.twoSince ??= at;
    } else {
      this.twoSince = null;
      this.splitOpen = false;
    }
  }

  /** SB-1: two kernel holders for splitGraceMs or longer; also from the polled cluster view. */
  private pollSplit(now: number): void {
    const polled = this.ports.cluster()?.vips.find((v) => v.address === this.plan.vip)?.holders;
    if (polled && polled.length >= 2 && this.holders.size < 2) {
      for (const h of polled) this.holders.add(h);
      this.twoSince ??= now;
    }
    if (this.twoSince !== null && !this.splitOpen && now - this.twoSince >= this.t.splitGraceMs) {
      this.splitOpen = true;
      const x: DrillTransition = {
        at: this.twoSince,
        node: [...this.holders].sort().join('+'),
        kind: 'split-brain',
        detail: `VIP ${this.plan.vip} in ${this.holders.size} kernels: ${[...this.holders].sort().join(', ')}`,
      };
      this.transitions.push(x);
      this.ports.emit({ type: 'drill.transition', drillId: this.plan.id, transition: x });
    }
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

  /** RN-10: the longest the VIP has been unserved right now (trailing failures). */
  private unservedMs(now: number): number {
    const vip = this.samples.get('vip') ?? [];
    let since: number | null = null;
    for (let i = vip.length - 1; i >= 0; i--) {
      const s = vip[i];
      if (!s) break;
      if (isGood(s[2])) break;
      since = s[0];
    }
    return since === null ? 0 : now - since;
  }

  private async tick(): Promise<void> {
    await this.ports.sleep(this.t.tickMs);
    const now = this.ports.now();
    // The cluster view is polled every 250 ms (VIP events drive split detection meanwhile).
    if (now - this.lastPoll >= 250) {
      this.lastPoll = now;
      this.pollSplit(now);
    }
    if (
      this.faultAt !== null &&
      this.restoreAt === null &&
      this.unservedMs(now) > this.plan.abortUnservedMs
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
    const total = this.t.baselineMs + plan.holdMs + this.t.verifyTimeoutMs + this.t.tailMs + 5000;
    // RN-1 baseline: the probe runs, and the VIP must be served before anything is broken.
    this.setPhase('baseline');
    await this.ports.startProbe(total);
    const until = this.ports.now() + this.t.baselineMs;
    while (this.ports.now() < until && !this.abortReason) await this.tick();
    if (this.abortReason) return this.finishAborted();
    if (!(this.samples.get('vip') ?? []).some((s) => isGood(s[2]))) {
      this.error = `the VIP ${plan.vip} answered no request during the baseline: nothing was broken`;
      this.status = 'failed';
      return;
    }
    // RN-2 fault: every target, each with its own dead-man deadline.
    this.setPhase('fault');
    const outcomes = await Promise.all(
      plan.targets.map((n) => this.ports.fault(n, this.faultParams(n))),
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

  private faultParams(node: string): DrillFaultParams {
    const info = DRILL_KIND_INFO[this.plan.kind];
    const iface =
      info.fault === 'link-down' ? this.ports.vrrpInterface(node, this.plan.instance) : undefined;
    return {
      drillId: this.plan.id,
      fault: info.fault,
      // link-down may cut the agent off: no restore can reach it, its own timer must do it.
      restoreAfterMs:
        info.fault === 'link-down' ? this.plan.holdMs : this.plan.holdMs + this.t.deadmanMarginMs,
      ...(iface !== undefined && { interface: iface }),
    };
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
    const vipSamples = [...(this.samples.get('vip') ?? [])].sort((a, b) => a[0] - b[0]);
    const masterCfg = this.ports.keepalivedConfig(plan.master);
    const backup = this.ports
      .cluster()
      ?.nodes.find((n) => n.role === 'lb' && n.name !== plan.master)?.name;
    const backupCfg = backup ? this.ports.keepalivedConfig(backup) : undefined;
    const masterPriority =
      masterCfg?.instances.find((i) => i.name === plan.instance)?.priority ?? null;
    const r = this.report;
    r.transitions = [...this.transitions].sort((a, b) => a.at - b.at);
    r.logs = [...this.logs].sort((a, b) => a.at - b.at);
    r.samples = Object.fromEntries(
      [...this.samples].map(([k, v]) => [k, [...v].sort((a, b) => a[0] - b[0])]),
    );
    r.clockOffsets = { ...this.clockOffsets };
    r.faultAt = this.faultAt;
    r.restoreAt = this.restoreAt;
    r.totalRequests = vipSamples.length;
    if (!final || this.faultAt === null) return;
    const m = measure({
      samples: vipSamples,
      transitions: r.transitions,
      faultAt: this.faultAt,
      restoreAt: this.restoreAt,
      oldMaster: plan.master,
      masterPriority,
    });
    const bound = computeBound({
      kind: plan.kind,
      master: masterCfg,
      backup: backupCfg,
      instance: plan.instance,
      probeTimeoutMs: plan.probeTimeoutMs,
    });
    const ev = evaluate({
      kind: plan.kind,
      m,
      bound,
      oldMaster: plan.master,
      restored: this.restored,
      restoreDetail: this.restoreDetail,
      transitions: r.transitions,
      faultAt: this.faultAt,
      probeIntervalMs: plan.probeIntervalMs,
      probeTimeoutMs: plan.probeTimeoutMs,
      holdMs: plan.holdMs,
    });
    Object.assign(r, {
      downtimeMs: m.downtimeMs,
      failedRequests: m.failedRequests,
      totalRequests: m.totalRequests,
      answeredBy: m.answeredBy,
      detectionMs: m.detectionMs,
      takeoverMs: m.takeoverMs,
      convergenceMs: m.convergenceMs,
      newMaster: m.newMaster,
      timeToNewMasterMs: m.timeToNewMasterMs,
      failback: m.failback,
      restored: this.restored,
      splitBrainSeen: m.splitBrainSeen,
      checkScriptFired: m.checkScriptFired,
      bound,
      criteria: ev.criteria,
      findings: ev.findings,
      advice: advise({
        kind: plan.kind,
        bound,
        failedRequests: m.failedRequests,
        splitBrainSeen: m.splitBrainSeen,
      }),
    } satisfies Partial<DrillReport>);
    // RN-8: passed only when every criterion held and nothing aborted or failed the run.
    if (this.status === 'running') this.status = ev.passed ? 'passed' : 'failed';
  }
}
