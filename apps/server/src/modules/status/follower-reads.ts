import {
  FOLLOW_READ_AGENTS,
  type DescribedAgent,
  type FollowedEvent,
  type IngestRepository,
} from '../../storage/ingest-repository';

/*
 * The follower's reads (replica-follower.ts), gathered: every agent's catch-up asks for its
 * own events, yet the asks of one turn of the event loop, and those made while a round is in
 * the database, go out together as one query per FOLLOW_READ_AGENTS agents. The replicas
 * bench measured why (`pnpm bench ingest-replicas`, 10,000 agents): one query per agent per
 * notice queued on the pool the batch writer commits through, and the other replica's patch
 * came seconds late. One round at a time: while one is out, the next gathers.
 */

/** Queries of one kind (events, agents) a follower has out at once (pool: 10 connections). */
export const FOLLOW_READ_PARALLEL = 2;

export type FollowRepo = Pick<IngestRepository, 'eventsAfterEach' | 'agentsNamed'>;

interface Ask<A, V> {
  key: string;
  arg: A;
  resolve: (v: V) => void;
  reject: (err: unknown) => void;
}

/** Asks gathered into rounds of `run` calls, each over at most FOLLOW_READ_AGENTS keys. */
class Gather<A, V> {
  private queue: Ask<A, V>[] = [];
  private busy = false;
  private scheduled = false;
  /** Rounds run and queries made (tests, the bench's log). */
  rounds = 0;
  queries = 0;

  constructor(private readonly run: (asks: readonly Ask<A, V>[]) => Promise<Map<string, V>>) {}

  ask(key: string, arg: A): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ key, arg, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.round();
    });
  }

  private async round(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    this.rounds += 1;
    // One ask per key in a round (a second waits for the next): its answer is its own.
    const taken = new Map<string, Ask<A, V>>();
    const later: Ask<A, V>[] = [];
    for (const a of this.queue) {
      if (taken.has(a.key)) later.push(a);
      else taken.set(a.key, a);
    }
    this.queue = later;
    const asks = [...taken.values()];
    const chunks: Ask<A, V>[][] = [];
    for (let i = 0; i < asks.length; i += FOLLOW_READ_AGENTS)
      chunks.push(asks.slice(i, i + FOLLOW_READ_AGENTS));
    this.queries += chunks.length;
    // At most FOLLOW_READ_PARALLEL of them at once: a hello storm's 25 queries at once would
    // take every pooled connection, and the batch writer's commit (the acks) would wait.
    const next = async (): Promise<void> => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
        try {
          const answers = await this.run(chunk);
          for (const a of chunk) a.resolve(answers.get(a.key) as V);
        } catch (err) {
          for (const a of chunk) a.reject(err);
        }
      }
    };
    await Promise.all(Array.from({ length: FOLLOW_READ_PARALLEL }, next));
    this.busy = false;
    this.schedule();
  }
}

export class FollowerReads {
  private readonly events: Gather<number, FollowedEvent[]>;
  private readonly agents: Gather<null, DescribedAgent | undefined>;

  constructor(repo: FollowRepo, limit: number) {
    this.events = new Gather(async (asks) => {
      const rows = await repo.eventsAfterEach(
        asks.map((a) => ({ agentId: a.key, afterSeq: a.arg })),
        limit,
      );
      const out = new Map<string, FollowedEvent[]>(asks.map((a) => [a.key, []]));
      for (const { agentId, ...e } of rows) out.get(agentId)?.push(e);
      return out;
    });
    this.agents = new Gather(async (asks) => {
      const rows = await repo.agentsNamed(asks.map((a) => a.key));
      return new Map(rows.map((r) => [r.agentId, r]));
    });
  }

  /** Up to the limit of the agent's events after `afterSeq`, in seq order. */
  after(agentId: string, afterSeq: number): Promise<FollowedEvent[]> {
    return this.events.ask(agentId, afterSeq);
  }

  /** The agent as its last hello left it; undefined if it never said hello. */
  agent(agentId: string): Promise<DescribedAgent | undefined> {
    return this.agents.ask(agentId, null);
  }

  /** Queries made so far (events, agents). */
  queries(): { events: number; agents: number } {
    return { events: this.events.queries, agents: this.agents.queries };
  }
}
