import type { ChangeFeed } from '../../storage/change-feed';
import { AGENTS_CHANNEL, SEEN_PER_NOTICE, type AgentNotice } from './replica-follower';

/*
 * The home side of shared live state (replica-follower.ts is the other): what this replica
 * says of the agents connected to it, each after the fact is stored (the caller calls
 * `stored` after the batch commit, as it acks). Data notices are coalesced per agent to the
 * highest seq of a turn of the event loop (a follower reads everything after what it applied,
 * so one notice per agent per turn says it all); who was heard from (pongs, stats: not stored)
 * goes out every `seenEveryMs` in notices of SEEN_PER_NOTICE ids. Notices are published one
 * after another, so they arrive in the order they were said (an offline never overtakes the
 * data before it).
 */

export interface AnnouncerOptions {
  replica: string;
  feed: ChangeFeed;
  now: () => number;
  /** How often `seen` notices go out (default 5 s, the agents' ping period). */
  seenEveryMs?: number;
  onError?: (err: unknown) => void;
}

export class ReplicaAnnouncer {
  private readonly data = new Map<string, number>();
  private readonly heard = new Set<string>();
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private silent = false;

  constructor(private readonly o: AnnouncerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sayHeard(), this.o.seenEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops the timer; resolves once every notice said so far is published. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flushData();
    await this.chain;
  }

  /** Tests (a replica that died): says nothing more, from now on. */
  silence(): void {
    this.silent = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The agent's hello is stored: it is online here. */
  hello(agentId: string, at: number): void {
    this.flushData();
    this.say({ r: this.o.replica, a: agentId, k: 'hello', t: at });
  }

  /** The agent's events up to `seq` are stored (committed). */
  stored(agentId: string, seq: number): void {
    if (seq <= (this.data.get(agentId) ?? 0)) return;
    this.data.set(agentId, seq);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flushData());
  }

  /** Any frame from the agent (a pong too): it is alive. */
  seen(agentId: string): void {
    this.heard.add(agentId);
  }

  offline(agentId: string, at: number): void {
    this.flushData();
    this.heard.delete(agentId);
    this.say({ r: this.o.replica, a: agentId, k: 'offline', t: at });
  }

  /** Publishes who was heard from since the last time; resolves once published. */
  sayHeard(): Promise<void> {
    const ids = [...this.heard];
    this.heard.clear();
    const t = this.o.now();
    for (let i = 0; i < ids.length; i += SEEN_PER_NOTICE)
      this.say({ r: this.o.replica, k: 'seen', t, a: ids.slice(i, i + SEEN_PER_NOTICE) });
    return this.chain;
  }

  private flushData(): void {
    this.flushQueued = false;
    for (const [a, s] of this.data) this.say({ r: this.o.replica, a, k: 'data', s });
    this.data.clear();
  }

  private say(n: AgentNotice): void {
    if (this.silent) return;
    this.chain = this.chain
      .then(() => this.o.feed.publish(AGENTS_CHANNEL, n))
      .catch((err: unknown) => this.o.onError?.(err));
  }
}
