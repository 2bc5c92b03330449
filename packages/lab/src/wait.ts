/* Bounded polling: every wait in the lab has both a step count and a deadline. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Polls `probe` until it returns a value other than undefined/false; throws at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 100;
  const deadline = Date.now() + opts.timeoutMs;
  const maxSteps = Math.ceil(opts.timeoutMs / interval) + 2;
  for (let i = 0; i < maxSteps; i++) {
    if (opts.signal?.aborted) throw new Error(`aborted while waiting for ${what}`);
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}`);
}
