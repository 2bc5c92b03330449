import type { DrillTransition, ProbeSampleTuple } from '@keepwatch/shared';
import { isGood } from '@keepwatch/probe';

/*
 * What clients saw (SPEC.md ME-*), a pure function of the probe samples and the transitions,
 * all on the server's clock. A failure run is a maximal sequence of failed requests ordered
 * by start time; its length is from the start of its first failed request to the start of
 * the next good one (ME-1), the way the lab's reference client measures an outage.
 */

export interface Run {
  /** Start of the first failed request. */
  from: number;
  /** Start of the next good request (or the last sample's start if none came). */
  to: number;
  failed: number;
  /** A good request ended it. */
  closed: boolean;
}

/** Every failure run, in time order. */
export function failureRuns(samples: readonly ProbeSampleTuple[]): Run[] {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const runs: Run[] = [];
  let cur: Run | undefined;
  for (const [t, , r] of sorted) {
    if (isGood(r)) {
      if (cur) {
        cur.to = t;
        cur.closed = true;
        runs.push(cur);
        cur = undefined;
      }
    } else if (cur) {
      cur.failed++;
      cur.to = t;
    } else cur = { from: t, to: t, failed: 1, closed: false };
  }
  if (cur) runs.push(cur);
  return runs;
}

const dur = (r: Run): number => r.to - r.from;

/**
 * ME-2: how early before the fault time a failure run may start and still be the fault's.
 * The fault time is the agent's step start moved by its measured clock offset, whose error is
 * up to half a ping's round trip (26 ms seen between two namespaces of one kernel on a busy
 * lab; PF-7 accepts offsets up to 200 ms). An nginx stop refuses within a few ms, so a fault
 * time read 10 ms late put the whole outage before it: 0 ms reported against 4490 ms seen
 * by the test's own client (drills.lab.test.ts, 2026-12-02).
 */
export const FAULT_SLACK_MS = 200;

export interface Measurement {
  totalRequests: number;
  failedRequests: number;
  downtimeMs: number;
  /** The outage run of the fault (the longest starting in [faultAt, restoreAt]). */
  outage: Run | null;
  answeredBy: Record<string, number>;
  newMaster: string | null;
  timeToNewMasterMs: number | null;
  detectionMs: number | null;
  takeoverMs: number | null;
  convergenceMs: number | null;
  failback: { disruptionMs: number; failedRequests: number; timeMs: number | null };
  splitBrainSeen: boolean;
  checkScriptFired: boolean | null;
}

export interface MeasureInput {
  samples: readonly ProbeSampleTuple[];
  transitions: readonly DrillTransition[];
  faultAt: number;
  restoreAt: number | null;
  oldMaster: string | null;
  /** The old MASTER's configured priority: a lower one in its transitions is the check script. */
  masterPriority: number | null;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** ME-1…ME-7. */
export function measure(m: MeasureInput): Measurement {
  const restoreAt = m.restoreAt ?? Infinity;
  const runs = failureRuns(m.samples);
  // ME-2: the fault's outage is the longest run that starts in the fault window, which opens
  // FAULT_SLACK_MS early: the fault time is an agent's clock moved by its measured offset.
  const inFault = runs.filter((r) => r.from >= m.faultAt - FAULT_SLACK_MS && r.from <= restoreAt);
  const outage = inFault.reduce<Run | null>((a, r) => (!a || dur(r) > dur(a) ? r : a), null);
  const faultEnd = Math.max(outage?.to ?? 0, Number.isFinite(restoreAt) ? restoreAt : 0);
  const failedRequests = inFault
    .filter((r) => r.from <= faultEnd)
    .reduce((n, r) => n + r.failed, 0);
  const answeredBy: Record<string, number> = {};
  for (const [, , r, lb] of m.samples)
    if (isGood(r) && lb) answeredBy[lb] = (answeredBy[lb] ?? 0) + 1;
  // ME-3: the new MASTER is the first other node whose kernel got the VIP after the fault.
  const vipAdd = m.transitions.find(
    (x) => x.kind === 'vip-add' && x.at >= m.faultAt && x.node !== m.oldMaster && x.at <= restoreAt,
  );
  const newMaster = vipAdd?.node ?? null;
  const timeToNewMasterMs = vipAdd ? round(vipAdd.at - m.faultAt) : null;
  // ME-4: detection = first VRRP/check-script change after the fault (either side).
  const detect = m.transitions.find(
    (x) =>
      x.at >= m.faultAt &&
      (x.kind === 'vrrp' || x.kind === 'check-script' || x.kind === 'vip-del') &&
      (!vipAdd || x.at <= vipAdd.at),
  );
  const detectionMs = detect ? round(detect.at - m.faultAt) : null;
  const takeoverMs = detect && vipAdd ? round(vipAdd.at - detect.at) : null;
  const firstGood = vipAdd
    ? [...m.samples]
        .filter(
          (s) => isGood(s[2]) && s[0] >= vipAdd.at - 1 && (s[3] === null || s[3] === newMaster),
        )
        .sort((a, b) => a[0] - b[0])[0]
    : undefined;
  const convergenceMs = vipAdd && firstGood ? round(Math.max(0, firstGood[0] - vipAdd.at)) : null;
  // ME-5: fail-back = failures after the fault's outage (and after the restore).
  const after = runs.filter((r) => r.from > faultEnd);
  const back = m.oldMaster
    ? m.transitions.find((x) => x.kind === 'vip-add' && x.node === m.oldMaster && x.at >= restoreAt)
    : undefined;
  const failback = {
    disruptionMs: round(after.reduce((a, r) => Math.max(a, dur(r)), 0)),
    failedRequests: after.reduce((n, r) => n + r.failed, 0),
    timeMs: back && Number.isFinite(restoreAt) ? round(back.at - restoreAt) : null,
  };
  // ME-6: check script fired = the old MASTER's effective priority fell during the fault.
  const checkScriptFired =
    m.masterPriority === null
      ? null
      : m.transitions.some(
          (x) => x.kind === 'check-script' && x.node === m.oldMaster && x.at >= m.faultAt,
        );
  return {
    totalRequests: m.samples.length,
    failedRequests,
    downtimeMs: outage ? round(dur(outage)) : 0,
    outage,
    answeredBy,
    newMaster,
    timeToNewMasterMs,
    detectionMs,
    takeoverMs,
    convergenceMs,
    failback,
    // ME-7
    splitBrainSeen: m.transitions.some((x) => x.kind === 'split-brain'),
    checkScriptFired,
  };
}
