import { describe, expect, it } from 'vitest';
import type { LiveDrillMessage } from '@keepwatch/shared';
import { emptyProbe, foldProbe, probeCell } from './probe-model';

const phase = (
  drillId: string,
  status: 'running' | 'passed',
  clusterId = 'lab',
): LiveDrillMessage => ({
  type: 'drill.phase',
  drillId,
  clusterId,
  kind: 'nginx-outage',
  phase: status === 'running' ? 'observe' : 'done',
  status,
  at: 1,
});

describe('truth table client probe (during drills)', () => {
  it('shows nothing without a running drill of this cluster, and ignores other clusters and drills', () => {
    let s = foldProbe(emptyProbe, phase('other', 'running', 'elsewhere'), 'lab');
    s = foldProbe(
      s,
      { type: 'drill.samples', drillId: 'other', target: 'vip', samples: [[1, 2, 200, 'lb1']] },
      'lab',
    );
    expect(probeCell(s, 'lb1')).toBeNull();
  });

  it("gives each LB its own address's last answer and its share of the VIP's recent requests", () => {
    let s = foldProbe(emptyProbe, phase('d1', 'running'), 'lab');
    s = foldProbe(
      s,
      {
        type: 'drill.samples',
        drillId: 'd1',
        target: 'lb1',
        samples: [
          [1000, 3, 200, 'lb1'],
          [1250, 0.4, 'refused', null],
        ],
      },
      'lab',
    );
    s = foldProbe(
      s,
      {
        type: 'drill.samples',
        drillId: 'd1',
        target: 'vip',
        // the first is outside the 2 s window of the newest
        samples: [
          [100, 1, 200, 'lb1'],
          [5000, 1, 200, 'lb1'],
          [5020, 1, 'refused', null],
          [5040, 2, 200, 'lb2'],
        ],
      },
      'lab',
    );
    expect(probeCell(s, 'lb1')).toEqual({
      own: { result: 'refused', ms: 0.4 },
      viaVip: { answered: 1, total: 3 },
    });
    expect(probeCell(s, 'lb2')).toEqual({ own: null, viaVip: { answered: 1, total: 3 } });
    // the drill ends: the column goes back to "only during drills"
    expect(probeCell(foldProbe(s, phase('d1', 'passed'), 'lab'), 'lb1')).toBeNull();
  });
});
