import { describe, expect, it } from 'vitest';
import { LocalChangeFeed } from '../../storage/change-feed';
import { ReplicaAnnouncer, seenNotices } from './replica-announcer';
import { AGENTS_CHANNEL, ReplicaFollower, SEEN_NOTICE_BYTES } from './replica-follower';

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

  it('the first offset of a connection goes out at once; later ones with the next seen', async () => {
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
      { r: 'B', k: 'seen', t: 5, a: ['agent-lb1'], o: [0] },
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
