/**
 * Reconnect delay: exponential from `baseMs`, capped, with jitter so that a server restart
 * does not see every open dashboard reconnect in the same millisecond.
 * `random` is injected (Math.random in the app) so tests are deterministic.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  baseMs = 500,
  capMs = 10_000,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  // Between half and all of the ceiling: never zero (no hot loop), never in lockstep.
  return Math.round(ceiling * (0.5 + random * 0.5));
}
