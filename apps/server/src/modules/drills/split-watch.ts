import type { DrillTransition } from '@keepwatch/shared';

/*
 * SB-1: is the VIP in two kernels for long enough to be a split brain? Fed by the agents'
 * VIP events as they arrive and by the polled cluster view (which catches what an event
 * missed). A takeover overlaps for about 1 ms and is not one.
 */
export class SplitWatch {
  private readonly holders = new Set<string>();
  private twoSince: number | null = null;
  private open = false;

  constructor(
    private readonly vip: string,
    private readonly graceMs: number,
    initialHolders: readonly string[],
  ) {
    for (const h of initialHolders) this.holders.add(h);
  }

  /** A kernel added or removed the VIP (an agent's event, on the server clock). */
  vipEvent(node: string, added: boolean, at: number): void {
    if (added) this.holders.add(node);
    else this.holders.delete(node);
    this.check(at);
  }

  /**
   * The polled cluster view's holders; returns the split-brain transition once two holders
   * have lasted the grace time.
   */
  poll(polled: readonly string[] | undefined, now: number): DrillTransition | null {
    if (polled && polled.length >= 2 && this.holders.size < 2) {
      for (const h of polled) this.holders.add(h);
      this.twoSince ??= now;
    }
    if (this.twoSince === null || this.open || now - this.twoSince < this.graceMs) return null;
    this.open = true;
    const names = [...this.holders].sort();
    return {
      at: this.twoSince,
      node: names.join('+'),
      kind: 'split-brain',
      detail: `VIP ${this.vip} in ${names.length} kernels: ${names.join(', ')}`,
    };
  }

  private check(at: number): void {
    if (this.holders.size >= 2) {
      this.twoSince ??= at;
    } else {
      this.twoSince = null;
      this.open = false;
    }
  }
}
