import { describe, expect, it } from 'vitest';
import type { Alert, HistoryEvent } from '@keepwatch/shared';
import { rangeFromQuery, timelineRows, zoom } from './timeline-model';

const ev = (ts: number, node: string, type: string, data: unknown): HistoryEvent => ({
  ts,
  receivedAt: ts,
  node,
  agentId: `a-${node}`,
  seq: ts,
  type,
  summary: type,
  data,
});

describe('timeline model', () => {
  it('puts both LBs, kernel VIP moves and alerts on one axis, in time order', () => {
    const alert: Alert = {
      id: 1,
      key: 'k',
      rule: 'SPLIT_BRAIN',
      severity: 'critical',
      cluster: 'lab',
      message: 'm',
      firingAt: 25,
      resolvedAt: 40,
    };
    const rows = timelineRows(
      [
        ev(30, 'lb2', 'vip.change', { action: 'add' }),
        ev(10, 'lb1', 'vrrp.transition', { state: 'STOP' }),
        ev(20, 'lb2', 'vrrp.transition', { state: 'MASTER' }),
      ],
      [alert, { ...alert, id: 2, cluster: 'other' }],
      'lab',
      0,
      100,
    );
    expect(rows.map((r) => [r.ts, r.node, r.kind])).toEqual([
      [10, 'lb1', 'vrrp'],
      [20, 'lb2', 'vrrp'],
      [25, '', 'alert'],
      [30, 'lb2', 'vip'],
      [40, '', 'alert'],
    ]);
    expect(rows[0]?.bad).toBe(true);
    expect(rows[1]?.bad).toBe(false);
  });

  it('reads the range from the URL: fixed, around a moment, or live', () => {
    expect(rangeFromQuery(new URLSearchParams('from=10&to=20'), 1e9)).toEqual({
      from: 10,
      to: 20,
      live: false,
    });
    expect(rangeFromQuery(new URLSearchParams('at=1000000'), 0)).toEqual({
      from: 700_000,
      to: 1_300_000,
      live: false,
    });
    const live = rangeFromQuery(new URLSearchParams('span=1h'), 10_000_000);
    expect(live).toMatchObject({ from: 10_000_000 - 3_600_000, live: true });
  });

  it('zooms around the middle, and a live range keeps its end at now', () => {
    expect(zoom({ from: 0, to: 600_000, live: false }, 0.5, 0)).toEqual({
      from: 150_000,
      to: 450_000,
      live: false,
    });
    expect(zoom({ from: 0, to: 600_000, live: true }, 2, 1_000_000)).toMatchObject({
      from: 1_000_000 - 1_200_000,
      live: true,
    });
  });
});
