import type { DrillTransition } from '@keepwatch/shared';

/*
 * SB-1: is the VIP in two kernels for long enough to be a split brain? Fed by the agents'
 * VIP events as they arrive and by the polled cluster view (which catches what an event
 * missed). A takeover overlaps for about 1 ms and is not one.
 *
 * SB-2: a kernel whose copy of the VIP sits on a link that is down holds nothing anyone can
 * reach, so it is no second holder. The runner says so for its own link-down fault (from
 * the fault until the restore: the agent may be cut off with its link), the agents' linkDown
 * reports say so when they get through (in the order they arrive: a cut-off agent's outbox
 * replays them in order when it is back).
 */
export class SplitWatch {
  private readonly holders = new Set<string>();
  /** Nodes whose VIP copy is on a downed link. */
  private readonly deadLinks = new Set<string>();
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

  /** SB-2: the node's VIP copy is (or no longer is) on a link that is down, as of `at`. */
  linkState(node: string, down: boolean, at: number): boolean {
    if (down === this.deadLinks.has(node)) return false;
    if (down) this.deadLinks.add(node);
    else this.deadLinks.delete(node);
    this.check(at);
    return true;
  }

  /** The node's kernel holds the VIP (on any link), as far as the watch knows. */
  holds(node: string): boolean {
    return this.holders.has(node);
  }

  /** The holders that can answer: in the kernel, on a link that is up. */
  live(): string[] {
    return [...this.holders].filter((h) => !this.deadLinks.has(h)).sort();
  }

  /**
   * The polled cluster view's holders; returns the split-brain transition once two holders
   * have lasted the grace time.
   */
  poll(polled: readonly string[] | undefined, now: number): DrillTransition | null {
    const reachable = (polled ?? []).filter((h) => !this.deadLinks.has(h));
    if (reachable.length >= 2 && this.live().length < 2) {
      for (const h of reachable) this.holders.add(h);
      this.twoSince ??= now;
    }
    if (this.twoSince === null || this.open || now - this.twoSince < this.graceMs) return null;
    this.open = true;
    const names = this.live();
    return {
      at: this.twoSince,
      node: names.join('+'),
      kind: 'split-brain',
      detail: `VIP ${this.vip} in ${names.length} kernels: ${names.join(', ')}`,
    };
  }

  private check(at: number): void {
    if (this.live().length >= 2) {
      this.twoSince ??= at;
    } else {
      this.twoSince = null;
      this.open = false;
    }
  }
}
