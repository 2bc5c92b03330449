import { describe, expect, it } from 'vitest';
import { LocalChangeFeed } from '../../storage/change-feed';
import { ReplicaAnnouncer, batchNotices, seenNotices } from './replica-announcer';
import { ReplicaFollower } from './replica-follower';
import {
  AGENTS_CHANNEL,
  BATCH_PER_NOTICE,
  SEEN_NOTICE_BYTES,
  unbatched,
  type BatchEntry,
} from './replica-notices';

/*
 * The clock offsets in `seen` notices (drills SPEC PF-7 across replicas): what the home
 * measured, within NOTIFY's size, the first of a connection at once, and what a follower
 * refuses. Two replicas on one in-process feed; the follower's store and repository are fakes.
 */

describe('seen notices carry the home clock offsets', () => {
  it('a full period of long ids and wide offsets stays within the byte budget, in order', () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `agent-${String(i).padStart(58, '0')}`);
    const notices = seenNotices('replica-with-a-long-name', 1_800_000_000_000, ids, (id) =>
      id.endsWith('7') ? null : -86_400_000,
    );
    for (const n of notices)
      expect(JSON.stringify(n).length).toBeLessThanOrEqual(SEEN_NOTICE_BYTES);
    expect(notices.flatMap((n) => (n.k === 'seen' ? n.a : []))).toEqual(ids);
    const first = notices[0];
    expect(first?.k === 'seen' && first.o?.slice(6, 8)).toEqual([-86_400_000, null]);
  });

  it('the first offset of a connection goes out at the end of its turn, after the hello; later ones with the next seen', async () => {
    const feed = new LocalChangeFeed();
    const said: unknown[] = [];
    feed.subscribe(AGENTS_CHANNEL, (m) => said.push(m));
    const ann = new ReplicaAnnouncer({ replica: 'B', feed, now: () => 5 });
    ann.hello('agent-lb1', 1);
    ann.clock('agent-lb1', -0.4);
    ann.clock('agent-lb1', 12.6);
    await ann.sayHeard();
    ann.hello('agent-lb1', 9);
    ann.clock('agent-lb1', 3);
    await ann.stop();
    expect(said).toEqual([
      { r: 'B', a: 'agent-lb1', k: 'hello', t: 1 },
      // The turn's first offset goes at its end (here sayHeard's flush), the latest one.
      { r: 'B', k: 'seen', t: 5, a: ['agent-lb1'], o: [13] },
      { r: 'B', k: 'seen', t: 5, a: ['agent-lb1'], o: [13] },
      { r: 'B', a: 'agent-lb1', k: 'hello', t: 9 },
      { r: 'B', k: 'seen', t: 5, a: ['agent-lb1'], o: [3] },
    ]);
  });

  it('a follower refuses offsets not aligned with the ids or out of range, and keeps the others', async () => {
    const feed = new LocalChangeFeed();
    const clocks: [string, number][] = [];
    const follower = new ReplicaFollower({
      replica: 'A',
      feed,
      repo: {
        agentsNamed: () =>
          Promise.resolve([
            {
              agentId: 'agent-lb1',
              clusterId: 'lab',
              clusterName: 'Lab',
              nodeName: 'lb1',
              role: 'lb',
              lastSeen: 1,
              lastSeq: 0,
              facts: '{}',
              capabilities: '{"observe":[],"control":["drills"]}',
            },
          ]),
        agents: () => Promise.resolve([]),
        eventsAfterEach: () => Promise.resolve([]),
      },
      store: {
        hello: () => {},
        apply: () => {},
        offline: () => {},
        seen: () => {},
        clock: (id, ms) => void clocks.push([id, ms]),
      },
    });
    follower.start();
    // Before the home is known: kept, applied once the home is (the seen itself names it, and
    // the hello again).
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'seen', t: 2, a: ['agent-lb1'], o: [40] });
    await feed.publish(AGENTS_CHANNEL, { r: 'B', a: 'agent-lb1', k: 'hello', t: 1 });
    await follower.idle();
    expect(new Set(clocks.map(String))).toEqual(new Set(['agent-lb1,40']));
    clocks.splice(0);
    expect(follower.controlOf('agent-lb1')).toEqual(['drills']);
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'seen', t: 3, a: ['agent-lb1', 'x'], o: [1] });
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'seen', t: 3, a: ['agent-lb1'], o: [1.5] });
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'seen', t: 3, a: ['agent-lb1'], o: [9e15] });
    expect(follower.refused).toBe(3);
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'seen', t: 4, a: ['agent-lb1'], o: [-7] });
    expect(clocks).toEqual([['agent-lb1', -7]]);
    follower.stop();
  });
});

describe('hellos, data and offlines of one turn go out batched, in order', () => {
  it('a connect storm of long ids is few notices, each within the budget, entries in order', () => {
    const entries: BatchEntry[] = Array.from({ length: 3_000 }, (_, i): BatchEntry => {
      const id = `agent-${String(i % 1_000).padStart(58, '0')}`;
      return i < 1_000
        ? ['hello', id, 1_800_000_000_000 + i]
        : i < 2_000
          ? ['data', id, i]
          : ['offline', id, 1_800_000_000_001];
    });
    const notices = batchNotices('replica-with-a-long-name', entries);
    expect(notices.length).toBeLessThan(entries.length / 50);
    for (const n of notices) {
      expect(JSON.stringify(n).length).toBeLessThanOrEqual(SEEN_NOTICE_BYTES);
      expect(n.k === 'batch' && n.e.length).toBeLessThanOrEqual(BATCH_PER_NOTICE);
    }
    expect(notices.flatMap((n) => (n.k === 'batch' ? n.e : []))).toEqual(entries);
    // One entry alone goes out as its single notice.
    expect(batchNotices('B', [['data', 'agent-lb1', 4]])).toEqual([
      unbatched('B', ['data', 'agent-lb1', 4]),
    ]);
  });

  it('a connect storm of 1,000 hellos with their first offsets is a few notices, hellos first', async () => {
    const feed = new LocalChangeFeed();
    const said: { k: string }[] = [];
    feed.subscribe(AGENTS_CHANNEL, (m) => said.push(m as { k: string }));
    const ann = new ReplicaAnnouncer({ replica: 'B', feed, now: () => 5 });
    for (let i = 0; i < 1_000; i++) {
      ann.hello(`agent-${i}`, 1);
      ann.clock(`agent-${i}`, i);
    }
    await ann.stop();
    expect(said.length).toBeLessThan(20);
    const kinds = said.map((n) => n.k);
    expect(kinds.lastIndexOf('batch')).toBeLessThan(kinds.indexOf('seen'));
  });

  it('a follower applies a batch as its single notices in order, and refuses a malformed one', async () => {
    const feed = new LocalChangeFeed();
    const said: unknown[] = [];
    feed.subscribe(AGENTS_CHANNEL, (m) => said.push(m));
    const ann = new ReplicaAnnouncer({ replica: 'B', feed, now: () => 5 });
    const seen: string[] = [];
    const follower = new ReplicaFollower({
      replica: 'A',
      feed,
      repo: {
        agentsNamed: (ids) =>
          Promise.resolve(
            ids.map((id) => ({
              agentId: id,
              clusterId: 'lab',
              clusterName: 'Lab',
              nodeName: id,
              role: 'lb',
              lastSeen: 1,
              lastSeq: 0,
              facts: '{}',
              capabilities: '{"observe":[],"control":[]}',
            })),
          ),
        agents: () => Promise.resolve([]),
        eventsAfterEach: (asks) => {
          for (const { agentId, afterSeq } of asks) seen.push(`read ${agentId} after ${afterSeq}`);
          return Promise.resolve([]);
        },
      },
      store: {
        hello: (id, _n, _at, online) => void seen.push(`hello ${id} ${online}`),
        apply: () => {},
        offline: (id) => void seen.push(`offline ${id}`),
        seen: () => {},
        clock: () => {},
      },
    });
    follower.start();
    ann.hello('lb1', 1);
    ann.stored('lb1', 3);
    ann.hello('lb2', 2);
    ann.offline('lb1', 4);
    await ann.stop();
    await follower.idle();
    // One NOTIFY for the four, in the order they were said; lb1's data before its offline.
    expect(said).toEqual([
      {
        r: 'B',
        k: 'batch',
        e: [
          ['hello', 'lb1', 1],
          ['data', 'lb1', 3],
          ['hello', 'lb2', 2],
          ['offline', 'lb1', 4],
        ],
      },
    ]);
    // The hello's catch-up, then the data's (the fake stores no events: both read after 0).
    expect(seen.filter((x) => x.includes('lb1'))).toEqual([
      'hello lb1 true',
      'read lb1 after 0',
      'read lb1 after 0',
      'offline lb1',
    ]);
    expect(follower.homeOf('lb2')).toBe('B');
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'batch', e: [['bogus', 'lb2', 1]] });
    await feed.publish(AGENTS_CHANNEL, { r: 'B', k: 'batch', e: [] });
    expect(follower.refused).toBe(2);
    follower.stop();
  });
});

describe('one round of notices at a time', () => {
  /** An in-process feed whose publishAll waits until the test lets the round go. */
  class GatedFeed extends LocalChangeFeed {
    rounds: unknown[][] = [];
    private gates: (() => void)[] = [];
    override async publishAll(channel: string, messages: readonly unknown[]): Promise<void> {
      this.rounds.push([...messages]);
      await new Promise<void>((r) => this.gates.push(r));
      await super.publishAll(channel, messages);
    }
    release(): void {
      for (const g of this.gates.splice(0)) g();
    }
  }
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('what is said over many turns while a round is out goes out coalesced in the next one, in order', async () => {
    const feed = new GatedFeed();
    const said: unknown[] = [];
    feed.subscribe(AGENTS_CHANNEL, (m) => said.push(m));
    const ann = new ReplicaAnnouncer({ replica: 'A', feed, now: () => 5 });
    ann.stored('lb0', 1);
    await turn();
    expect(feed.rounds).toHaveLength(1); // out, not answered yet
    // 20 turns: 1,000 agents store twice each, lb7 goes offline after its data.
    for (let t = 0; t < 20; t++) {
      for (let i = 0; i < 50; i++) {
        ann.stored(`a${t * 50 + i}`, 1);
        ann.stored(`a${t * 50 + i}`, 2);
      }
      if (t === 3) ann.offline('a7', 99);
      await turn();
    }
    expect(feed.rounds).toHaveLength(1);
    feed.release();
    await turn();
    // One round holds all 20 turns: 1,001 entries in 3 batch notices of at most 400.
    expect(feed.rounds).toHaveLength(2);
    const second = feed.rounds[1] as { k: string; e: BatchEntry[] }[];
    expect(second.map((n) => n.k)).toEqual(['batch', 'batch', 'batch']);
    const entries = second.flatMap((n) => n.e);
    expect(entries).toHaveLength(1_001);
    // Each agent's data coalesced to its highest seq; a7's data before its offline.
    expect(entries.filter((e) => e[1] === 'a7')).toEqual([
      ['data', 'a7', 2],
      ['offline', 'a7', 99],
    ]);
    feed.release();
    await ann.stop();
    expect(said).toHaveLength(4);
  });

  it('stop() waits for the round out and publishes what gathered meanwhile', async () => {
    const feed = new GatedFeed();
    const ann = new ReplicaAnnouncer({ replica: 'A', feed, now: () => 5 });
    ann.hello('lb1', 1);
    await turn();
    ann.stored('lb1', 4);
    const stopped = ann.stop();
    feed.release();
    await turn();
    feed.release();
    await stopped;
    expect(feed.rounds).toEqual([
      [{ r: 'A', a: 'lb1', k: 'hello', t: 1 }],
      [{ r: 'A', a: 'lb1', k: 'data', s: 4 }],
    ]);
  });
});
