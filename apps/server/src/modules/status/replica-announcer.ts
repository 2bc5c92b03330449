import type { ChangeFeed } from '../../storage/change-feed';
import {
  AGENTS_CHANNEL,
  BATCH_PER_NOTICE,
  SEEN_NOTICE_BYTES,
  SEEN_PER_NOTICE,
  unbatched,
  type AgentNotice,
  type BatchEntry,
  type BatchNotice,
} from './replica-notices';

/*
 * The home side of shared live state (replica-follower.ts is the other): what this replica
 * says of the agents connected to it, each after the fact is stored (the caller calls
 * `stored` after the batch commit, as it acks). Data notices are coalesced per agent to the
 * highest seq of a turn of the event loop (a follower reads everything after what it applied,
 * so one notice per agent per turn says it all); who was heard from (pongs, stats: not stored)
 * goes out every `seenEveryMs` in notices of at most SEEN_PER_NOTICE ids, each with the
 * agent's clock offset as measured here (`o`, aligned with `a`; null: not measured yet). The
 * offset is not stored anywhere (it comes from pongs), yet a drill's preflight on another
 * replica checks it (drills SPEC PF-7) and its report puts the agent's times on one axis: the
 * first offset of a connection goes out at the end of its turn, after the hellos (seen
 * notices of the turn's first offsets). Hellos, data and
 * offlines said in one turn go out together at its end, as `batch` notices of up to
 * BATCH_PER_NOTICE entries within SEEN_NOTICE_BYTES (one entry alone: its single notice).
 * Notices are published in the order they were said (an offline never overtakes the data
 * before it, a first offset never its hello), one round at a time: what is said while a round
 * is out waits, coalesced, and goes out with the next round in one statement (feed.publishAll).
 * The replicas bench measured why (`pnpm bench ingest-replicas`, 10,000 agents): one NOTIFY
 * after another, each waiting for a pool connection, held 1.5 entries a notice and fell
 * seconds behind.
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
  /** Hellos, data and offlines said this turn, in order (data moved in at each hello/offline). */
  private pending: BatchEntry[] = [];
  /** Agents whose connection's first offset was measured this turn (said at its end). */
  private readonly firstOffsets = new Set<string>();
  private readonly heard = new Set<string>();
  /** Each connected agent's clock offset as measured here (ms, rounded). */
  private readonly offsets = new Map<string, number>();
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  /** Notices built, in order, not handed to the feed yet. */
  private outbox: (AgentNotice | BatchNotice)[] = [];
  /** The round out now (undefined: none). */
  private sending: Promise<void> | undefined;
  private silent = false;
  /** Rounds published (one feed.publishAll each) and notices in them. */
  rounds = 0;
  notices = 0;

  constructor(private readonly o: AnnouncerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sayHeard(), this.o.seenEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops the timer; resolves once every notice said so far is published. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    await this.drained();
  }

  /** Resolves once nothing said so far is left to publish. */
  async drained(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Tests (a replica that died): says nothing more, from now on. */
  silence(): void {
    this.silent = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The agent's hello is stored: it is online here. */
  hello(agentId: string, at: number): void {
    this.moveData();
    // A new connection measures its offset anew; its first one goes out at once (clock()).
    this.offsets.delete(agentId);
    this.pending.push(['hello', agentId, at]);
    this.queueFlush();
  }

  /** The agent's events up to `seq` are stored (committed). */
  stored(agentId: string, seq: number): void {
    if (seq <= (this.data.get(agentId) ?? 0)) return;
    this.data.set(agentId, seq);
    this.queueFlush();
  }

  /** Any frame from the agent (a pong too): it is alive. */
  seen(agentId: string): void {
    this.heard.add(agentId);
  }

  /**
   * A clock offset measured from the agent's pong (the `agent.clock` event). The first of a
   * connection is said at once; later ones go with the next `seen`.
   */
  clock(agentId: string, offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) return;
    // `|| 0`: JSON has no -0, and a follower's store should hold what the home's does.
    const rounded = Math.round(offsetMs) || 0;
    const first = !this.offsets.has(agentId);
    this.offsets.set(agentId, rounded);
    this.heard.add(agentId);
    if (!first) return;
    this.firstOffsets.add(agentId);
    this.queueFlush();
  }

  offline(agentId: string, at: number): void {
    this.moveData();
    this.heard.delete(agentId);
    this.offsets.delete(agentId);
    this.firstOffsets.delete(agentId);
    this.pending.push(['offline', agentId, at]);
    this.queueFlush();
  }

  /** Publishes who was heard from since the last time; resolves once published. */
  sayHeard(): Promise<void> {
    this.flush();
    const ids = [...this.heard];
    this.heard.clear();
    const t = this.o.now();
    this.outbox.push(...seenNotices(this.o.replica, t, ids, (id) => this.offsets.get(id) ?? null));
    this.send();
    return this.drained();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // While a round is out, what is said gathers: its end flushes (send()).
    if (!this.sending) setImmediate(() => this.flush());
  }

  /** The coalesced data so far goes into the order (before a hello or offline said now). */
  private moveData(): void {
    for (const [a, seq] of this.data) this.pending.push(['data', a, seq]);
    this.data.clear();
  }

  /** Publishes what was said so far (in order), batched. */
  private flush(): void {
    this.flushQueued = false;
    this.moveData();
    const entries = this.pending;
    this.pending = [];
    this.outbox.push(...batchNotices(this.o.replica, entries));
    if (this.firstOffsets.size > 0) {
      // After the hellos they follow; batched too: a connect storm is thousands of them.
      const ids = [...this.firstOffsets];
      this.firstOffsets.clear();
      const t = this.o.now();
      this.outbox.push(
        ...seenNotices(this.o.replica, t, ids, (id) => this.offsets.get(id) ?? null),
      );
    }
    this.send();
  }

  /** Hands the outbox to the feed as one round, unless one is out; its end flushes again. */
  private send(): void {
    if (this.silent) this.outbox = [];
    if (this.sending || this.outbox.length === 0) return;
    const out = this.outbox;
    this.outbox = [];
    this.rounds += 1;
    this.notices += out.length;
    this.sending = this.o.feed
      .publishAll(AGENTS_CHANNEL, out)
      .catch((err: unknown) => this.o.onError?.(err))
      .then(() => {
        this.sending = undefined;
        if (this.flushQueued) this.flush();
        else this.send();
      });
  }
}

/**
 * `seen` notices for `ids`, each within SEEN_PER_NOTICE ids and SEEN_NOTICE_BYTES of JSON
 * (an id costs its length plus its quotes and comma; an offset its digits and a comma).
 */
export function seenNotices(
  replica: string,
  t: number,
  ids: readonly string[],
  offset: (id: string) => number | null,
): AgentNotice[] {
  const out: AgentNotice[] = [];
  const base = JSON.stringify({ r: replica, k: 'seen', t, a: [], o: [] }).length;
  let a: string[] = [];
  let o: (number | null)[] = [];
  let bytes = base;
  const flush = (): void => {
    if (a.length > 0) out.push({ r: replica, k: 'seen', t, a, o });
    a = [];
    o = [];
    bytes = base;
  };
  for (const id of ids) {
    const off = offset(id);
    const cost = JSON.stringify(id).length + String(off).length + 2;
    if (a.length >= SEEN_PER_NOTICE || bytes + cost > SEEN_NOTICE_BYTES) flush();
    a.push(id);
    o.push(off);
    bytes += cost;
  }
  flush();
  return out;
}

/**
 * `batch` notices for `entries` in order, each within BATCH_PER_NOTICE entries and
 * SEEN_NOTICE_BYTES of JSON; a batch of one goes out as its single notice.
 */
export function batchNotices(
  replica: string,
  entries: readonly BatchEntry[],
): (AgentNotice | BatchNotice)[] {
  const out: (AgentNotice | BatchNotice)[] = [];
  const base = JSON.stringify({ r: replica, k: 'batch', e: [] }).length;
  let e: BatchEntry[] = [];
  let bytes = base;
  const flush = (): void => {
    const [only] = e;
    if (e.length === 1 && only) out.push(unbatched(replica, only));
    else if (e.length > 1) out.push({ r: replica, k: 'batch', e });
    e = [];
    bytes = base;
  };
  for (const entry of entries) {
    const cost = JSON.stringify(entry).length + 1;
    if (e.length >= BATCH_PER_NOTICE || bytes + cost > SEEN_NOTICE_BYTES) flush();
    e.push(entry);
    bytes += cost;
  }
  flush();
  return out;
}
