/*
 * A liveness check for a connection that otherwise sits idle (the change feed's LISTEN
 * connection): on a path that black-holes packets nothing errors and nothing ends, so only a
 * question that goes unanswered shows the connection is gone. Every `everyMs` the heartbeat
 * asks (`beat`, e.g. `SELECT 1`); an answer schedules the next beat, a failure or no answer
 * within `timeoutMs` calls `onDead` once and stops. Time is a Clock so tests drive it.
 */

/** The timers a component uses, injectable so a test moves time itself. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending beat or deadline never keeps the process alive. */
export const realClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** `work`, or a DeadlineError once `ms` passed on `clock` without it settling. */
export function within<T>(clock: Clock, ms: number, what: string, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new DeadlineError(what, ms)), ms);
    work.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export interface HeartbeatOptions {
  clock: Clock;
  everyMs: number;
  timeoutMs: number;
  beat: () => Promise<unknown>;
  onDead: (err: Error) => void;
}

export class Heartbeat {
  private timer: unknown;
  private stopped = false;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.next();
  }

  /** No more beats; an answer still on its way is ignored. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.once();
    }, this.o.everyMs);
  }

  private async once(): Promise<void> {
    try {
      await within(this.o.clock, this.o.timeoutMs, 'heartbeat', this.o.beat());
    } catch (err) {
      if (this.stopped) return;
      this.stop();
      this.o.onDead(err as Error);
      return;
    }
    this.next();
  }
}
