import {
  DRILL_KIND_INFO,
  type DrillFaultParams,
  type DrillKind,
  type DrillReport,
} from '@keepwatch/shared';

/*
 * What one drill is to do (the plan preflight produced), the runner's timings, and the
 * parameters each target's fault is sent with (RN-2).
 */

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

/** RN-9: the longest a drill can last, which bounds the probe. */
export function maxDurationMs(plan: RunnerPlan, t: RunnerTuning): number {
  return t.baselineMs + plan.holdMs + t.verifyTimeoutMs + t.tailMs + 5000;
}

/** RN-2: the fault for one target, with its dead-man deadline. */
export function faultParams(
  plan: RunnerPlan,
  t: RunnerTuning,
  iface: string | undefined,
): DrillFaultParams {
  const fault = DRILL_KIND_INFO[plan.kind].fault;
  return {
    drillId: plan.id,
    fault,
    // link-down may cut the agent off: no restore can reach it, its own timer must do it.
    restoreAfterMs: fault === 'link-down' ? plan.holdMs : plan.holdMs + t.deadmanMarginMs,
    ...(iface !== undefined && { interface: iface }),
  };
}

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
