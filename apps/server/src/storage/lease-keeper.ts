import type { LeaseRepository } from './lease-repository';

/*
 * One replica's hold on one lease (issue 12 item 3): tick() takes or renews it (call it
 * every ttl/3: two missed renewals still leave a margin), held() says whether this replica
 * may do the lease's work now. held() turns false on the keeper's own clock `marginMs`
 * before the stored expiry, whether or not a renewal failed, so a replica cut off from the
 * database stops acting before another can take over. A gained or lost hold is reported
 * through `onChange` at the tick that sees it; a failing store is not thrown but reported
 * once through `onError` until a tick succeeds again.
 */

export interface LeaseKeeperOptions {
  repo: LeaseRepository;
  name: string;
  /** This replica's id (stable for its lifetime). */
  holder: string;
  ttlMs: number;
  /** Stop acting this long before the stored expiry (clock skew between replicas). */
  marginMs?: number;
  now: () => number;
  onChange?: (held: boolean, epoch: number | undefined) => void;
  onError?: (error: unknown) => void;
}

export class LeaseKeeper {
  private expiresAt = 0;
  private epochHeld: number | undefined;
  private wasHeld = false;
  private failing = false;

  constructor(private readonly o: LeaseKeeperOptions) {}

  /** True while this replica holds the lease (and may run its work). */
  held(): boolean {
    return this.o.now() < this.expiresAt - (this.o.marginMs ?? Math.floor(this.o.ttlMs / 5));
  }

  /** The epoch of the current hold (a fencing token for work started under it). */
  get epoch(): number | undefined {
    return this.held() ? this.epochHeld : undefined;
  }

  /** Takes or renews the lease; whether it is held afterwards. */
  async tick(): Promise<boolean> {
    const now = this.o.now();
    try {
      const grant = await this.o.repo.acquire(this.o.name, this.o.holder, now, this.o.ttlMs);
      if (grant) {
        this.expiresAt = grant.expiresAt;
        this.epochHeld = grant.epoch;
      } else this.expiresAt = 0;
      this.changed();
    } catch (err) {
      // The store is unreachable: keep the hold only until its own expiry, say so once.
      this.changed(err);
    }
    return this.held();
  }

  /** Gives the lease up (a clean stop), so another replica takes over at once. */
  async release(): Promise<void> {
    this.expiresAt = 0;
    this.changed();
    await this.o.repo.release(this.o.name, this.o.holder);
  }

  private changed(error?: unknown): void {
    const held = this.held();
    if (held !== this.wasHeld) {
      this.wasHeld = held;
      this.o.onChange?.(held, held ? this.epochHeld : undefined);
    }
    if (error === undefined) this.failing = false;
    else if (!this.failing) {
      this.failing = true;
      this.o.onError?.(error);
    }
  }
}
