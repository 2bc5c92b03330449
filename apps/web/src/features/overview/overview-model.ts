import type { Alert, StatusCluster, Verdict } from '@keepwatch/shared';

/* What the overview shows per cluster, computed once per live update: pure, time injected. */

export const VERDICT_ORDER: Record<Verdict, number> = {
  down: 0,
  at_risk: 1,
  unknown: 2,
  degraded: 3,
  healthy: 4,
};

export type StatusFilter = Verdict | 'all' | 'problems';

export interface ClusterRow {
  cluster: StatusCluster;
  /** Lower-cased text the search box matches: name, id, hosts, VIPs. */
  haystack: string;
  online: number;
  total: number;
  /** When a node last became MASTER (the last failover or failback), if known. */
  lastFailover: number | null;
  alerts: number;
}

export function buildRows(
  clusters: readonly StatusCluster[],
  alerts: readonly Alert[],
): ClusterRow[] {
  const alertCount = new Map<string, number>();
  for (const a of alerts) alertCount.set(a.cluster, (alertCount.get(a.cluster) ?? 0) + 1);
  return clusters.map((c) => {
    let lastFailover: number | null = null;
    for (const n of c.nodes)
      for (const v of n.vrrp)
        if (v.state === 'MASTER' && v.since !== undefined)
          lastFailover = Math.max(lastFailover ?? 0, v.since);
    return {
      cluster: c,
      haystack: [c.name, c.id, ...c.nodes.map((n) => n.name), ...c.vips.map((v) => v.address)]
        .join(' ')
        .toLowerCase(),
      online: c.nodes.filter((n) => n.online).length,
      total: c.nodes.length,
      lastFailover,
      alerts: alertCount.get(c.id) ?? 0,
    };
  });
}

/** Worst first, then by name; a filter on status and a search over names, hosts and VIPs. */
export function filterRows(
  rows: readonly ClusterRow[],
  query: string,
  status: StatusFilter,
): ClusterRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return rows
    .filter((r) =>
      status === 'all'
        ? true
        : status === 'problems'
          ? r.cluster.verdict !== 'healthy'
          : r.cluster.verdict === status,
    )
    .filter((r) => words.every((w) => r.haystack.includes(w)))
    .sort(
      (a, b) =>
        VERDICT_ORDER[a.cluster.verdict] - VERDICT_ORDER[b.cluster.verdict] ||
        a.cluster.name.localeCompare(b.cluster.name, 'en'),
    );
}
