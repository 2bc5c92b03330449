import type { DrillReport, KeepalivedConfig } from '@keepwatch/shared';
import { advise, computeBound } from './drill-bound';
import { evaluate } from './drill-evaluate';
import { measure } from './drill-measure';
import type { DrillObservation } from './drill-observation';
import type { RunnerPlan } from './drill-plan';

/*
 * The report from what was observed: mid-drill only the raw parts (fault time, transitions,
 * samples so far), at the end the measurement, the bound, the criteria and the advice.
 */

export interface ReportInput {
  plan: RunnerPlan;
  obs: DrillObservation;
  clockOffsets: Record<string, number>;
  faultAt: number | null;
  restoreAt: number | null;
  restored: boolean;
  restoreDetail: string;
  masterConfig: KeepalivedConfig | undefined;
  backupConfig: KeepalivedConfig | undefined;
}

/** Fills `r` in place; returns whether every criterion held (null: not evaluated). */
export function fillReport(r: DrillReport, x: ReportInput, final: boolean): boolean | null {
  const { plan } = x;
  const vipSamples = x.obs.sortedSamples('vip');
  r.transitions = x.obs.sortedTransitions();
  r.logs = x.obs.sortedLogs();
  r.samples = x.obs.allSamples();
  r.clockOffsets = { ...x.clockOffsets };
  r.faultAt = x.faultAt;
  r.restoreAt = x.restoreAt;
  r.totalRequests = vipSamples.length;
  if (!final || x.faultAt === null) return null;
  const masterPriority =
    x.masterConfig?.instances.find((i) => i.name === plan.instance)?.priority ?? null;
  const m = measure({
    samples: vipSamples,
    transitions: r.transitions,
    faultAt: x.faultAt,
    restoreAt: x.restoreAt,
    oldMaster: plan.master,
    masterPriority,
  });
  const bound = computeBound({
    kind: plan.kind,
    master: x.masterConfig,
    backup: x.backupConfig,
    instance: plan.instance,
    probeTimeoutMs: plan.probeTimeoutMs,
  });
  const ev = evaluate({
    kind: plan.kind,
    m,
    bound,
    oldMaster: plan.master,
    restored: x.restored,
    restoreDetail: x.restoreDetail,
    transitions: r.transitions,
    faultAt: x.faultAt,
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
    restored: x.restored,
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
  return ev.passed;
}
