export interface ClockSample {
  offsetMs: number;
  rttMs: number;
}

/**
 * NTP-style offset from the four timestamps of a ping/pong, smoothed by keeping the sample
 * with the smallest round trip among the last `window`: the least-delayed exchange has the
 * least asymmetric queueing, so its offset is the most trustworthy.
 */
export class ClockSync {
  private readonly samples: ClockSample[] = [];

  constructor(private readonly window = 8) {}

  /** t0 server send, t1 agent receive, t2 agent send, t3 server receive. Agent − server, ms. */
  add(t0: number, t1: number, t2: number, t3: number): ClockSample {
    const sample = { offsetMs: (t1 - t0 + (t2 - t3)) / 2, rttMs: Math.max(0, t3 - t0 - (t2 - t1)) };
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    return this.best() ?? sample;
  }

  best(): ClockSample | undefined {
    let best: ClockSample | undefined;
    for (const s of this.samples) if (!best || s.rttMs < best.rttMs) best = s;
    return best;
  }
}
