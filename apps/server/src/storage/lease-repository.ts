/*
 * Leases (issue 12 item 3): the storage side of "exactly once across replicas". A lease is
 * held by one holder (a replica's id) until an expiry on the holder's clock; the holder
 * renews it well before then, and another replica takes it only after it expired. Replica
 * clocks must agree far better than the lease's time to live (NTP; the panel already
 * measures its agents' skew the same way). sql-leases.ts implements it over both drivers;
 * lease.contract.test.ts runs it on SQLite and a real PostgreSQL, two takers at once included.
 */

export interface LeaseGrant {
  /** Held until then (ms, the caller's clock). */
  expiresAt: number;
  /** Grows by one each time the lease changes hands: a fencing token. */
  epoch: number;
}

export interface LeaseState {
  holder: string;
  expiresAt: number;
  epoch: number;
}

export interface LeaseRepository {
  /**
   * Takes `name` for `holder` until now + ttlMs when it is free, expired at `now`, or already
   * the holder's (a renewal). Undefined when another holder has it: nothing changed. Atomic:
   * of two takers of one free lease exactly one gets it.
   */
  acquire(
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
  ): Promise<LeaseGrant | undefined>;
  /** Gives the lease up at once if `holder` has it (a clean stop); false otherwise. */
  release(name: string, holder: string): Promise<boolean>;
  /** Who has the lease at `now`, if anyone. */
  current(name: string, now: number): Promise<LeaseState | undefined>;
}
