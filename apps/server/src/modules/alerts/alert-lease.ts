/*
 * SPEC AL-9: one evaluator across server replicas. With a lease (storage/lease-keeper.ts,
 * held by one replica at a time), only its holder plans and writes alerts. A service without
 * the lease plans nothing and drops what it had pending (the holder has its own); on gaining
 * it, the service reads the firing and recent alerts again (what the previous holder
 * committed) before its first evaluation, so an alert already firing is not fired twice.
 * Without a lease (one server) every check passes.
 */

/** The hold on the alert-evaluation lease; none: this server evaluates. */
export interface EvaluationLease {
  held(): boolean;
}

export class LeaseGate {
  /** Whether the last check was under the lease (false: reload before the next evaluation). */
  private holding: boolean;

  constructor(private readonly lease?: EvaluationLease) {
    this.holding = lease === undefined;
  }

  /** Whether an evaluation may run now; calls `lost` / awaits `gained` on a change of hands. */
  async check(on: { lost: () => void; gained: () => Promise<void> }): Promise<boolean> {
    if (!this.lease) return true;
    if (!this.lease.held()) {
      if (this.holding) {
        this.holding = false;
        on.lost();
      }
      return false;
    }
    if (this.holding) return true;
    await on.gained();
    this.holding = true;
    return true;
  }
}
