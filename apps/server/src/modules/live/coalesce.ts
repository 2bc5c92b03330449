/**
 * Runs `fn` at most once per `windowMs`: the first call of a quiet period runs it on the next
 * turn (setImmediate, so one change is not held back), calls during the window after that
 * collapse into one run at its end. For messages that are rebuilt whole on every change (the
 * live alert lists read every open alert): during a reconnect storm thousands of alert
 * changes cost one rebuild per window instead of one each (issue 11: 18 % of the server's
 * time after a restart under 5,000 agents went to rebuilding the alert list per change).
 */
export function coalesce(fn: () => void, windowMs: number): { (): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let pending = false;
  const open = (): void => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!pending) return;
      pending = false;
      fn();
      open();
    }, windowMs);
    timer.unref();
  };
  const call = (): void => {
    // Not run yet: that run reads the state as it will be then, this call included.
    if (immediate) return;
    if (timer) {
      pending = true;
      return;
    }
    immediate = setImmediate(() => {
      immediate = undefined;
      fn();
      open();
    });
  };
  call.cancel = (): void => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = undefined;
    pending = false;
  };
  return call;
}
