import type { AgentHello, NodeView, StatusCluster } from '@keepwatch/shared';

/* What ClusterStore keeps per agent and per cluster, and the cluster's memory of its VIPs. */

export interface AgentEntry {
  agentId: string;
  clusterId: string;
  node: NodeView;
  /** The clock offset the last change it caused carried (see CLOCK_PATCH_MS). */
  clockPublished?: number;
}

/** The last derivation (made at `at`), true until `until` (derive-horizon.ts) or the next input. */
export interface Derived {
  value: StatusCluster;
  at: number;
  until: number;
  /** A stale node or a contested VIP in it: a pong may change it (seen()). */
  watch: boolean;
}

export interface ClusterEntry {
  id: string;
  name: string;
  agents: Set<string>;
  /** address → instance, from every lb's VRRP config ever seen: survives a dead keepalived. */
  knownVips: Map<string, string>;
  derived?: Derived;
}

/** VIPs remembered per cluster; past it the one not seen longest is forgotten. */
export const MAX_KNOWN_VIPS = 1024;

/** Map order is recency: a VIP seen again moves to the end, the first one goes when full. */
export function remember(known: Map<string, string>, address: string, instance: string): void {
  known.delete(address);
  known.set(address, instance);
  if (known.size > MAX_KNOWN_VIPS) {
    const oldest = known.keys().next();
    if (!oldest.done) known.delete(oldest.value);
  }
}

/** A node as its first hello describes it: nothing reported yet. */
export function freshNode(
  identity: AgentHello['node'],
  online: boolean,
  lastSeen: number,
): NodeView {
  const { name, role } = identity;
  return {
    name,
    role,
    online,
    lastSeen,
    vrrp: [],
    addresses: [],
    services: {},
    clockOffsetMs: null,
  };
}
