import { neighbourInstances, type NeighbourInstance } from '@keepwatch/shared';
import { draftHosts } from './config-view';
import type { LiveFile, LiveFiles } from './live-files';

/*
 * VR-1 across clusters: the VRRP instances every other cluster's live keepalived files
 * define, so one cluster's analysis (live files, a draft, a rendered model) sees a VRID that
 * a neighbour already uses on the same network (ANALYSIS.md VR-1).
 */
export async function neighboursOf(
  live: LiveFiles,
  clusterId: string,
): Promise<NeighbourInstance[]> {
  const byCluster = new Map<string, LiveFile[]>();
  for (const f of await live.all())
    if (f.clusterId !== clusterId)
      byCluster.set(f.clusterId, [...(byCluster.get(f.clusterId) ?? []), f]);
  return [...byCluster].flatMap(([c, files]) => neighbourInstances(c, draftHosts(files, [])));
}
