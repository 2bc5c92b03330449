import type { Drill, DrillReport } from '@keepwatch/shared';

/* A finished nginx-outage drill as the server reports it (test data for the drill pages). */

export const T0 = 1_800_000_000_000;

export function report(over: Partial<DrillReport> = {}): DrillReport {
  return {
    vip: '10.77.0.50',
    oldMaster: 'lb1',
    targets: ['lb1'],
    probeFrom: 'server',
    probeIntervalMs: 10,
    probeTimeoutMs: 200,
    holdMs: 12_000,
    faultAt: T0,
    restoreAt: T0 + 12_000,
    downtimeMs: 4701,
    failedRequests: 466,
    totalRequests: 2400,
    answeredBy: { lb1: 1200, lb2: 734 },
    detectionMs: 1446,
    takeoverMs: 3255,
    convergenceMs: 12,
    newMaster: 'lb2',
    timeToNewMasterMs: 4701,
    failback: { disruptionMs: 0, failedRequests: 0, timeMs: 4248 },
    restored: true,
    splitBrainSeen: false,
    checkScriptFired: true,
    bound: null,
    criteria: [],
    findings: [],
    advice: [],
    transitions: [
      { at: T0, node: 'lb1', kind: 'fault', detail: 'nginx stopped' },
      { at: T0 + 4701, node: 'lb2', kind: 'vip-add', detail: '10.77.0.50' },
    ],
    logs: [
      {
        at: T0 + 1400,
        node: 'lb1',
        source: 'keepalived',
        text: "Script 'chk_nginx' now returning 7",
      },
    ],
    samples: { vip: [[T0 + 10, 0.3, 'refused', null]] },
    clockOffsets: { lb1: 0.2, lb2: -0.1 },
    ...over,
  };
}

export function drill(over: Partial<Drill> = {}): Drill {
  return {
    id: 'd1',
    clusterId: 'lab',
    kind: 'nginx-outage',
    status: 'passed',
    phase: 'done',
    startedBy: 'admin',
    scheduleId: null,
    startedAt: T0 - 3000,
    endedAt: T0 + 20_000,
    downtimeMs: 4701,
    failedRequests: 466,
    error: null,
    options: {},
    preflight: null,
    report: report(),
    ...over,
  };
}
