import type { StatusCluster } from '@keepwatch/shared';

/**
 * Right after a start, restored agents are offline until they reconnect; while any of them has
 * not been seen online yet (and the grace has not run out) alerts neither fire nor resolve.
 * Only nodes restored from the database count: an agent seen online since this start that
 * then drops is real news, grace or not. Kept per cluster and updated only for the clusters
 * an evaluation looks at (SPEC AL-4), so a reconnect storm costs each hello its own cluster.
 */
export class StartupGrace {
  /** cluster → names of restored nodes not seen online since the start. */
  private readonly waiting = new Map<string, Set<string>>();
  private over = false;

  constructor(
    private readonly startedAt: number,
    private readonly graceMs: number,
    restored: Iterable<StatusCluster>,
  ) {
    if (graceMs <= 0) {
      this.over = true;
      return;
    }
    for (const c of restored) {
      const offline = c.nodes.filter((n) => !n.online).map((n) => n.name);
      if (offline.length > 0) this.waiting.set(c.id, new Set(offline));
    }
  }

  get endsAt(): number {
    return this.startedAt + this.graceMs;
  }

  /** Records what a cluster's status shows (undefined: the cluster is gone). */
  look(id: string, c: StatusCluster | undefined): void {
    if (this.over) return;
    const before = this.waiting.get(id);
    if (c === undefined) {
      this.waiting.delete(id);
      return;
    }
    if (before === undefined) return;
    const names = new Set<string>();
    for (const n of c.nodes) if (!n.online && before.has(n.name)) names.add(n.name);
    if (names.size > 0) this.waiting.set(id, names);
    else this.waiting.delete(id);
  }

  /**
   * Whether the grace still holds at `now`. Returns false exactly once more after it ended
   * (`justEnded` true then), so the caller can evaluate everything it held back.
   */
  holds(now: number): { holds: boolean; justEnded: boolean } {
    if (this.over) return { holds: false, justEnded: false };
    if (now - this.startedAt < this.graceMs && this.waiting.size > 0)
      return { holds: true, justEnded: false };
    this.over = true;
    this.waiting.clear();
    return { holds: false, justEnded: true };
  }
}
