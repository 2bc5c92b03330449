import { describe, expect, it } from 'vitest';
import type { LiveDrillMessage } from '@keepwatch/shared';
import { applyDrillMessage, laneHosts, marksOf, timelineRows, viewOf } from './drills-model';
import { drill, report, T0 } from './test-fixtures';

const running = () =>
  viewOf(
    drill({
      status: 'running',
      phase: 'baseline',
      report: report({ faultAt: null, samples: {}, transitions: [] }),
    }),
  );
const phase = (p: string, status = 'running', faultAt?: number): LiveDrillMessage =>
  ({
    type: 'drill.phase',
    drillId: 'd1',
    clusterId: 'lab',
    kind: 'nginx-outage',
    phase: p,
    status,
    at: T0,
    ...(faultAt !== undefined && { faultAt }),
  }) as LiveDrillMessage;

describe('drill view (drills-model.ts)', () => {
  it('DV-1: the REST read is the base; the chart zero is the start until the fault is known', () => {
    const v = running();
    expect(v.t0).toBe(T0 - 3000);
    expect(v.faultKnown).toBe(false);
    const done = viewOf(drill());
    expect(done.t0).toBe(T0);
    expect(done.batches).toEqual([{ target: 'vip', samples: [[T0 + 10, 0.3, 'refused', null]] }]);
  });

  it('DV-2: messages of another drill change nothing', () => {
    const v = running();
    expect(applyDrillMessage(v, { ...phase('fault'), drillId: 'other' })).toBe(v);
  });

  it('DV-3: phases only go forward, the fault time becomes the zero, a final status always wins', () => {
    let v = applyDrillMessage(running(), phase('fault', 'running', T0));
    expect(v.phase).toBe('fault');
    expect(v.t0).toBe(T0);
    expect(v.faultKnown).toBe(true);
    v = applyDrillMessage(v, phase('observe'));
    expect(applyDrillMessage(v, phase('baseline'))).toBe(v);
    v = applyDrillMessage(v, phase('restore', 'aborted'));
    expect(v.status).toBe('aborted');
    // After the end, a late running message cannot revive it.
    expect(applyDrillMessage(v, phase('verify')).status).toBe('aborted');
  });

  it('DV-4: probe batches append to their target', () => {
    let v = running();
    const batch = (dt: number): LiveDrillMessage => ({
      type: 'drill.samples',
      drillId: 'd1',
      target: 'vip',
      samples: [[T0 + dt, 1, 200, 'lb1']],
    });
    v = applyDrillMessage(applyDrillMessage(v, batch(0)), batch(10));
    expect(v.batches).toHaveLength(1);
    expect(v.batches[0]?.samples).toHaveLength(2);
  });

  it('DV-5: a transition already read is not added twice; the list stays in time order', () => {
    const tr = (at: number, detail: string): LiveDrillMessage => ({
      type: 'drill.transition',
      drillId: 'd1',
      transition: { at, node: 'lb2', kind: 'vrrp', detail },
    });
    let v = applyDrillMessage(running(), tr(T0 + 50, 'MASTER'));
    v = applyDrillMessage(v, tr(T0 + 10, 'BACKUP'));
    const again = applyDrillMessage(v, tr(T0 + 50, 'MASTER'));
    expect(again).toBe(v);
    expect(v.transitions.map((t) => t.detail)).toEqual(['BACKUP', 'MASTER']);
  });

  it('DV-6: the message that ends the drill asks for one full read', () => {
    const v = applyDrillMessage(running(), phase('done', 'passed'));
    expect(v.needsReload).toBe(true);
    expect(viewOf(drill()).needsReload).toBe(false);
  });

  it('marks: VIP moves are their own kind; log lines keep their source', () => {
    const r = report();
    const marks = marksOf(r.transitions, r.logs);
    expect(marks.map((m) => m.kind)).toEqual(['transition', 'vip', 'log']);
    expect(marks[2]?.source).toBe('keepalived');
  });

  it('lanes: the preferred hosts first, then any other host with log lines', () => {
    expect(laneHosts([{ node: 'web1' }, { node: 'lb2' }, { node: 'lb1' }], ['lb1', 'lb2'])).toEqual(
      ['lb1', 'lb2', 'web1'],
    );
  });

  it('the table merges transitions and log lines in time order, transitions first on a tie', () => {
    const rows = timelineRows(
      [{ at: T0 + 5, node: 'lb2', kind: 'vrrp', detail: 'MASTER' }],
      [
        { at: T0 + 5, node: 'lb2', source: 'keepalived', text: 'Entering MASTER STATE' },
        { at: T0 + 1, node: 'lb1', source: 'nginx', text: 'exiting' },
      ],
    );
    expect(rows.map((r) => `${r.what}:${r.node}`)).toEqual([
      'log:lb1',
      'transition:lb2',
      'log:lb2',
    ]);
  });
});
