import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ActionRequest } from '@keepwatch/shared';
import type { ChangeFeed } from '../../storage/change-feed';
import type { ActionRequestsRepository } from '../../storage/action-requests-repository';
import { ActionError, type ActionDispatcher } from './action-dispatcher';

/*
 * Actions across server replicas (SPEC.md RA-1..RA-4, docs/storage.md "Replicas"). An operator
 * on replica A asks for an action (a drill step, a config push's apply, a probe) on an agent
 * whose socket is on replica B (its home, as the replica follower knows it from B's notices):
 *
 *   A stores the request (action_requests: a config.apply is up to 1 MiB, a NOTIFY 8,000
 *   bytes) and publishes `{k:'req', id}` for B on `kw_actions`; B takes it from the store
 *   (once, before its deadline: RA-2) and sends it on its socket; the agent's action.result
 *   is stored by whichever replica it is connected to and reaches A through the event log
 *   that every replica follows (the follower emits `agent.followed`), so a result is never
 *   lost with a notice. What B cannot send (the agent left it, disconnected before answering,
 *   did not answer in time) comes back as `{k:'fail', id, code}` for A (RA-3). A home that
 *   is gone (its `replica:<id>` lease expired) takes nothing: a request for its agents fails
 *   at once, and one handed to it before it died fails as `disconnected` (RA-4).
 *
 * Notices are checked against their schema (a shared feed carries others' mistakes too):
 * a bad one is counted in `refused` and dropped.
 */

export const ACTIONS_CHANNEL = 'kw_actions';

export const ActionNotice = Type.Union([
  Type.Object(
    {
      k: Type.Literal('req'),
      /** The asking replica, and the home it asks. */
      r: Type.String({ maxLength: 128 }),
      to: Type.String({ maxLength: 128 }),
      id: Type.String({ minLength: 1, maxLength: 64 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      k: Type.Literal('fail'),
      r: Type.String({ maxLength: 128 }),
      to: Type.String({ maxLength: 128 }),
      id: Type.String({ minLength: 1, maxLength: 64 }),
      code: Type.Union([
        Type.Literal('agent_offline'),
        Type.Literal('timeout'),
        Type.Literal('disconnected'),
        Type.Literal('unavailable'),
      ]),
      m: Type.String({ maxLength: 1024 }),
    },
    { additionalProperties: false },
  ),
]);
export type ActionNotice = Static<typeof ActionNotice>;

export interface ActionRoutingOptions {
  replica: string;
  feed: ChangeFeed;
  repo: ActionRequestsRepository;
  dispatcher: ActionDispatcher;
  /** The agent's home replica as this one knows it (undefined: none known). */
  homeOf: (agentId: string) => string | undefined;
  /** Whether the replica still holds its `replica:<id>` lease. */
  alive: (replica: string) => Promise<boolean>;
  now: () => number;
  onError?: (err: unknown, what: string) => void;
}

/** Routed requests are kept this long (then pruned; they are long answered or given up). */
export const ROUTED_KEEP_MS = 3_600_000;

export class ActionRouting {
  private off: (() => void) | undefined;
  /** Notices that failed their schema. */
  refused = 0;
  /** Requests this replica took and sent on its socket for another (tests). */
  performed = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: ActionRoutingOptions) {}

  start(): void {
    this.off ??= this.o.feed.subscribe(ACTIONS_CHANNEL, (m) => this.notice(m));
    this.o.dispatcher.bindRemote((agentId, msg, timeoutMs) =>
      this.forward(agentId, msg, timeoutMs),
    );
  }

  /** Stops taking requests; what was sent already is answered (or fails) on its own. */
  stop(): void {
    this.o.dispatcher.bindRemote(undefined);
    this.off?.();
    this.off = undefined;
  }

  /** Resolves once every request taken so far has been answered or failed back (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  /** RA-1: hands the request to the agent's home; resolves with the home's id. */
  async forward(agentId: string, msg: ActionRequest, timeoutMs: number): Promise<string> {
    const home = this.o.homeOf(agentId);
    if (home === undefined || home === this.o.replica)
      throw new ActionError(
        'agent_offline',
        `agent ${agentId} is not connected to this replica (${this.o.replica}) nor to any other: cannot run ${msg.action}`,
      );
    if (!(await this.o.alive(home)))
      throw new ActionError(
        'agent_offline',
        `agent ${agentId}'s home replica ${home} is gone (its lease expired): cannot run ${msg.action}`,
      );
    const createdAt = this.o.now();
    await this.o.repo.put({
      id: msg.id,
      agentId,
      origin: this.o.replica,
      home,
      request: JSON.stringify(msg),
      createdAt,
      deadline: createdAt + timeoutMs,
    });
    await this.o.feed.publish(ACTIONS_CHANNEL, {
      k: 'req',
      r: this.o.replica,
      to: home,
      id: msg.id,
    } satisfies ActionNotice);
    return home;
  }

  /** Deletes routed requests older than ROUTED_KEEP_MS (called with the lease renewal). */
  prune(): Promise<number> {
    return this.o.repo.prune(this.o.now() - ROUTED_KEEP_MS);
  }

  private notice(message: unknown): void {
    if (!Value.Check(ActionNotice, message)) {
      this.refused += 1;
      return;
    }
    const n = message;
    if (n.to !== this.o.replica) return;
    if (n.k === 'fail') {
      // RA-3: the home could not run it; the asker's caller sees the home's reason.
      this.o.dispatcher.fail(n.id, new ActionError(n.code, `${n.m} (at replica ${n.r})`));
      return;
    }
    const run = this.perform(n).catch((err: unknown) =>
      this.o.onError?.(err, `routed action ${n.id}`),
    );
    this.running.add(run);
    void run.then(() => this.running.delete(run));
  }

  /** RA-2: the home's side: take the request once, send it on this replica's socket. */
  private async perform(n: Extract<ActionNotice, { k: 'req' }>): Promise<void> {
    const now = this.o.now();
    const row = await this.o.repo.take(n.id, this.o.replica, now);
    if (!row) return;
    const msg: unknown = JSON.parse(row.request);
    if (!Value.Check(ActionRequest, msg) || msg.id !== row.id) {
      await this.failBack(row.origin, row.id, 'unavailable', 'the stored request is not valid');
      return;
    }
    this.performed += 1;
    try {
      // The result is stored from the agent's socket (whichever replica it is on by then) and
      // reaches the asker through the event log; only a failure to send is said here.
      await this.o.dispatcher.request(row.agentId, msg.action, msg.params, {
        id: msg.id,
        timeoutMs: Math.max(1, row.deadline - now),
        localOnly: true,
      });
    } catch (err) {
      const e =
        err instanceof ActionError ? err : new ActionError('unavailable', (err as Error).message);
      await this.failBack(row.origin, row.id, e.code, e.message);
    }
  }

  private failBack(to: string, id: string, code: ActionError['code'], m: string): Promise<void> {
    return this.o.feed.publish(ACTIONS_CHANNEL, {
      k: 'fail',
      r: this.o.replica,
      to,
      id,
      code,
      m: m.slice(0, 1024),
    } satisfies ActionNotice);
  }
}
