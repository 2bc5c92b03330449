import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  agentToServerCodec,
  type AgentDataMessage,
  type AgentHello,
  type NodeRole,
} from '@keepwatch/shared';
import type { ChangeFeed } from '../../storage/change-feed';
import type { IngestRepository, StoredAgent } from '../../storage/ingest-repository';
import type { ClusterStore } from './cluster-store';
import { FollowerReads, type FollowRepo } from './follower-reads';
import { AGENTS_CHANNEL, AgentNotice, BatchNotice, unbatched } from './replica-notices';

export { AGENTS_CHANNEL, type AgentNotice } from './replica-notices';

/*
 * Shared live state between server replicas (docs/storage.md, "Replicas", step 2): the
 * replica an agent is connected to (its home) stores the agent's messages and then says so on
 * the change feed; every other replica follows: it reads the events after the seq it last
 * applied from the database and applies them to its own cluster store, through the same
 * path a restore uses. The feed carries only "look again" (agent id, seq); the store holds
 * the facts, so a lost notice costs a delay, never an event: the next notice, or a resync
 * after the feed reconnected, reads everything not applied yet. Per agent, catch-ups run one
 * at a time and each event is applied once (the applied seq only grows).
 *
 * Wired into the app by replica-wiring.ts; each followed event is also told to `onEvent`
 * (the app's `agent.followed` bus event: routed action results, drills, pushes).
 */

/** What the follower reads of an agent's stored hello: its `control` (drills SPEC PF-5). */
const StoredCapabilities = Type.Object({
  control: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 }),
});

/** The stored hello's `control`; undefined when the text does not parse or fit. */
function storedControl(capabilities: string): string[] | undefined {
  try {
    const c: unknown = JSON.parse(capabilities);
    return Value.Check(StoredCapabilities, c) ? [...c.control] : undefined;
  } catch {
    return undefined;
  }
}

export interface FollowerOptions {
  /** This replica's id: its own notices are not followed (its socket applied them). */
  replica: string;
  feed: ChangeFeed;
  /** Its reads of agents and events are gathered into a few queries (follower-reads.ts). */
  repo: Pick<IngestRepository, 'agents'> & FollowRepo;
  store: Pick<ClusterStore, 'hello' | 'apply' | 'offline' | 'seen' | 'clock'>;
  /** The seq applied per agent when following starts (what the restore applied). */
  applied?: ReadonlyMap<string, number>;
  /** Events read per query (default 500). */
  batch?: number;
  onError?: (err: unknown, what: string) => void;
  /**
   * Each followed event once it is applied (an action.result of a request routed to the
   * agent's home among them: modules/actions/action-routing.ts).
   */
  onEvent?: (agentId: string, message: AgentDataMessage, receivedAt: number) => void;
  /**
   * The agent is online at `home` since `at` (the hello time its home said; the stored last
   * seen when the home is first heard of by its data): config pushes' PU-10.
   */
  onOnline?: (agentId: string, home: string, at: number) => void;
}

/** Catch-up rounds per notice: 40 × 500 events; the rest waits for the next notice. */
const MAX_ROUNDS = 40;

const identity = (a: StoredAgent): AgentHello['node'] => ({
  name: a.nodeName,
  role: a.role as NodeRole,
  cluster: { id: a.clusterId, name: a.clusterName },
});

export class ReplicaFollower {
  private readonly applied: Map<string, number>;
  /** The replica each followed agent is connected to (its home), as its notices say. */
  private readonly home = new Map<string, string>();
  /** The `control` of each agent at another home, from its stored hello. */
  private readonly control = new Map<string, readonly string[]>();
  /** The last clock offset said of each agent, and by which replica (its home then). */
  private readonly offset = new Map<string, { r: string; ms: number }>();
  /** The agents connected to this replica now (local() until localGone()). */
  private readonly here = new Set<string>();
  private readonly chains = new Map<string, Promise<void>>();
  private off: (() => void) | undefined;
  /** Notices that failed their schema (counted, not thrown: the feed is shared). */
  refused = 0;
  readonly reads: FollowerReads;

  constructor(private readonly o: FollowerOptions) {
    this.applied = new Map(o.applied);
    this.reads = new FollowerReads(o.repo, o.batch ?? 500);
  }

  start(): void {
    this.off ??= this.o.feed.subscribe(AGENTS_CHANNEL, (m) => this.notice(m));
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  /** The agent said hello to this replica: it is its home now, not the one it left. */
  local(agentId: string): void {
    this.here.add(agentId);
    this.home.delete(agentId);
    this.control.delete(agentId);
    this.offset.delete(agentId);
    if (!this.applied.has(agentId)) this.applied.set(agentId, 0);
  }

  /** The agent's connection to this replica closed. */
  localGone(agentId: string): void {
    this.here.delete(agentId);
  }

  /** The replica the agent is connected to, as its notices say (undefined: none known, or here). */
  homeOf(agentId: string): string | undefined {
    return this.home.get(agentId);
  }

  /**
   * What the agent's hello at its home allows (`capabilities.control`, read from the stored
   * hello when the home said hello or first spoke for it); undefined when the agent is not at
   * another replica, or its hello did not say. Drills' preflight reads it (PF-5).
   */
  controlOf(agentId: string): readonly string[] | undefined {
    return this.home.has(agentId) ? this.control.get(agentId) : undefined;
  }

  /** This replica applied `seq` of one of its own agents (the socket's path, not the feed's). */
  appliedLocally(agentId: string, seq: number): void {
    if (seq > (this.applied.get(agentId) ?? 0)) this.applied.set(agentId, seq);
  }

  /**
   * The feed reconnected (notices may have been lost meanwhile): every stored agent is
   * caught up; one this replica has never seen is registered, offline until a notice says
   * otherwise.
   */
  async resync(): Promise<void> {
    const agents = await this.o.repo.agents();
    await Promise.all(
      agents.map((a) =>
        this.inTurn(a.agentId, async () => {
          if (!this.applied.has(a.agentId))
            this.o.store.hello(a.agentId, identity(a), a.lastSeen, false);
          await this.catchUp(a.agentId);
        }),
      ),
    );
  }

  /** Resolves once every catch-up started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  private notice(message: unknown): void {
    if (Value.Check(BatchNotice, message)) {
      if (message.r === this.o.replica) return;
      for (const e of message.e) this.notice(unbatched(message.r, e));
      return;
    }
    if (!Value.Check(AgentNotice, message)) {
      this.refused += 1;
      return;
    }
    const n = message;
    if (n.r === this.o.replica) return;
    if (n.k === 'seen') {
      const o = n.o;
      if (o && o.length !== n.a.length) {
        this.refused += 1;
        return;
      }
      // Pongs and stats are not stored: the home says who it heard from (SA-1 on every replica).
      n.a.forEach((id, i) => {
        const atHome = this.home.get(id) === n.r;
        if (atHome) this.o.store.seen(id, n.t);
        else if (!this.home.has(id) && !this.here.has(id))
          // No home known and not here: this replica started after the agent's hello at n.r
          // (its resync registered it offline); n.r's seen is the first word of it: online there.
          void this.inTurn(id, async () => {
            await this.follow({ r: n.r, a: id, k: 'data', s: 0 });
            if (this.home.get(id) === n.r) this.o.store.seen(id, n.t);
          });
        const off = o?.[i];
        if (off === undefined || off === null) return;
        // Kept: a connection's first offset may come before this replica knows the home.
        this.offset.set(id, { r: n.r, ms: off });
        if (atHome) this.o.store.clock(id, off);
      });
      return;
    }
    void this.inTurn(n.a, () => this.follow(n));
  }

  private async follow(n: Exclude<AgentNotice, { k: 'seen' }>): Promise<void> {
    if (n.k === 'offline') {
      // Only from its home: an agent that moved on is not taken offline by the replica it left.
      if (this.home.get(n.a) !== n.r) return;
      this.home.delete(n.a);
      this.control.delete(n.a);
      this.o.store.offline(n.a, n.t);
      return;
    }
    if (n.k === 'hello' || this.home.get(n.a) !== n.r) {
      // A hello, or data from a home not known yet (a late start, notices crossing): online there.
      const a = await this.reads.agent(n.a);
      if (!a) return;
      if (n.k === 'hello') this.here.delete(n.a);
      this.home.set(n.a, n.r);
      const control = storedControl(a.capabilities);
      if (control) this.control.set(n.a, control);
      else this.control.delete(n.a);
      const since = n.k === 'hello' ? n.t : a.lastSeen;
      this.o.store.hello(n.a, identity(a), since, true);
      this.o.onOnline?.(n.a, n.r, since);
      const off = this.offset.get(n.a);
      if (off?.r === n.r) this.o.store.clock(n.a, off.ms);
    } else if (n.s <= (this.applied.get(n.a) ?? 0)) return;
    await this.catchUp(n.a);
  }

  /**
   * Presence: the agents of a home replica that died (its lease expired, `alive` false) are
   * offline here until they say hello to a replica that is alive. How many went offline.
   */
  async checkHomes(alive: (replica: string) => Promise<boolean>, at: number): Promise<number> {
    const homes = new Set(this.home.values());
    let gone = 0;
    for (const r of homes) {
      if (await alive(r)) continue;
      for (const [agentId, h] of [...this.home])
        if (h === r) {
          this.home.delete(agentId);
          this.control.delete(agentId);
          this.o.store.offline(agentId, at);
          gone += 1;
        }
    }
    return gone;
  }

  /** Applies the agent's stored events after the applied seq, in order, each once. */
  private async catchUp(agentId: string): Promise<void> {
    const batch = this.o.batch ?? 500;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const rows = await this.reads.after(agentId, this.applied.get(agentId) ?? 0);
      for (const row of rows) {
        const decoded = agentToServerCodec.decode(row.payload);
        // Only sequenced (data) messages are stored; anything else in the log is skipped.
        const event = decoded.ok && 'seq' in decoded.value ? decoded.value : undefined;
        if (event) this.o.store.apply(agentId, event, row.receivedAt);
        this.applied.set(agentId, row.seq);
        if (event) this.o.onEvent?.(agentId, event, row.receivedAt);
      }
      if (rows.length < batch) return;
    }
  }

  /** Runs `fn` after the agent's previous catch-up; a failure is reported, not thrown. */
  private inTurn(agentId: string, fn: () => Promise<void>): Promise<void> {
    const run = (this.chains.get(agentId) ?? Promise.resolve())
      .then(fn)
      .catch((err: unknown) => this.o.onError?.(err, `following agent ${agentId}`));
    this.chains.set(agentId, run);
    void run.then(() => {
      if (this.chains.get(agentId) === run) this.chains.delete(agentId);
    });
    return run;
  }
}
