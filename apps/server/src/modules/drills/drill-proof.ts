import { DRILL_KIND_INFO, type DrillKind, type DrillProof } from '@keepwatch/shared';
import type { DrillRepository } from '../../storage/drill-repository';

/*
 * What the drills prove: each cluster's last passed failover drill, stale after 30 days by
 * default (the proof list, readiness), and the kinds' descriptions for the API.
 */

export const DEFAULT_STALE_MS = 30 * 86_400_000;

/** Kinds whose pass proves failover (the VIP moved). */
export const FAILOVER_KINDS: readonly DrillKind[] = [
  'nginx-outage',
  'keepalived-stop',
  'keepalived-crash',
  'nginx-hang',
  'link-down',
];

/** One row per cluster named or with a proven drill, sorted by cluster id. */
export async function drillProof(
  repo: DrillRepository,
  clusterIds: readonly string[],
  now: () => number,
  staleMs: number | undefined,
): Promise<DrillProof[]> {
  const staleAfterMs = staleMs ?? DEFAULT_STALE_MS;
  const last = await repo.lastProven(FAILOVER_KINDS);
  const at = now();
  return [...new Set([...clusterIds, ...last.keys()])].sort().map((clusterId) => {
    const l = last.get(clusterId);
    return {
      clusterId,
      lastProvenAt: l?.at ?? null,
      lastProvenKind: l?.kind ?? null,
      drillId: l?.id ?? null,
      stale: !l || at - l.at > staleAfterMs,
      staleAfterMs,
    };
  });
}

export function kindInfoList(): (typeof DRILL_KIND_INFO)[DrillKind][] {
  return Object.values(DRILL_KIND_INFO);
}
