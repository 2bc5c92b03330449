/*
 * What holds a cluster in the database (config SPEC PU-15, drills SPEC RS-6): a running drill
 * or a running config push, on any replica. `sql-cluster-work.ts` finds it under one lock for
 * both kinds of start; the refusals of `DrillRepository.insert` and `ConfigRepository.createPush`
 * carry it, and the 409 says it with `clusterWorkMessage`.
 */

export interface ClusterWork {
  kind: 'drill' | 'push';
  /** The drill or push id. */
  id: string;
  /** Who started it: a username, or `schedule` for a scheduled drill. */
  by: string;
  /** The replica running it; null: a single server's. */
  owner: string | null;
}

/** The sentence of the 409: "cluster lab is busy: a drill (dr-…) started by alice is running on replica A". */
export function clusterWorkMessage(clusterId: string, work: ClusterWork): string {
  const where = work.owner !== null ? ` on replica ${work.owner}` : '';
  return `cluster ${clusterId} is busy: a ${work.kind} (${work.id}) started by ${work.by} is running${where}`;
}
