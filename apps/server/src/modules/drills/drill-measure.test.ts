import { describe, expect, it } from 'vitest';
import type { DrillTransition, ProbeSampleTuple } from '@keepwatch/shared';
import { failureRuns, measure, type MeasureInput } from './drill-measure';

/*
 * What clients saw, on hand-made probe samples (10 ms apart) and transitions: each test is
 * named after the SPEC.md rule it checks.
 */

const F = 10_000; // the fault time
const good = (t: number, lb: string | null = 'lb1'): ProbeSampleTuple => [t, 1, 200, lb];
const bad = (t: number): ProbeSampleTuple => [t, 0.3, 'refused', null];

/** Samples every 10 ms over [from, to): `fail(t)` says which fail, `lb(t)` who answered. */
function probe(
  from: number,
  to: number,
  fail: (t: number) => boolean,
  lb: (t: number) => string = () => 'lb1',
): ProbeSampleTuple[] {
  const out: ProbeSampleTuple[] = [];
  for (let t = from; t < to; t += 10) out.push(fail(t) ? bad(t) : good(t, lb(t)));
  return out;
}

const x = (
  at: number,
  node: string,
  kind: DrillTransition['kind'],
  detail = '',
): DrillTransition => ({
  at,
  node,
  kind,
  detail,
});

function input(over: Partial<MeasureInput>): MeasureInput {
  return {
    samples: [],
    transitions: [],
    faultAt: F,
    restoreAt: F + 8000,
    oldMaster: 'lb1',
    masterPriority: 100,
    ...over,
  };
}

/** The lab's nginx outage: refused from F+5 to F+4705, lb2 serves from then on; fail-back. */
const outageSamples = probe(
  F - 1000,
  F + 14_000,
  (t) => (t >= F + 5 && t < F + 4705) || (t >= F + 11_700 && t < F + 11_730),
  (t) => (t >= F + 4705 && t < F + 11_700 ? 'lb2' : 'lb1'),
);
const outageTransitions = [
  x(F, 'lb1', 'fault'),
  x(F + 1400, 'lb1', 'check-script', 'priority 100 → 80'),
  x(F + 4600, 'lb2', 'vrrp', 'MASTER 90'),
  x(F + 4700, 'lb2', 'vip-add'),
  x(F + 4701, 'lb1', 'vip-del'),
  x(F + 8000, 'lb1', 'restore'),
  x(F + 11_690, 'lb1', 'vip-add'),
  x(F + 11_691, 'lb2', 'vip-del'),
];

describe('drill measurement (SPEC.md ME-*)', () => {
  it('ME-1: a run goes from its first failed request to the next good one', () => {
    const runs = failureRuns([good(0), bad(10), bad(20), bad(30), good(40), bad(50)]);
    expect(runs).toEqual([
      { from: 10, to: 40, failed: 3, closed: true },
      { from: 50, to: 50, failed: 1, closed: false },
    ]);
    // Out of order samples are sorted by start time first.
    expect(failureRuns([good(40), bad(20), bad(10), good(0)])[0]).toMatchObject({
      from: 10,
      to: 40,
    });
  });

  it('ME-2: downtime is the longest run starting in the fault window; earlier runs do not count', () => {
    const samples = [
      ...probe(F - 500, F, (t) => t >= F - 300 && t < F - 200), // a blip before the fault
      ...probe(
        F,
        F + 3000,
        (t) => (t >= F + 100 && t < F + 150) || (t >= F + 1000 && t < F + 2000),
      ),
    ];
    const m = measure(input({ samples }));
    expect(m.downtimeMs).toBe(1000);
    expect(m.failedRequests).toBe(5 + 100);
    expect(m.outage).toMatchObject({ from: F + 1000, to: F + 2000, closed: true });
    expect(m.totalRequests).toBe(samples.length);
  });

  it("ME-2: an outage starting just before the fault time (an agent clock offset error) is the fault's", () => {
    // The fault time read 30 ms late: the outage starts before it, and still counts.
    const samples = probe(F - 1000, F + 3000, (t) => t >= F - 30 && t < F + 2000);
    const m = measure(input({ samples }));
    expect(m.downtimeMs).toBe(2030);
    expect(m.outage).toMatchObject({ from: F - 30, to: F + 2000 });
    // Earlier than FAULT_SLACK_MS before it: a failure of its own, not the fault's.
    const early = measure(
      input({ samples: probe(F - 1000, F + 3000, (t) => t >= F - 400 && t < F + 2000) }),
    );
    expect(early.downtimeMs).toBe(0);
  });

  it('ME-3: the new MASTER is the first other kernel to get the VIP after the fault', () => {
    const m = measure(input({ samples: outageSamples, transitions: outageTransitions }));
    expect(m.newMaster).toBe('lb2');
    expect(m.timeToNewMasterMs).toBe(4700);
    expect(m.downtimeMs).toBe(4700);
    expect(m.failedRequests).toBe(470);
    expect(m.answeredBy.lb2).toBeGreaterThan(0);
    // The old MASTER getting it back is no new MASTER.
    expect(measure(input({ transitions: [x(F + 100, 'lb1', 'vip-add')] })).newMaster).toBeNull();
  });

  it('ME-4: detection, takeover and convergence add up from the fault to the first good request', () => {
    const m = measure(input({ samples: outageSamples, transitions: outageTransitions }));
    expect(m.detectionMs).toBe(1400);
    expect(m.takeoverMs).toBe(3300);
    expect(m.convergenceMs).toBe(10);
    expect((m.detectionMs ?? 0) + (m.takeoverMs ?? 0) + (m.convergenceMs ?? 0)).toBe(4710);
  });

  it('ME-5: fail-back disruption is what failed after the outage and the restore', () => {
    const m = measure(input({ samples: outageSamples, transitions: outageTransitions }));
    expect(m.failback).toEqual({ disruptionMs: 30, failedRequests: 3, timeMs: 3690 });
  });

  it('ME-6: the check script fired when the old MASTER’s priority fell during the fault', () => {
    expect(measure(input({ transitions: outageTransitions })).checkScriptFired).toBe(true);
    const silent = outageTransitions.filter((t) => t.kind !== 'check-script');
    expect(measure(input({ transitions: silent })).checkScriptFired).toBe(false);
    expect(
      measure(input({ transitions: silent, masterPriority: null })).checkScriptFired,
    ).toBeNull();
  });

  it('ME-7: a split brain is seen only from a split-brain transition', () => {
    const two = [x(F + 3600, 'lb2', 'vip-add')];
    expect(measure(input({ transitions: two })).splitBrainSeen).toBe(false);
    const split = [...two, x(F + 3600, 'lb1+lb2', 'split-brain')];
    expect(measure(input({ transitions: split })).splitBrainSeen).toBe(true);
  });
});
