import type {
  AgentDataMessage,
  AgentHello,
  NodeView,
  RuleThresholds,
  StatusCluster,
  StatusResponse,
} from '@keepwatch/shared';
import { DEFAULT_THRESHOLDS } from '@keepwatch/shared';
import { derivedCluster, pongKeepsPicture } from './cluster-derivation';
import { freshNode, remember, type AgentEntry, type ClusterEntry } from './cluster-entry';
import { applyToNode } from './node-state';

/*
 * ClusterStore: the inputs (hello, data, offline, pongs, clock, agent health) and the
 * questions the server asks of them. What it keeps per agent and cluster is in
 * cluster-entry.ts, when it derives a cluster again in cluster-derivation.ts.
 */

export { MAX_KNOWN_VIPS } from './cluster-entry';

export type ChangeListener = (clusterIds: string[]) => void;

/**
 * A clock offset that moved less than this since the one its last change carried updates the
 * node without a change of its own (it rides the next one). The estimate jitters by a
 * millisecond or two from pong to pong; each change re-derives the cluster, patches every
 * browser and runs the alert rules (issue 11 profile at 10,000 agents: most status, live and
 * alert work came from pongs). Crossing the skew limit always is a change.
 */
export const CLOCK_PATCH_MS = 10;

/**
 * The server's in-memory picture of every cluster, fed by agent messages. It only records;
 * `deriveCluster` (packages/shared) decides what the picture means.
 */
export class ClusterStore {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly clusters = new Map<string, ClusterEntry>();
  /** Sorted cluster ids; dropped when a cluster comes or goes. */
  private sortedIds: string[] | undefined;

  constructor(
    private readonly now: () => number,
    private readonly onChange: ChangeListener = () => {},
    private readonly thresholds: Partial<RuleThresholds> = {},
  ) {}

  /** Registers (or moves) an agent's node. `online` false when restoring from history. */
  hello(agentId: string, identity: AgentHello['node'], at: number, online = true): void {
    const { cluster, name, role } = identity;
    const changed = new Set<string>([cluster.id]);
    const existing = this.agents.get(agentId);
    if (existing && existing.clusterId !== cluster.id) {
      changed.add(existing.clusterId);
      this.detach(existing);
    }
    const entry = this.ensureCluster(cluster.id, cluster.name);
    entry.name = cluster.name;
    this.dropOfflineNamesakes(entry, agentId, name);
    entry.agents.add(agentId);
    const node: NodeView =
      existing?.clusterId === cluster.id
        ? { ...existing.node, name, role, online, lastSeen: at }
        : freshNode(identity, online, at);
    this.agents.set(agentId, { agentId, clusterId: cluster.id, node });
    this.emit([...changed]);
  }

  /** Applies a data message (already deduplicated) and remembers any VIP it reveals. */
  apply(agentId: string, message: AgentDataMessage, receivedAt: number): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    applyToNode(entry.node, message);
    entry.node.lastSeen = receivedAt;
    const cluster = this.clusters.get(entry.clusterId);
    if (cluster && entry.node.role === 'lb') {
      for (const v of entry.node.vrrp)
        for (const a of v.vips) remember(cluster.knownVips, a, v.instance);
    }
    this.emit([entry.clusterId]);
  }

  offline(agentId: string, at: number): void {
    const entry = this.agents.get(agentId);
    if (!entry || !entry.node.online) return;
    entry.node.online = false;
    entry.node.lastSeen = at;
    this.emit([entry.clusterId]);
  }

  /**
   * Any frame (a pong too) proves the agent alive (SA-1). Not a change by itself: the
   * periodic re-derivation notices when a node stops or resumes being stale.
   */
  seen(agentId: string, at: number): void {
    const entry = this.agents.get(agentId);
    if (!entry?.node.online) return;
    entry.node.lastSeen = at;
    const derived = this.clusters.get(entry.clusterId)?.derived;
    if (derived && !pongKeepsPicture(derived, entry.node.name, at))
      delete this.clusters.get(entry.clusterId)?.derived;
  }

  /** Records a smoothed clock offset; sub-millisecond jitter is not a change worth a patch. */
  clock(agentId: string, offsetMs: number): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    const rounded = Math.round(offsetMs);
    if (entry.node.clockOffsetMs === rounded) return;
    entry.node.clockOffsetMs = rounded;
    const was = entry.clockPublished;
    const limit = this.thresholds.clockSkewMs ?? DEFAULT_THRESHOLDS.clockSkewMs;
    if (
      was !== undefined &&
      Math.abs(rounded - was) < CLOCK_PATCH_MS &&
      Math.abs(rounded) > limit === Math.abs(was) > limit
    )
      return;
    entry.clockPublished = rounded;
    this.emit([entry.clusterId]);
  }

  /** The agent's own health from its stats: an outbox it cannot write (set or cleared). */
  agentHealth(agentId: string, outboxError: { message: string; since: number } | undefined): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    const was = entry.node.outboxError;
    if (was?.message === outboxError?.message && was?.since === outboxError?.since) return;
    if (outboxError) entry.node.outboxError = { ...outboxError };
    else delete entry.node.outboxError;
    this.emit([entry.clusterId]);
  }

  /** The interface a node's keepalived.conf gives an instance (for metrics), if known. */
  vrrpInterface(clusterId: string, nodeName: string, instance: string): string | undefined {
    for (const agentId of this.clusters.get(clusterId)?.agents ?? []) {
      const node = this.agents.get(agentId)?.node;
      if (node?.name !== nodeName) continue;
      return node.keepalivedConfig?.instances.find((i) => i.name === instance)?.interface;
    }
    return undefined;
  }

  /** A node's raw view (kernel addresses, parsed keepalived.conf): drills read it. */
  nodeView(clusterId: string, node: string): Readonly<NodeView> | undefined {
    const agentId = this.agentFor(clusterId, node)?.agentId;
    return agentId === undefined ? undefined : this.agents.get(agentId)?.node;
  }

  /** The agent reporting `node` of a cluster (the online one if a namesake is offline). */
  agentFor(clusterId: string, node: string): { agentId: string; online: boolean } | undefined {
    let found: { agentId: string; online: boolean } | undefined;
    for (const agentId of this.clusters.get(clusterId)?.agents ?? []) {
      const n = this.agents.get(agentId)?.node;
      if (n?.name !== node) continue;
      if (!found || n.online) found = { agentId, online: n.online };
    }
    return found;
  }

  clusterIds(): string[] {
    this.sortedIds ??= [...this.clusters.keys()].sort();
    return [...this.sortedIds];
  }

  hasCluster(id: string): boolean {
    return this.clusters.has(id);
  }

  /**
   * The cluster's derived status. Derived again only after an input changed it or its time
   * horizon passed (derive-horizon.ts), so a change costs one cluster, not the fleet.
   * Callers must not modify the result (it is shared until the next change).
   */
  cluster(id: string): StatusCluster | undefined {
    const entry = this.clusters.get(id);
    if (!entry) return undefined;
    const nodes = (): NodeView[] =>
      [...entry.agents].flatMap((a) => {
        const agent = this.agents.get(a);
        return agent ? [agent.node] : [];
      });
    return derivedCluster(entry, nodes, this.now(), this.thresholds);
  }

  status(): StatusResponse {
    const clusters: StatusCluster[] = [];
    for (const id of this.sortedIds ?? this.clusterIds()) {
      const c = this.cluster(id);
      if (c) clusters.push(c);
    }
    return { clusters, generatedAt: this.now() };
  }

  private ensureCluster(id: string, name: string): ClusterEntry {
    let entry = this.clusters.get(id);
    if (!entry) {
      entry = { id, name, agents: new Set(), knownVips: new Map() };
      this.clusters.set(id, entry);
      this.sortedIds = undefined;
    }
    return entry;
  }

  /**
   * A reinstalled agent (new agentId, same node) replaces its old, offline entry. Safe only
   * because every hello reaching the store passed the node-binding rules (modules/enrollment
   * node-binding.ts): an agent naming a node that is not its own is refused before this.
   */
  private dropOfflineNamesakes(cluster: ClusterEntry, agentId: string, name: string): void {
    for (const other of cluster.agents) {
      const entry = this.agents.get(other);
      if (other === agentId || !entry || entry.node.online || entry.node.name !== name) continue;
      cluster.agents.delete(other);
      this.agents.delete(other);
    }
  }

  private detach(agent: AgentEntry): void {
    const cluster = this.clusters.get(agent.clusterId);
    if (!cluster) return;
    cluster.agents.delete(agent.agentId);
    if (cluster.agents.size === 0) {
      this.clusters.delete(cluster.id);
      this.sortedIds = undefined;
    }
  }

  /** Every change goes through here: the changed clusters' derivations are dropped first. */
  private emit(clusterIds: string[]): void {
    for (const id of clusterIds) delete this.clusters.get(id)?.derived;
    this.onChange(clusterIds);
  }
}
