import type { MaintenanceWindow } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, MaintenanceClock, type ClockTimers } from './maintenance-clock';

/* MaintenanceClock on a fake clock and fake timers: rules MC-1..MC-3 (maintenance-clock.ts). */

const T0 = 1_700_000_000_000;

function fixture(windows: MaintenanceWindow[]) {
  let clock = T0;
  const pending: { fn: () => void; at: number }[] = [];
  const timers: ClockTimers = {
    set: (fn, ms) => {
      const t = { fn, at: clock + ms };
      pending.push(t);
      return t;
    },
    clear: (h) => {
      const i = pending.indexOf(h as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const store = {
    refresh: () => {},
    active: (t: number) => windows.filter((w) => w.endsAt > t),
  };
  const announced: number[] = [];
  const mc = new MaintenanceClock(
    store,
    () => clock,
    (at) => announced.push(at),
    timers,
  );
  /** Moves the clock to `t`, firing every timer due on the way, in order. */
  const advanceTo = (t: number): void => {
    for (;;) {
      pending.sort((a, b) => a.at - b.at);
      const due = pending[0];
      if (!due || due.at > t) break;
      pending.shift();
      clock = due.at;
      due.fn();
    }
    clock = t;
  };
  return { mc, announced, pending, advanceTo, windows };
}

const win = (id: number, startsAt: number, endsAt: number): MaintenanceWindow => ({
  id,
  clusterId: 'lab',
  node: null,
  startsAt,
  endsAt,
  reason: 'r',
  createdBy: 'admin',
  createdAt: T0,
  endedBy: null,
});

describe('maintenance clock', () => {
  it('MC-1: a change by hand is announced at once', () => {
    const f = fixture([]);
    f.windows.push(win(1, T0, T0 + 60_000));
    f.mc.changed();
    expect(f.announced).toEqual([T0]);
  });

  it('MC-2: a window expiring on its own is announced at its end, not before', () => {
    const f = fixture([win(1, T0, T0 + 600_000)]);
    f.advanceTo(T0 + 599_999);
    expect(f.announced).toEqual([]);
    f.advanceTo(T0 + 600_000);
    expect(f.announced).toEqual([T0 + 600_000]);
    expect(f.pending).toHaveLength(0);
  });

  it('MC-2: a window scheduled for later is announced when it starts and when it ends', () => {
    const f = fixture([win(1, T0 + 120_000, T0 + 180_000)]);
    f.advanceTo(T0 + 200_000);
    expect(f.announced).toEqual([T0 + 120_000, T0 + 180_000]);
  });

  it('MC-2: a start weeks away is waited for in steps of at most MAX_WAIT_MS', () => {
    const start = T0 + 29 * 86_400_000;
    const f = fixture([win(1, start, start + 60_000)]);
    expect(f.pending[0]?.at).toBe(T0 + MAX_WAIT_MS);
    f.advanceTo(start - 1);
    expect(f.announced).toEqual([]);
    f.advanceTo(start);
    expect(f.announced).toEqual([start]);
  });

  it('MC-3: a timer that finds nothing changed announces nothing', () => {
    const f = fixture([win(1, T0, T0 + 2 * MAX_WAIT_MS)]);
    f.advanceTo(T0 + MAX_WAIT_MS);
    expect(f.announced).toEqual([]);
    f.mc.close();
    expect(f.pending).toHaveLength(0);
  });
});
