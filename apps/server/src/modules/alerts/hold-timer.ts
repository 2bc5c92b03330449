/**
 * One timer for the earliest moment an evaluation is due without any status change: a pending
 * finding's hold ending, or the startup grace ending. Setting a later moment while an earlier
 * one is armed keeps the earlier one; `wakeAt` always re-arms.
 */
export class HoldTimer {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {}

  /** Wakes at `at` (epoch ms) unless an earlier wake is armed. */
  wakeBy(at: number): void {
    if (at >= this.due && this.timer !== undefined) return;
    this.wakeAt(at);
  }

  /** Re-arms for `at` (epoch ms), replacing any armed wake. */
  wakeAt(at: number): void {
    clearTimeout(this.timer);
    const delay = Math.max(0, at - this.now());
    this.due = this.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      this.fire();
    }, delay + 1);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Infinity;
  }
}
