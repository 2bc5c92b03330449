/*
 * One operation per cluster at a time: a drill and a config push must never overlap on the
 * same cluster (a push's reload during a drill's fault would confuse both, and the drill's
 * report would measure the push). Drills and pushes take the cluster here before they touch
 * any agent and give it back when they are done, whatever the outcome.
 *
 * In-process today: a server restart forgets every hold, which is right because the drill
 * and push modules mark what was running as `interrupted` on start and leave the restore to
 * the agents' deadlines. With server replicas the holds move to the database (a lease).
 */

export type ClusterOpKind = 'drill' | 'push';

export interface ClusterOpHold {
  clusterId: string;
  kind: ClusterOpKind;
  /** The drill or push id. */
  id: string;
  /** Username (or `schedule`) that started it. */
  by: string;
  since: number;
}

export type AcquireResult = { ok: true; release: () => void } | { ok: false; busy: ClusterOpHold };

export class ClusterOps {
  private readonly holds = new Map<string, ClusterOpHold>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes the cluster for one drill or push, or says who holds it. `release` is idempotent
   * and only frees the hold it was given (a late release cannot free a newer holder).
   */
  tryAcquire(clusterId: string, kind: ClusterOpKind, id: string, by: string): AcquireResult {
    const current = this.holds.get(clusterId);
    if (current) return { ok: false, busy: { ...current } };
    const hold: ClusterOpHold = { clusterId, kind, id, by, since: this.now() };
    this.holds.set(clusterId, hold);
    return {
      ok: true,
      release: () => {
        if (this.holds.get(clusterId) === hold) this.holds.delete(clusterId);
      },
    };
  }

  /** Who holds the cluster now, if anyone. */
  holder(clusterId: string): ClusterOpHold | undefined {
    const h = this.holds.get(clusterId);
    return h && { ...h };
  }

  /** Every hold, for the status page and /metrics. */
  list(): ClusterOpHold[] {
    return [...this.holds.values()].map((h) => ({ ...h }));
  }
}

/** The sentence a 409 carries when a cluster is busy. */
export function busyMessage(busy: ClusterOpHold): string {
  const what = busy.kind === 'drill' ? 'a drill' : 'a config push';
  return `cluster ${busy.clusterId} is busy: ${what} (${busy.id}) started by ${busy.by} is running`;
}
