import type { Clock } from '../storage/heartbeat';

/*
 * A Clock (storage/heartbeat.ts) that moves only when the test says: advance(ms) runs the
 * timers falling due, in order of their time (timers they set included). Real I/O still runs
 * on its own, so a test awaits what the code under test does (a timer it set, an event),
 * never a real sleep.
 */
export class ManualClock implements Clock {
  private now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private readonly waiters = new Set<() => void>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    for (const w of [...this.waiters]) w();
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }

  /** The timers waiting, as delays from now, shortest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /**
   * Resolves once `cond()` holds: checked now and each time a timer is set (what the code
   * under test does after each step). Fails after `ms` of real time, naming `what`.
   */
  until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const check = (): void => {
        if (!cond()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out: ${what} (timers pending: ${this.pending().join(', ')})`));
      }, ms);
      this.waiters.add(check);
    });
  }
}
