import type { ProbeSampleTuple } from '@keepwatch/shared';

/*
 * The drill chart as data, pure (drill-chart.tsx only draws it with uPlot). The x axis is
 * seconds after the fault (t = 0 is the moment the fault was sent, on the server's clock),
 * so one drill reads the same whatever the reader's time zone; the page states the fault's
 * wall-clock time with its zone. The y axis is request latency in ms on a log scale.
 *
 *   CH-1 every probe target gets one "failed" series; the VIP's successful requests are
 *        split by the load balancer that answered (the takeover is a colour change).
 *   CH-2 points are sorted by time; a point belongs to exactly one series (null elsewhere).
 *   CH-3 latency is clamped to ≥ MIN_MS (a log scale has no 0); a failure without a
 *        measured latency is drawn at its latency all the same (refused is fast, timeout is
 *        the timeout): where it sits says what kind of failure it was.
 *   CH-4 marks (transitions, VIP moves, phases, log lines) keep their own list, in time
 *        order, relative to t0: the chart draws them as vertical lines or lane ticks.
 *   CH-5 the totals count the VIP's requests only (the report's figures do the same).
 */

export const MIN_MS = 0.1;

export interface SampleBatch {
  target: string;
  samples: readonly ProbeSampleTuple[];
}

export type MarkKind = 'phase' | 'transition' | 'vip' | 'log' | 'finding';

export interface ChartMark {
  /** Epoch ms on the server's clock. */
  at: number;
  kind: MarkKind;
  /** Node the mark belongs to (null: the drill itself, e.g. a phase). */
  node: string | null;
  label: string;
  /** keepalived or nginx for a log line. */
  source?: string;
}

export interface ChartSeriesSpec {
  key: string;
  target: string;
  /** ok: answered 2xx/3xx; failed: anything else. */
  outcome: 'ok' | 'failed';
  /** Which load balancer answered (ok series of the VIP only). */
  via: string | null;
}

export interface ChartData {
  t0: number;
  series: ChartSeriesSpec[];
  /** uPlot's AlignedData: [xs, ...one array per series]. */
  aligned: [number[], ...(number | null)[][]];
  marks: { x: number; mark: ChartMark }[];
  /** Requests through the VIP (what clients saw); the LBs' own probes are not counted. */
  totals: { requests: number; failed: number };
}

/** A probe result counts as a success when the load balancer answered 2xx or 3xx. */
export function isOk(result: ProbeSampleTuple[2]): boolean {
  return typeof result === 'number' && result >= 200 && result < 400;
}

function seriesKey(target: string, outcome: 'ok' | 'failed', via: string | null): string {
  return `${target}:${outcome}:${via ?? ''}`;
}

/** Series order: VIP first, then the other targets; ok before failed; LBs by name. */
function compareSpecs(a: ChartSeriesSpec, b: ChartSeriesSpec): number {
  const rank = (s: ChartSeriesSpec): number => (s.target === 'vip' ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    a.target.localeCompare(b.target) ||
    (a.outcome === b.outcome ? 0 : a.outcome === 'ok' ? -1 : 1) ||
    (a.via ?? '').localeCompare(b.via ?? '')
  );
}

/** Builds the chart's data from probe batches and marks (rules CH-1..CH-5 above). */
export function buildChartData(
  t0: number,
  batches: readonly SampleBatch[],
  marks: readonly ChartMark[],
): ChartData {
  const specs = new Map<string, ChartSeriesSpec>();
  const points: { x: number; key: string; y: number }[] = [];
  let requests = 0;
  let failed = 0;
  for (const batch of batches) {
    for (const [start, latency, result, lb] of batch.samples) {
      const ok = isOk(result);
      if (batch.target === 'vip') {
        requests += 1;
        if (!ok) failed += 1;
      }
      const via = ok && batch.target === 'vip' ? (lb ?? '?') : null;
      const key = seriesKey(batch.target, ok ? 'ok' : 'failed', via);
      if (!specs.has(key)) {
        specs.set(key, { key, target: batch.target, outcome: ok ? 'ok' : 'failed', via });
      }
      points.push({ x: (start - t0) / 1000, key, y: Math.max(MIN_MS, latency) });
    }
  }
  const series = [...specs.values()].sort(compareSpecs);
  const index = new Map(series.map((s, i) => [s.key, i]));
  points.sort((a, b) => a.x - b.x);
  const xs = points.map((p) => p.x);
  const ys = series.map(() => new Array<number | null>(points.length).fill(null));
  points.forEach((p, i) => {
    const column = ys[index.get(p.key) ?? 0];
    if (column) column[i] = p.y;
  });
  return {
    t0,
    series,
    aligned: [xs, ...ys],
    marks: [...marks]
      .sort((a, b) => a.at - b.at)
      .map((mark) => ({ x: (mark.at - t0) / 1000, mark })),
    totals: { requests, failed },
  };
}

/** "+1.234 s" / "−0.200 s": a mark's time relative to the fault, for lists beside the chart. */
export function relativeSeconds(x: number): string {
  const sign = x < 0 ? '−' : '+';
  return `${sign}${Math.abs(x).toFixed(3)} s`;
}

/**
 * Appends a live batch to what the page holds, keeping at most `cap` samples per target
 * (oldest dropped): a long drill cannot grow the page without bound.
 */
export function appendBatch(
  batches: readonly SampleBatch[],
  incoming: SampleBatch,
  cap = 30_000,
): SampleBatch[] {
  const found = batches.find((b) => b.target === incoming.target);
  const rest = batches.filter((b) => b !== found);
  const merged = [...(found?.samples ?? []), ...incoming.samples];
  return [...rest, { target: incoming.target, samples: merged.slice(-cap) }];
}
