import type {
  Finding,
  Severity,
  StatusCluster,
  StatusNode,
  StatusVip,
  StatusVrrp,
} from '@keepwatch/shared';

/* Pure derivations for the topology view: what to draw, computed from one StatusCluster. */

const severityRank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Critical first, then warning, then info; server order kept within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank[a.f.severity] - severityRank[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

export function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export function splitNodes(cluster: StatusCluster): { lbs: StatusNode[]; backends: StatusNode[] } {
  const nodes = byName(cluster.nodes);
  return {
    lbs: nodes.filter((n) => n.role === 'lb'),
    backends: nodes.filter((n) => n.role === 'backend'),
  };
}

export function sortedHolders(vip: StatusVip): string[] {
  return [...vip.holders].sort((a, b) => a.localeCompare(b, 'en'));
}

export type VipCondition = 'held' | 'none' | 'split';

/** The kernel is the truth: zero holders = nobody answers, two or more = split brain. */
export function vipCondition(vip: StatusVip): VipCondition {
  const n = new Set(vip.holders).size;
  return n === 0 ? 'none' : n === 1 ? 'held' : 'split';
}

/** keepalived's MASTERs when they disagree with the kernel's holders, else null. */
export function mastersIfDifferent(vip: StatusVip): string[] | null {
  const holders = new Set(vip.holders);
  const masters = new Set(vip.masters);
  const same = holders.size === masters.size && [...holders].every((h) => masters.has(h));
  return same ? null : [...masters].sort((a, b) => a.localeCompare(b, 'en'));
}

/** VIPs the node's kernel holds, from either view the server gives (they should agree). */
export function vipsHeldBy(node: StatusNode, cluster: StatusCluster): string[] {
  const held = new Set(node.vipsHeld);
  for (const vip of cluster.vips) if (vip.holders.includes(node.name)) held.add(vip.address);
  return [...held].sort();
}

export function isPriorityLowered(v: StatusVrrp): boolean {
  return v.effectivePriority < v.priority;
}

export type EdgeKind = 'holder' | 'split' | 'standby' | 'traffic' | 'traffic-bad' | 'idle';

export interface Edge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
}

export const vipAnchor = (address: string): string => `vip:${address}`;
export const nodeAnchor = (name: string): string => `node:${name}`;

/**
 * Lines of the diagram. VIP → LB: solid to each holder (red when split), faint to the
 * other LBs (they could take over). LB → backend: the data path runs only through LBs that
 * hold a VIP, so only those lines are solid; red when the backend is unhealthy.
 */
export function buildEdges(cluster: StatusCluster): Edge[] {
  const { lbs, backends } = splitNodes(cluster);
  const edges: Edge[] = [];
  for (const vip of cluster.vips) {
    const split = vipCondition(vip) === 'split';
    for (const lb of lbs) {
      const holds = vip.holders.includes(lb.name);
      edges.push({
        id: `${vip.address}>${lb.name}`,
        from: vipAnchor(vip.address),
        to: nodeAnchor(lb.name),
        kind: holds ? (split ? 'split' : 'holder') : 'standby',
      });
    }
  }
  for (const lb of lbs) {
    const active = vipsHeldBy(lb, cluster).length > 0;
    for (const be of backends) {
      const healthy = be.online && be.services.tomcat?.healthy !== false;
      edges.push({
        id: `${lb.name}>${be.name}`,
        from: nodeAnchor(lb.name),
        to: nodeAnchor(be.name),
        kind: !active ? 'idle' : healthy ? 'traffic' : 'traffic-bad',
      });
    }
  }
  return edges;
}
