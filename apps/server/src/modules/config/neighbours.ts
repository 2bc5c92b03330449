import { neighbourInstances, type NeighbourInstance } from '@keepwatch/shared';
import { draftHosts } from './config-view';
import type { LiveFileStore } from './live-files';

/*
 * VR-1 across clusters: the VRRP instances every other cluster's live keepalived files
 * define, so one cluster's analysis (live files, a draft, a rendered model) sees a VRID that
 * a neighbour already uses on the same network (ANALYSIS.md VR-1).
 */
export function neighboursOf(live: LiveFileStore, clusterId: string): NeighbourInstance[] {
  return live
    .clusters()
    .filter((c) => c !== clusterId)
    .flatMap((c) => neighbourInstances(c, draftHosts(live.list(c), [])));
}
