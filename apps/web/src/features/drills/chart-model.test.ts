import { describe, expect, it } from 'vitest';
import type { ProbeSampleTuple } from '@keepwatch/shared';
import { appendBatch, buildChartData, MIN_MS, relativeSeconds } from './chart-model';

const T0 = 1_800_000_000_000;
const s = (
  dt: number,
  latency: number,
  result: ProbeSampleTuple[2],
  lb: string | null,
): ProbeSampleTuple => [T0 + dt, latency, result, lb];

describe('drill chart data', () => {
  it('CH-1: the VIP’s good requests are split by the LB that answered; each target has one failed series', () => {
    const d = buildChartData(
      T0,
      [
        {
          target: 'vip',
          samples: [s(0, 1, 200, 'lb1'), s(10, 0.4, 'refused', null), s(20, 2, 200, 'lb2')],
        },
        { target: 'lb1', samples: [s(5, 1, 200, 'lb1'), s(15, 200, 'timeout', null)] },
      ],
      [],
    );
    expect(d.series.map((x) => x.key)).toEqual([
      'vip:ok:lb1',
      'vip:ok:lb2',
      'vip:failed:',
      'lb1:ok:',
      'lb1:failed:',
    ]);
    expect(d.totals).toEqual({ requests: 3, failed: 1 }); // CH-5: the VIP's only
  });

  it('CH-2: points are in time order and each sits in exactly one series', () => {
    const d = buildChartData(
      T0,
      [
        { target: 'vip', samples: [s(20, 1, 200, 'lb1'), s(0, 1, 502, 'lb1')] },
        { target: 'lb2', samples: [s(10, 3, 200, 'lb2')] },
      ],
      [],
    );
    const [xs, ...ys] = d.aligned;
    expect(xs).toEqual([0, 0.01, 0.02]);
    for (let i = 0; i < xs.length; i++) {
      expect(ys.filter((col) => col[i] !== null)).toHaveLength(1);
    }
    // the 502 at t=0 is a failure, though the LB answered
    const failed = d.series.findIndex((x) => x.key === 'vip:failed:');
    expect(ys[failed]?.[0]).toBe(1);
  });

  it('CH-3: latency is clamped to the log scale’s minimum', () => {
    const d = buildChartData(T0, [{ target: 'vip', samples: [s(0, 0, 'refused', null)] }], []);
    expect(d.aligned[1]?.[0]).toBe(MIN_MS);
  });

  it('CH-4: marks are sorted and placed relative to the fault', () => {
    const d = buildChartData(
      T0,
      [],
      [
        { at: T0 + 1500, kind: 'vip', node: 'lb2', label: 'lb2 VIP added' },
        { at: T0 - 200, kind: 'phase', node: null, label: 'baseline' },
      ],
    );
    expect(d.marks.map((m) => m.x)).toEqual([-0.2, 1.5]);
    expect(d.aligned).toEqual([[]]);
  });

  it('relative times read with a sign and milliseconds', () => {
    expect(relativeSeconds(1.2345)).toBe('+1.234 s');
    expect(relativeSeconds(-0.2)).toBe('−0.200 s');
  });

  it('appendBatch keeps targets apart and caps each one', () => {
    let batches = appendBatch([], { target: 'vip', samples: [s(0, 1, 200, 'lb1')] });
    batches = appendBatch(batches, { target: 'lb1', samples: [s(1, 1, 200, 'lb1')] });
    batches = appendBatch(
      batches,
      { target: 'vip', samples: [s(2, 1, 200, 'lb1'), s(3, 1, 200, 'lb1')] },
      2,
    );
    const vip = batches.find((b) => b.target === 'vip');
    expect(vip?.samples.map((x) => x[0] - T0)).toEqual([2, 3]);
    expect(batches.find((b) => b.target === 'lb1')?.samples).toHaveLength(1);
  });
});
