/** Counts attempts per key in a fixed window; no state survives a restart. */
export class LoginLimiter {
  private readonly attempts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly maxAttempts = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until the key may try again, or 0 if it may try now. */
  blockedFor(key: string): number {
    const entry = this.attempts.get(key);
    if (!entry) return 0;
    const now = this.now();
    if (entry.resetAt <= now) {
      this.attempts.delete(key);
      return 0;
    }
    return entry.count >= this.maxAttempts ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  /** Counts one attempt (before its outcome is known). */
  add(key: string): void {
    const now = this.now();
    const entry = this.attempts.get(key);
    if (!entry || entry.resetAt <= now) {
      this.attempts.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.attempts.size > 10_000) this.prune(now);
    } else {
      entry.count++;
    }
  }

  /** Takes back one counted attempt (it succeeded). */
  refund(key: string): void {
    const entry = this.attempts.get(key);
    if (entry && entry.count > 0) entry.count--;
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.attempts) if (entry.resetAt <= now) this.attempts.delete(key);
  }
}
