/** Waits ms, or less if the signal aborts; resolves true when the full time passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * This process's phase for periodic work: random per agent, so a fleet does not probe the
 * same backend in the same millisecond, but shared by every loop of one agent.
 */
const PHASE_MS = Math.floor(Math.random() * 1000);

/** Milliseconds from `now` to the next instant that is PHASE_MS past a multiple of periodMs. */
export function msToBoundary(periodMs: number, now = Date.now(), phaseMs = PHASE_MS): number {
  const into = (((now - phaseMs) % periodMs) + periodMs) % periodMs;
  return periodMs - into;
}

/**
 * Like sleep, but wakes on the agent's shared period boundary instead of `periodMs` after
 * now. Every periodic loop (probes, liveness, reconcile, stats) then wakes in the same
 * event-loop turn: one wake-up a second instead of one per loop. On a VM each wake-up has
 * a real cost (measured: most of the agent's idle CPU was wake-ups and their GC, not work).
 * A loop whose work overran a boundary waits for the next one.
 */
export function sleepToBoundary(periodMs: number, signal?: AbortSignal): Promise<boolean> {
  return sleep(msToBoundary(periodMs), signal);
}

/**
 * Exponential backoff with full jitter (delay uniform in [0, min(max, base * 2^n)]), so a
 * fleet of agents that lost the server at the same moment does not reconnect in lockstep.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(this.random() * cap);
  }

  reset(): void {
    this.attempt = 0;
  }
}
