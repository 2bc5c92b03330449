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
        agent: () =>
          Promise.resolve({
            agentId: 'agent-lb1',
            clusterId: 'lab',
            clusterName: 'Lab',
            nodeName: 'lb1',
            role: 'lb',
            lastSeen: 1,
            lastSeq: 0,
            facts: '{}',
            capabilities: '{"observe":[],"control":["drills"]}',
          }),
        agents: () => Promise.resolve([]),
        eventsAfter: () => Promise.resolve([]),
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
        agent: (id) =>
          Promise.resolve({
            agentId: id,
            clusterId: 'lab',
            clusterName: 'Lab',
            nodeName: id,
            role: 'lb',
            lastSeen: 1,
            lastSeq: 0,
            facts: '{}',
            capabilities: '{"observe":[],"control":[]}',
          }),
        agents: () => Promise.resolve([]),
        eventsAfter: (id, after) => {
          seen.push(`read ${id} after ${after}`);
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
