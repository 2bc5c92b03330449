/*
 * Work left behind by a replica that died (issue 12: "a replica that dies mid-drill or
 * mid-push … marks it `interrupted` — never twice, never lost"). Drills and config pushes
 * record the replica that runs them (their owner); a run still `running` whose owner's
 * `replica:<id>` lease has expired has nobody to finish it. Every replica looks at each
 * renewal of its own lease (replica-wiring.ts runs the sweepers registered on
 * `app.replica.sweepers`); the store's interrupt is conditional on `running`, so of all the
 * replicas that notice, one marks it and the others change nothing (drills RS-3/RS-4,
 * config PU-12/PU-13). Runs are marked `interrupted`, not handed over: their steps lived in
 * the dead process (a drill's probe and timeline, a push's per-host recovery), and resuming
 * them blind is what PU-9 forbids; the agents' own deadlines (a drill's dead-man restore, a
 * push's apply-or-roll-back) already put the hosts right.
 */

export interface ReplicaView {
  /** This replica's id. */
  id: string;
  /** Whether `replica` still holds its `replica:<id>` lease. */
  alive(replica: string): Promise<boolean>;
}

/**
 * The runs among `running` that nobody runs any more. `deadOnly` (the periodic sweep): only
 * those of another replica whose lease has expired. Otherwise (a start) also those of this
 * replica's previous process and those of a single server (owner null). Without replicas:
 * every one not running here.
 */
export async function leftoverRuns(
  running: readonly { id: string; owner: string | null }[],
  here: (id: string) => boolean,
  replica: ReplicaView | undefined,
  deadOnly = false,
): Promise<string[]> {
  const out: string[] = [];
  for (const d of running) {
    if (here(d.id)) continue;
    if (!replica) {
      if (!deadOnly) out.push(d.id);
      continue;
    }
    const mine = d.owner === null || d.owner === replica.id;
    if (mine ? !deadOnly : !(await replica.alive(d.owner as string))) out.push(d.id);
  }
  return out;
}
