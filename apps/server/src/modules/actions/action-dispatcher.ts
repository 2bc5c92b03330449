import { randomUUID } from 'node:crypto';
import type { ActionName, ActionRequest, ActionResult, ServerToAgent } from '@keepwatch/shared';

/*
 * Server -> agent actions: sends `action.request` to the agent's live socket and resolves
 * with its `action.result`, correlated by id. Rejects at once when the agent is offline,
 * when it disconnects before answering, or after timeoutMs. The agent alone decides
 * whether it may run the action (its host config's `control`).
 */

export type ActionParams<A extends ActionName> = Extract<ActionRequest, { action: A }>['params'];

/** Delivers a message to the agent's current socket; false if it has none. */
export type AgentTransport = (agentId: string, msg: ServerToAgent) => boolean;

export class ActionError extends Error {
  constructor(
    readonly code: 'agent_offline' | 'timeout' | 'disconnected' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

interface Pending {
  agentId: string;
  action: ActionName;
  resolve: (r: ActionResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_ACTION_TIMEOUT_MS = 60_000;

export class ActionDispatcher {
  private transport: AgentTransport | undefined;
  private readonly pending = new Map<string, Pending>();

  /** Called by the agents module, which owns the sockets. */
  bindTransport(t: AgentTransport): void {
    this.transport = t;
  }

  request<A extends ActionName>(
    agentId: string,
    action: A,
    params: ActionParams<A>,
    opts: {
      timeoutMs?: number;
      /** The caller's own request id (to recognise a late result). */ id?: string;
    } = {},
  ): Promise<ActionResult> {
    const id = opts.id ?? `act-${randomUUID()}`;
    const msg = { type: 'action.request', id, action, params } as ActionRequest;
    return new Promise<ActionResult>((resolve, reject) => {
      if (!this.transport)
        return reject(new ActionError('unavailable', 'the agent socket module is not loaded'));
      const timeoutMs = opts.timeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ActionError(
            'timeout',
            `agent ${agentId} did not answer ${action} (${id}) within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { agentId, action, resolve, reject, timer });
      if (!this.transport(agentId, msg)) {
        this.settle(id);
        reject(
          new ActionError(
            'agent_offline',
            `agent ${agentId} is not connected: cannot run ${action}`,
          ),
        );
      }
    });
  }

  /** Sends a request that has no result (logs.subscribe / logs.unsubscribe); false if offline. */
  send(
    agentId: string,
    msg: Extract<ServerToAgent, { type: 'logs.subscribe' | 'logs.unsubscribe' }>,
  ): boolean {
    return this.transport?.(agentId, msg) ?? false;
  }

  /** An `action.result` arrived from agentId; false if nobody was waiting for it. */
  onResult(agentId: string, result: ActionResult): boolean {
    const p = this.pending.get(result.id);
    if (!p || p.agentId !== agentId) return false;
    this.settle(result.id)?.resolve(result);
    return true;
  }

  /** The agent's socket closed: its pending requests will never be answered on it. */
  onOffline(agentId: string): void {
    for (const [id, p] of this.pending) {
      if (p.agentId !== agentId) continue;
      this.settle(id);
      p.reject(
        new ActionError(
          'disconnected',
          `agent ${agentId} disconnected before answering ${p.action} (${id})`,
        ),
      );
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    for (const [id, p] of this.pending) {
      this.settle(id);
      p.reject(new ActionError('unavailable', 'server shutting down'));
    }
  }

  private settle(id: string): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(id);
    return p;
  }
}
