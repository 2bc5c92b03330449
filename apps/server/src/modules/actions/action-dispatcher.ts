import { randomUUID } from 'node:crypto';
import type { ActionName, ActionRequest, ActionResult, ServerToAgent } from '@keepwatch/shared';

/*
 * Server -> agent actions: sends `action.request` to the agent's live socket and resolves
 * with its `action.result`, correlated by id. Rejects at once when the agent is offline,
 * when it disconnects before answering, or after timeoutMs. The agent alone decides
 * whether it may run the action (its host config's `control`). With server replicas, a
 * request for an agent connected to another replica goes to that one (its home) through the
 * bound RemoteRoute (action-routing.ts, SPEC.md RA-1..RA-4), under the same timeout.
 */

export type ActionParams<A extends ActionName> = Extract<ActionRequest, { action: A }>['params'];

/** Delivers a message to the agent's current socket; false if it has none. */
export type AgentTransport = (agentId: string, msg: ServerToAgent) => boolean;

/**
 * With replicas (action-routing.ts, SPEC RA-1): hands a request for an agent not connected
 * here to the agent's home replica. Resolves with the home's id once handed over; rejects
 * (an ActionError) when the agent has no live home.
 */
export type RemoteRoute = (
  agentId: string,
  msg: ActionRequest,
  timeoutMs: number,
) => Promise<string>;

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
  /** The home replica it was handed to (RA-1); undefined: sent on this replica's socket. */
  home?: string;
}

export const DEFAULT_ACTION_TIMEOUT_MS = 60_000;

export class ActionDispatcher {
  private transport: AgentTransport | undefined;
  private remote: RemoteRoute | undefined;
  private readonly pending = new Map<string, Pending>();

  /** Called by the agents module, which owns the sockets. */
  bindTransport(t: AgentTransport): void {
    this.transport = t;
  }

  /** Called by the replica wiring (modules/status/replica-wiring.ts): RA-1. */
  bindRemote(r: RemoteRoute | undefined): void {
    this.remote = r;
  }

  request<A extends ActionName>(
    agentId: string,
    action: A,
    params: ActionParams<A>,
    opts: {
      timeoutMs?: number;
      /** The caller's own request id (to recognise a late result). */ id?: string;
      /** Only this replica's socket: a request handed over by another replica (RA-2). */
      localOnly?: boolean;
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
      const p: Pending = { agentId, action, resolve, reject, timer };
      this.pending.set(id, p);
      if (this.transport(agentId, msg)) return;
      if (this.remote && !opts.localOnly) {
        // RA-1: the agent's home replica sends it; the result comes back through the store.
        this.remote(agentId, msg, timeoutMs).then(
          (home) => {
            p.home = home;
          },
          (err: unknown) =>
            this.fail(id, err instanceof Error ? err : new ActionError('unavailable', String(err))),
        );
        return;
      }
      this.settle(id);
      reject(
        new ActionError('agent_offline', `agent ${agentId} is not connected: cannot run ${action}`),
      );
    });
  }

  /** Rejects a pending request (RA-3: the home said it could not run it); false if none. */
  fail(id: string, err: Error): boolean {
    const p = this.settle(id);
    if (!p) return false;
    p.reject(err);
    return true;
  }

  /**
   * RA-4: the replica `home` died (its lease expired): the requests handed to it will not be
   * answered through it. Whether the agent ran one is unknown, as after a disconnect.
   */
  homeGone(home: string): number {
    let n = 0;
    for (const [id, p] of [...this.pending]) {
      if (p.home !== home) continue;
      n += 1;
      this.fail(
        id,
        new ActionError(
          'disconnected',
          `the home replica ${home} of agent ${p.agentId} is gone (its lease expired) before the agent answered ${p.action} (${id})`,
        ),
      );
    }
    return n;
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
      // Handed to another replica (RA-1): that one reports a disconnect on its socket.
      if (p.agentId !== agentId || p.home !== undefined) continue;
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
