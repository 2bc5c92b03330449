import type { MaintenanceWindow } from '@keepwatch/shared';

/** The longest single wait: setTimeout cannot wait past ~24.8 days, windows start up to 30 ahead. */
export const MAX_WAIT_MS = 3_600_000;

export interface ClockTimers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

const realTimers: ClockTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the clock needs of the store (MaintenanceStore). */
export interface WindowSource {
  refresh(now: number): void;
  active(now: number): MaintenanceWindow[];
}

/**
 * Tells the live feed when the set of windows changes, including the changes nobody makes: a
 * window scheduled for later starting, a window reaching its end. MC-1: a change by hand
 * (`changed()`) is announced at once. MC-2: one timer waits for the next start or end of any
 * window (at most MAX_WAIT_MS, then it looks again). MC-3: when it fires, the change is
 * announced only if which windows are active, and which of them are open, differs.
 */
export class MaintenanceClock {
  private handle: unknown;
  private key = '';

  constructor(
    private readonly store: WindowSource,
    private readonly now: () => number,
    private readonly announce: (at: number) => void,
    private readonly timers: ClockTimers = realTimers,
  ) {
    this.key = this.phase(now());
    this.arm();
  }

  /** A window was created or ended by hand. */
  changed(): void {
    const t = this.now();
    this.key = this.phase(t);
    this.announce(t);
    this.arm();
  }

  close(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
  }

  private phase(t: number): string {
    return this.store
      .active(t)
      .map((w) => `${w.id}:${w.startsAt <= t ? 'open' : 'upcoming'}`)
      .join(',');
  }

  private arm(): void {
    this.close();
    const t = this.now();
    let next = Infinity;
    for (const w of this.store.active(t)) {
      if (w.startsAt > t) next = Math.min(next, w.startsAt);
      else next = Math.min(next, w.endsAt);
    }
    if (next === Infinity) return;
    this.handle = this.timers.set(() => this.fire(), Math.min(Math.max(0, next - t), MAX_WAIT_MS));
  }

  private fire(): void {
    this.handle = undefined;
    const t = this.now();
    this.store.refresh(t);
    const key = this.phase(t);
    if (key !== this.key) {
      this.key = key;
      this.announce(t);
    }
    this.arm();
  }
}
