import { CloseCode, type NodeIdentity, type ServerToAgent } from '@keepwatch/shared';

/** What the registry needs of a connection. */
export interface RegisteredConnection {
  close(code: number, reason: string): void;
  deliver(msg: ServerToAgent): boolean;
}

const nodeKey = (node: NodeIdentity): string => `${node.cluster.id}\u0000${node.name}`;

/**
 * Live connections by agentId (a newer connection of the same agent replaces the older one),
 * and which agent each node is connected as: a node belongs to one agent at a time (ID-4 in
 * modules/enrollment/node-binding.ts), so a second agent naming it is refused, not merged.
 */
export class AgentRegistry {
  private readonly byAgent = new Map<string, { conn: RegisteredConnection; node: string }>();
  private readonly byNode = new Map<string, string>();

  /** The other agent connected as this node, if any. */
  nodeHeldBy(node: NodeIdentity, agentId: string): string | undefined {
    const holder = this.byNode.get(nodeKey(node));
    return holder !== undefined && holder !== agentId ? holder : undefined;
  }

  claim(agentId: string, node: NodeIdentity, conn: RegisteredConnection): void {
    const old = this.byAgent.get(agentId);
    if (old) this.byNode.delete(old.node);
    const key = nodeKey(node);
    this.byAgent.set(agentId, { conn, node: key });
    this.byNode.set(key, agentId);
    if (old && old.conn !== conn)
      old.conn.close(CloseCode.replaced, 'replaced by a newer connection of the same agent');
  }

  /** True if `conn` was the agent's current connection (so the agent is now offline). */
  release(agentId: string, conn: RegisteredConnection): boolean {
    const current = this.byAgent.get(agentId);
    if (current?.conn !== conn) return false;
    this.byAgent.delete(agentId);
    if (this.byNode.get(current.node) === agentId) this.byNode.delete(current.node);
    return true;
  }

  /** Closes the agent's live socket, if any (a revoked credential). */
  closeAgent(agentId: string, code: number, reason: string): void {
    this.byAgent.get(agentId)?.conn.close(code, reason);
  }

  /** Sends to the agent's current (welcomed) socket; false if it has none. */
  send(agentId: string, msg: ServerToAgent): boolean {
    return this.byAgent.get(agentId)?.conn.deliver(msg) ?? false;
  }

  isOnline(agentId: string): boolean {
    return this.byAgent.has(agentId);
  }

  get size(): number {
    return this.byAgent.size;
  }
}
