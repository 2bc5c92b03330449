import { CloseCode, type NodeIdentity, type ServerToAgent } from '@keepwatch/shared';

/** What the registry needs of a connection. */
export interface RegisteredConnection {
  close(code: number, reason: string): void;
  deliver(msg: ServerToAgent): boolean;
}

/** Who is online: one entry per agent with an accepted hello (SPEC.md OR-1..OR-5). */
export interface OnlineAgent {
  agentId: string;
  node: NodeIdentity;
  /** When this socket's hello was accepted (server clock). */
  since: number;
  /** Increasing per process: which socket it is (a replacement gets a new one). */
  socketId: number;
}

const nodeKey = (node: NodeIdentity): string => `${node.cluster.id}\u0000${node.name}`;

/**
 * The one registry of who is online (SPEC.md OR-*): live connections by agentId (a newer
 * connection of the same agent replaces the older one), and which agent each node is connected
 * as: a node belongs to one agent at a time (ID-4 in modules/enrollment/node-binding.ts), so a
 * second agent naming it is refused, not merged. The agents list, the budget, the actions
 * transport and revocation all read or act through it; nothing else keeps an online set.
 */
export class AgentRegistry {
  private readonly byAgent = new Map<
    string,
    { entry: OnlineAgent; conn: RegisteredConnection; node: string }
  >();
  private readonly byNode = new Map<string, string>();
  private nextSocketId = 1;

  /** The other agent connected as this node, if any. */
  nodeHeldBy(node: NodeIdentity, agentId: string): string | undefined {
    const holder = this.byNode.get(nodeKey(node));
    return holder !== undefined && holder !== agentId ? holder : undefined;
  }

  /**
   * OR-1: `conn` becomes the agent's one entry; an older connection of the same agent is closed
   * (4409) after the new entry is in place, so its close releases nothing.
   */
  claim(agentId: string, node: NodeIdentity, conn: RegisteredConnection, at: number): OnlineAgent {
    const old = this.byAgent.get(agentId);
    if (old && this.byNode.get(old.node) === agentId) this.byNode.delete(old.node);
    const key = nodeKey(node);
    const entry: OnlineAgent = { agentId, node, since: at, socketId: this.nextSocketId++ };
    this.byAgent.set(agentId, { entry, conn, node: key });
    this.byNode.set(key, agentId);
    if (old && old.conn !== conn)
      old.conn.close(CloseCode.replaced, 'replaced by a newer connection of the same agent');
    return entry;
  }

  /**
   * OR-3: the entry goes when its own connection goes. Returns it if `conn` was the agent's
   * current connection (the agent is now offline), undefined for a replaced or unknown one.
   */
  release(agentId: string, conn: RegisteredConnection): OnlineAgent | undefined {
    const current = this.byAgent.get(agentId);
    if (current?.conn !== conn) return undefined;
    this.byAgent.delete(agentId);
    if (this.byNode.get(current.node) === agentId) this.byNode.delete(current.node);
    return current.entry;
  }

  /** OR-4: closes the agent's live socket, if any (a revoked credential); true if it had one. */
  closeAgent(agentId: string, code: number, reason: string): boolean {
    const current = this.byAgent.get(agentId);
    current?.conn.close(code, reason);
    return current !== undefined;
  }

  /** Sends to the agent's current (welcomed) socket; false if it has none. */
  send(agentId: string, msg: ServerToAgent): boolean {
    return this.byAgent.get(agentId)?.conn.deliver(msg) ?? false;
  }

  isOnline(agentId: string): boolean {
    return this.byAgent.has(agentId);
  }

  get(agentId: string): OnlineAgent | undefined {
    return this.byAgent.get(agentId)?.entry;
  }

  /** Every online agent, one entry each. */
  list(): OnlineAgent[] {
    return [...this.byAgent.values()].map((v) => v.entry);
  }

  get size(): number {
    return this.byAgent.size;
  }
}
