import { describe, expect, it } from 'vitest';
import { LocalChangeFeed } from '../../storage/change-feed';
import type { AgentFollowedEvent, DescribedAgent } from '../../storage/ingest-repository';
import { FOLLOW_READ_PARALLEL, FollowerReads, type FollowRepo } from './follower-reads';
import { ReplicaFollower } from './replica-follower';
import { AGENTS_CHANNEL } from './replica-notices';
import { snapshot } from '../../testing/test-app';

/*
 * The follower's reads gathered into few queries (follower-reads.ts): a fake repository
 * counts the queries and answers from a table, so what is asked and how often is exact.
 */

const described = (agentId: string): DescribedAgent => ({
  agentId,
  clusterId: 'lab',
  clusterName: 'Lab',
  nodeName: agentId,
  role: 'lb',
  lastSeen: 1,
  lastSeq: 0,
  facts: '{}',
  capabilities: '{"observe":[],"control":[]}',
});

/** Every agent has events 1..3; each query's size is kept. */
function countingRepo(fail?: (ids: string[]) => boolean): FollowRepo & { sizes: number[] } {
  const sizes: number[] = [];
  return {
    sizes,
    eventsAfterEach: (asks, limit) => {
      sizes.push(asks.length);
      if (fail?.(asks.map((a) => a.agentId))) return Promise.reject(new Error('connection lost'));
      const rows: AgentFollowedEvent[] = [];
      for (const { agentId, afterSeq } of asks)
        for (let seq = afterSeq + 1; seq <= Math.min(3, afterSeq + limit); seq++)
          rows.push({
            agentId,
            seq,
            payload: JSON.stringify(snapshot(seq, 'BACKUP', false)),
            receivedAt: seq,
          });
      return Promise.resolve(rows);
    },
    agentsNamed: (ids) => {
      sizes.push(ids.length);
      return Promise.resolve(ids.filter((id) => id !== 'nobody').map(described));
    },
  };
}

describe('FollowerReads', () => {
  it("a turn's 1,000 asks are 5 queries of 200, each answered its own events", async () => {
    const repo = countingRepo();
    const reads = new FollowerReads(repo, 500);
    const ids = Array.from({ length: 1_000 }, (_, i) => `a${i}`);
    const answers = await Promise.all(ids.map((id, i) => reads.after(id, i % 4)));
    expect(repo.sizes).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0]?.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(answers[2]?.map((e) => e.seq)).toEqual([3]);
    expect(answers[3]).toEqual([]);
  });

  it('a round of 1,000 asks has at most FOLLOW_READ_PARALLEL queries out at once', async () => {
    const repo = countingRepo();
    let out = 0;
    let most = 0;
    const gated: FollowRepo = {
      ...repo,
      eventsAfterEach: async (asks, limit) => {
        most = Math.max(most, ++out);
        // Answered a turn later, so every query of the round could be out together.
        await new Promise((r) => setImmediate(r));
        out -= 1;
        return repo.eventsAfterEach(asks, limit);
      },
    };
    const reads = new FollowerReads(gated, 500);
    const ids = Array.from({ length: 1_000 }, (_, i) => `a${i}`);
    const answers = await Promise.all(ids.map((id) => reads.after(id, 0)));
    expect(repo.sizes).toEqual([200, 200, 200, 200, 200]);
    expect(most).toBe(FOLLOW_READ_PARALLEL);
    expect(answers.every((a) => a.length === 3)).toBe(true);
  });

  it('asks made while a round is out go together in the next one', async () => {
    const repo = countingRepo();
    const reads = new FollowerReads(repo, 500);
    const first = reads.after('a0', 0);
    await new Promise((r) => setImmediate(r)); // the first round is out now
    const next = ['a1', 'a2', 'a3'].map((id) => reads.after(id, 0));
    await Promise.all([first, ...next]);
    expect(repo.sizes).toEqual([1, 3]);
  });

  it('one agent asked twice at once: the second ask is its own round, each answered', async () => {
    const repo = countingRepo();
    const reads = new FollowerReads(repo, 500);
    const [a, b] = await Promise.all([reads.after('a0', 0), reads.after('a0', 2)]);
    expect(a?.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(b?.map((e) => e.seq)).toEqual([3]);
    expect(repo.sizes).toEqual([1, 1]);
  });

  it('a failed query fails its own asks only, and the next round runs', async () => {
    const repo = countingRepo((ids) => ids.includes('a0'));
    const reads = new FollowerReads(repo, 500);
    const ids = Array.from({ length: 201 }, (_, i) => `a${i}`);
    const results = await Promise.allSettled(ids.map((id) => reads.after(id, 0)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(200);
    expect(results[200]?.status).toBe('fulfilled');
    expect((await reads.after('a1', 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('agent: undefined for one never seen, the row for the others', async () => {
    const reads = new FollowerReads(countingRepo(), 500);
    expect(await reads.agent('nobody')).toBeUndefined();
    expect((await reads.agent('lb1'))?.nodeName).toBe('lb1');
  });
});

describe('ReplicaFollower gathers its reads', () => {
  it('a batch of 400 hellos and their data is 2 agent reads and 2 event reads, every event applied in order', async () => {
    const feed = new LocalChangeFeed();
    const repo = countingRepo();
    const applied: string[] = [];
    const follower = new ReplicaFollower({
      replica: 'A',
      feed,
      repo: { ...repo, agents: () => Promise.resolve([]) },
      store: {
        hello: () => {},
        apply: (id, e) => void applied.push(`${id}:${e.seq}`),
        offline: () => {},
        seen: () => {},
        clock: () => {},
      },
    });
    follower.start();
    const ids = Array.from({ length: 400 }, (_, i) => `a${i}`);
    await feed.publish(AGENTS_CHANNEL, {
      r: 'B',
      k: 'batch',
      e: ids.map((id) => ['hello', id, 1]),
    });
    await follower.idle();
    // Agent rows of 200 each, then events of 200 each (one ask per agent per round).
    expect(repo.sizes).toEqual([200, 200, 200, 200]);
    expect(applied).toHaveLength(1_200);
    expect(applied.filter((a) => a.startsWith('a7:'))).toEqual(['a7:1', 'a7:2', 'a7:3']);
    expect(follower.reads.queries()).toEqual({ events: 2, agents: 2 });
    follower.stop();
  });
});
