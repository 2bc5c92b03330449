/*
 * Per-agent ingest budget: two token buckets (frames and bytes) per agent id, kept across
 * reconnects so a reconnect loop does not buy a fresh budget. Every inbound frame after the
 * hello is charged (pongs and junk too); over budget the frame is refused (agent-data-path.ts).
 *
 *   IB-1  a bucket starts full (burst) and refills continuously at its rate, capped at burst.
 *   IB-2  a frame is admitted when both buckets hold what it costs (1 frame, its bytes);
 *         admitted frames are charged to both, refused ones to neither.
 *   IB-3  a refusal says when the frame would fit (retryAfterMs).
 *   IB-4  the set of buckets is bounded: past maxAgents, full buckets of agents not online are
 *         forgotten first (a full bucket is what a new one would be anyway), then the oldest.
 */

export interface BudgetLimits {
  /** Frames an agent may send at once (a reconnect replay of its outbox). */
  burstFrames: number;
  /** Frames per second, sustained. */
  framesPerS: number;
  burstBytes: number;
  bytesPerS: number;
}

/**
 * A real agent sends a few frames a second (stats, pongs, transitions) and replays its outbox
 * after a reconnect; the burst lets a replay of thousands through, the rates bound a flood.
 */
export const DEFAULT_BUDGET: BudgetLimits = {
  burstFrames: 10_000,
  framesPerS: 100,
  burstBytes: 16 * 1024 * 1024,
  bytesPerS: 1024 * 1024,
};

export type BudgetVerdict = { ok: true } | { ok: false; retryAfterMs: number; reason: string };

/** One verdict for every frame within budget (it is never changed): no allocation per frame. */
const WITHIN: BudgetVerdict = Object.freeze({ ok: true });

class Bucket {
  frames: number;
  bytes: number;

  constructor(
    private readonly limits: BudgetLimits,
    private at: number,
  ) {
    this.frames = limits.burstFrames;
    this.bytes = limits.burstBytes;
  }

  refill(now: number): void {
    const dt = Math.max(0, now - this.at) / 1000;
    this.at = now;
    const l = this.limits;
    this.frames = Math.min(l.burstFrames, this.frames + dt * l.framesPerS);
    this.bytes = Math.min(l.burstBytes, this.bytes + dt * l.bytesPerS);
  }

  get full(): boolean {
    return this.frames >= this.limits.burstFrames && this.bytes >= this.limits.burstBytes;
  }
}

export class IngestBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    private readonly limits: BudgetLimits = DEFAULT_BUDGET,
    private readonly maxAgents = 100_000,
    private readonly isOnline: (agentId: string) => boolean = () => false,
  ) {}

  /** Charges one frame of `bytes` to the agent, or says why not and for how long. */
  charge(agentId: string, bytes: number): BudgetVerdict {
    const now = this.now();
    let b = this.buckets.get(agentId);
    if (!b) {
      this.makeRoom();
      b = new Bucket(this.limits, now);
      this.buckets.set(agentId, b);
    }
    b.refill(now);
    if (b.frames >= 1 && b.bytes >= bytes) {
      b.frames -= 1;
      b.bytes -= bytes;
      return WITHIN;
    }
    const l = this.limits;
    if (bytes > l.burstBytes)
      return { ok: false, retryAfterMs: 0, reason: `frame of ${bytes} bytes exceeds the budget` };
    const wait = Math.max(
      b.frames >= 1 ? 0 : ((1 - b.frames) / l.framesPerS) * 1000,
      b.bytes >= bytes ? 0 : ((bytes - b.bytes) / l.bytesPerS) * 1000,
    );
    return {
      ok: false,
      retryAfterMs: Math.ceil(wait),
      reason: `over the agent budget (${l.framesPerS} frames/s, ${Math.round(l.bytesPerS / 1024)} KiB/s; bursts of ${l.burstFrames} frames, ${Math.round(l.burstBytes / 1048576)} MiB)`,
    };
  }

  get size(): number {
    return this.buckets.size;
  }

  private makeRoom(): void {
    if (this.buckets.size < this.maxAgents) return;
    const now = this.now();
    for (const [id, b] of this.buckets) {
      b.refill(now);
      if (b.full && !this.isOnline(id)) this.buckets.delete(id);
    }
    if (this.buckets.size < this.maxAgents) return;
    // Still full: drop the oldest entries (insertion order) down to 90 %.
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < this.maxAgents * 0.9) break;
      this.buckets.delete(id);
    }
  }
}
