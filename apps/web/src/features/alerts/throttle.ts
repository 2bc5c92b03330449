/*
 * Leading + trailing throttle: the first call runs at once, calls within `minMs` of the last
 * run collapse into one run when the interval ends. Used to re-fetch alerts on live patches
 * (a failover makes a burst of patches; one GET per 2 s is plenty). Timers injected for tests.
 */

export interface Throttled {
  (): void;
  cancel: () => void;
}

export interface ThrottleClock {
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function throttle(
  fn: () => void,
  minMs: number,
  clock: ThrottleClock = realClock,
): Throttled {
  let lastRun = -Infinity;
  let pending: unknown = null;
  const run = (): void => {
    pending = null;
    lastRun = clock.now();
    fn();
  };
  const throttled = (): void => {
    if (pending !== null) return;
    const wait = lastRun + minMs - clock.now();
    if (wait <= 0) run();
    else pending = clock.setTimeout(run, wait);
  };
  throttled.cancel = (): void => {
    if (pending !== null) clock.clearTimeout(pending);
    pending = null;
  };
  return throttled;
}

/** Trailing debounce: runs once, `ms` after the last call. */
export function debounce(fn: () => void, ms: number, clock: ThrottleClock = realClock): Throttled {
  let pending: unknown = null;
  const debounced = (): void => {
    if (pending !== null) clock.clearTimeout(pending);
    pending = clock.setTimeout(() => {
      pending = null;
      fn();
    }, ms);
  };
  debounced.cancel = (): void => {
    if (pending !== null) clock.clearTimeout(pending);
    pending = null;
  };
  return debounced;
}
