import type {
  Drill,
  DrillPhase,
  DrillStatus,
  DrillTransition,
  LiveDrillMessage,
} from '@keepwatch/shared';
import { appendBatch, type ChartMark, type SampleBatch } from './chart-model';

/*
 * A drill as the page shows it, folded from the REST read and the live feed (pure):
 *
 *   DV-1 the REST read (GET /drills/:id) is the base: phase, status, the report's samples,
 *        transitions and log lines so far.
 *   DV-2 live messages of other drills are ignored.
 *   DV-3 drill.phase sets phase, status and (once known) faultAt; a phase never goes back
 *        (a late or replayed message cannot undo a later one), except that a final status
 *        always wins.
 *   DV-4 drill.samples appends to its target (bounded per target, chart-model appendBatch).
 *   DV-5 drill.transition appends unless the same (at, node, kind, detail) is already there
 *        (the REST read and the feed overlap while the page loads).
 *   DV-6 once final (passed, failed, aborted, interrupted) the page reads the drill again
 *        for the full report: `needsReload` says so, once.
 */

export const PHASES: readonly DrillPhase[] = [
  'preflight',
  'baseline',
  'fault',
  'observe',
  'restore',
  'verify',
  'report',
  'done',
];

export function phaseIndex(phase: DrillPhase): number {
  return PHASES.indexOf(phase);
}

export function isFinal(status: DrillStatus): boolean {
  return status !== 'running';
}

export interface DrillView {
  id: string;
  phase: DrillPhase;
  status: DrillStatus;
  /** The chart's zero: the fault time once known, else the start. */
  t0: number;
  faultKnown: boolean;
  batches: SampleBatch[];
  transitions: DrillTransition[];
  /** Set when a live message made the drill final: read it again for the full report. */
  needsReload: boolean;
}

/** DV-1: the page's view of a drill from its REST read. */
export function viewOf(drill: Drill): DrillView {
  const faultAt = drill.report.faultAt;
  return {
    id: drill.id,
    phase: drill.phase,
    status: drill.status,
    t0: faultAt ?? drill.startedAt,
    faultKnown: faultAt !== null,
    batches: Object.entries(drill.report.samples).map(([target, samples]) => ({
      target,
      samples,
    })),
    transitions: [...drill.report.transitions].sort((a, b) => a.at - b.at),
    needsReload: false,
  };
}

const sameTransition = (a: DrillTransition, b: DrillTransition): boolean =>
  a.at === b.at && a.node === b.node && a.kind === b.kind && a.detail === b.detail;

/** DV-2..DV-6: folds one live message into the view. */
export function applyDrillMessage(view: DrillView, msg: LiveDrillMessage): DrillView {
  if (msg.drillId !== view.id) return view;
  switch (msg.type) {
    case 'drill.phase': {
      const final = isFinal(msg.status);
      const forward = phaseIndex(msg.phase) >= phaseIndex(view.phase);
      if (!final && (!forward || isFinal(view.status))) return view;
      const faultAt = msg.faultAt ?? null;
      return {
        ...view,
        phase: forward || final ? msg.phase : view.phase,
        status: msg.status,
        t0: faultAt ?? view.t0,
        faultKnown: view.faultKnown || faultAt !== null,
        needsReload: view.needsReload || (final && !isFinal(view.status)),
      };
    }
    case 'drill.samples':
      return { ...view, batches: appendBatch(view.batches, msg) };
    case 'drill.transition': {
      if (view.transitions.some((t) => sameTransition(t, msg.transition))) return view;
      const transitions = [...view.transitions, msg.transition].sort((a, b) => a.at - b.at);
      return { ...view, transitions };
    }
  }
}

/** Transitions and log lines as chart marks (the chart draws both on one time axis). */
export function marksOf(
  transitions: readonly DrillTransition[],
  logs: readonly { at: number; node: string; source: string; text: string }[],
): ChartMark[] {
  return [
    ...transitions.map((t): ChartMark => ({
      at: t.at,
      kind: t.kind === 'vip-add' || t.kind === 'vip-del' ? 'vip' : 'transition',
      node: t.node,
      label: `${t.node} ${t.detail}`,
    })),
    ...logs.map((l): ChartMark => ({
      at: l.at,
      kind: 'log',
      node: l.node,
      label: l.text,
      source: l.source,
    })),
  ];
}

/** The hosts that get a log lane: the report's load balancers first, in name order. */
export function laneHosts(
  logs: readonly { node: string }[],
  preferred: readonly string[],
): string[] {
  const seen = new Set(logs.map((l) => l.node));
  const first = preferred.filter((n) => seen.has(n));
  const rest = [...seen].filter((n) => !first.includes(n)).sort();
  return [...first, ...rest];
}

export interface Row {
  at: number;
  node: string;
  what: 'transition' | 'log';
  source: string;
  text: string;
}

/**
 * Both hosts' log lines and the transitions as one table, in time order (the chart's
 * readable twin, for keyboards and screen readers). Ties: transitions first.
 */
export function timelineRows(
  transitions: readonly DrillTransition[],
  logs: readonly { at: number; node: string; source: string; text: string }[],
): Row[] {
  const rows: Row[] = [
    ...transitions.map((t): Row => ({
      at: t.at,
      node: t.node,
      what: 'transition',
      source: t.kind,
      text: t.detail,
    })),
    ...logs.map((l): Row => ({
      at: l.at,
      node: l.node,
      what: 'log',
      source: l.source,
      text: l.text,
    })),
  ];
  return rows.sort(
    (a, b) => a.at - b.at || (a.what === b.what ? 0 : a.what === 'transition' ? -1 : 1),
  );
}
