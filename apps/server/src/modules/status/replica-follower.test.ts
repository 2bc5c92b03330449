import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHello } from '@keepwatch/shared';
import { PgChangeFeed, type ChangeFeed } from '../../storage/change-feed';
import type { IngestWrite } from '../../storage/ingest-repository';
import { connectPostgres } from '../../storage/pg-connect';
import { startPgCluster, type PgCluster } from '../../storage/pg-harness';
import { migratePostgres } from '../../storage/pg-migrations';
import type { Repositories } from '../../storage/repositories';
import { postgresRepositories } from '../../storage/sql-repositories';
import { VIP, hello, snapshot } from '../../testing/test-app';
import { ClusterStore } from './cluster-store';
import { LeaseKeeper } from '../../storage/lease-keeper';
import { ReplicaAnnouncer } from './replica-announcer';
import { AGENTS_CHANNEL, ReplicaFollower, type AgentNotice } from './replica-follower';

/*
 * Two server replicas on one real PostgreSQL (a throwaway cluster), each with its own pool,
 * change feed (LISTEN/NOTIFY) and cluster store. Replica A is the home of lb1 and lb2: it
 * stores their messages, applies them to its store as its socket does, and says so on the
 * feed. Replica B follows. B's view of the cluster must become A's: the VIP's holders and
 * masters through a failover, each event applied once though notices repeat, a lost notice
 * made good by a resync, an agent gone offline. Waits are on the notices themselves, bounded.
 */

const T0 = 1_800_000_000_000;
let cluster: PgCluster;
const pools: pg.Pool[] = [];
const feeds: PgChangeFeed[] = [];

beforeAll(async () => {
  cluster = await startPgCluster();
  const { pool } = await connectPostgres(cluster.url, { max: 2 });
  await migratePostgres(pool);
  await pool.end();
}, 60_000);
afterAll(async () => {
  for (const f of feeds) await f.close();
  for (const p of pools) await p.end().catch(() => undefined);
  await cluster?.stop();
});

async function replica(): Promise<{ repos: Repositories; feed: PgChangeFeed }> {
  const { pool } = await connectPostgres(cluster.url, { max: 3 });
  pools.push(pool);
  const feed = new PgChangeFeed({ pool, client: { connectionString: cluster.url } });
  feeds.push(feed);
  await feed.start();
  return { repos: postgresRepositories(pool), feed };
}

/** Resolves once `n` notices more than now have reached `feed`, a batch's entries each (bounded). */
function notices(feed: ChangeFeed, n: number, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${seen} of ${n} notices within ${ms} ms`));
    }, ms);
    const off = feed.subscribe(AGENTS_CHANNEL, (m) => {
      const e =
        (m as { k?: string; e?: unknown[] }).k === 'batch' ? (m as { e: unknown[] }).e : [m];
      seen += e.length;
      if (seen < n) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Replica A's side: store, apply locally, then tell the others (the order the socket keeps). */
class Home {
  readonly store = new ClusterStore(() => T0 + 10_000);
  readonly announcer: ReplicaAnnouncer;
  constructor(private readonly r: { repos: Repositories; feed: ChangeFeed }) {
    this.announcer = new ReplicaAnnouncer({ replica: 'A', feed: r.feed, now: () => T0 + 9_000 });
  }
  async hello(h: AgentHello, at: number): Promise<void> {
    const write: IngestWrite = {
      kind: 'hello',
      agentId: h.agentId,
      cluster: h.node.cluster,
      nodeName: h.node.name,
      role: h.node.role,
      facts: JSON.stringify(h.facts),
      capabilities: JSON.stringify(h.capabilities),
      at,
    };
    await this.r.repos.ingest.commit([write]);
    this.store.hello(h.agentId, h.node, at);
    this.announcer.hello(h.agentId, at);
  }
  async data(agentId: string, msg: ReturnType<typeof snapshot>, at: number, say = true) {
    await this.r.repos.ingest.commit([
      {
        kind: 'event',
        agentId,
        seq: msg.seq,
        ts: at,
        agentTs: msg.ts,
        receivedAt: at,
        type: msg.type,
        payload: JSON.stringify(msg),
      },
    ]);
    this.store.apply(agentId, msg as never, at);
    if (say) this.announcer.stored(agentId, msg.seq);
  }
  say(n: AgentNotice): Promise<void> {
    return this.r.feed.publish(AGENTS_CHANNEL, n);
  }
}

const view = (s: ClusterStore) => {
  const c = s.cluster('lab');
  return {
    vips: c?.vips.map((v) => ({ address: v.address, holders: v.holders, masters: v.masters })),
    online: c?.nodes.map((n) => `${n.name}:${n.online ? 'online' : 'offline'}`),
  };
};

describe('replica follower on a real PostgreSQL', () => {
  it("B's cluster store follows A's agents through a failover, each event once, a lost notice made good by a resync", async () => {
    const a = new Home(await replica());
    const b = await replica();
    const storeB = new ClusterStore(() => T0 + 10_000);
    let applied = 0;
    const follower = new ReplicaFollower({
      replica: 'B',
      feed: b.feed,
      repo: b.repos.ingest,
      store: {
        hello: (...args) => storeB.hello(...args),
        offline: (...args) => storeB.offline(...args),
        seen: (...args) => storeB.seen(...args),
        clock: (...args) => storeB.clock(...args),
        apply: (...args) => (applied++, storeB.apply(...args)),
      },
    });
    follower.start();
    await b.feed.listening();

    // lb1 MASTER with the VIP, lb2 BACKUP: 4 notices (2 hellos, 2 snapshots).
    let arrived = notices(b.feed, 4);
    await a.hello(hello({}, 'lb1'), T0);
    await a.hello(hello({}, 'lb2'), T0);
    await a.data('agent-lb1', snapshot(1, 'MASTER', true), T0 + 1);
    await a.data('agent-lb2', snapshot(1, 'BACKUP', false), T0 + 2);
    await arrived;
    await follower.idle();
    expect(view(storeB)).toEqual(view(a.store));
    expect(view(storeB).vips).toEqual([{ address: VIP, holders: ['lb1'], masters: ['lb1'] }]);
    expect(applied).toBe(2);

    // Failover: lb1 drops the VIP, lb2 takes it. Each notice said twice: applied once.
    arrived = notices(b.feed, 4);
    await a.data('agent-lb1', snapshot(2, 'BACKUP', false), T0 + 3);
    await a.say({ r: 'A', a: 'agent-lb1', k: 'data', s: 2 });
    await a.data('agent-lb2', snapshot(2, 'MASTER', true), T0 + 4);
    await a.say({ r: 'A', a: 'agent-lb2', k: 'data', s: 2 });
    await arrived;
    await follower.idle();
    expect(view(storeB).vips).toEqual([{ address: VIP, holders: ['lb2'], masters: ['lb2'] }]);
    expect(applied).toBe(4);

    // A notice lost (NOTIFY is not durable): B is behind until the resync reads the store.
    await a.data('agent-lb2', snapshot(3, 'BACKUP', false), T0 + 5, false);
    await a.data('agent-lb1', snapshot(3, 'MASTER', true), T0 + 6, false);
    expect(view(storeB).vips?.[0]?.holders).toEqual(['lb2']);
    await follower.resync();
    expect(view(storeB)).toEqual(view(a.store));
    expect(view(storeB).vips?.[0]?.holders).toEqual(['lb1']);
    expect(applied).toBe(6);

    // lb2 goes offline at A; a malformed notice and A's notice about B's own agent are ignored.
    arrived = notices(b.feed, 3);
    await a.say({ r: 'A', a: 'agent-lb2', k: 'offline', t: T0 + 7 });
    await b.feed.publish(AGENTS_CHANNEL, { r: 'A', a: 'agent-lb1', k: 'data', s: 'x' });
    await b.feed.publish(AGENTS_CHANNEL, { r: 'B', a: 'agent-lb1', k: 'offline', t: T0 + 8 });
    await arrived;
    await follower.idle();
    expect(view(storeB).online).toEqual(['lb1:online', 'lb2:offline']);
    expect(follower.refused).toBe(1);
    follower.stop();
  });

  it('a replica starting late catches up from the store alone (resync registers unseen agents)', async () => {
    // The same database as above: lb1 and lb2 are stored too; lb9 is new.
    const a = new Home(await replica());
    await a.hello(hello({}, 'lb9'), T0);
    await a.data('agent-lb9', snapshot(1, 'MASTER', true), T0 + 1);
    const c = await replica();
    const storeC = new ClusterStore(() => T0 + 10_000);
    const follower = new ReplicaFollower({
      replica: 'C',
      feed: c.feed,
      repo: c.repos.ingest,
      store: storeC,
    });
    await follower.resync();
    const lb9 = storeC.nodeView('lab', 'lb9');
    expect(lb9?.vrrp.map((v) => v.state)).toEqual(['MASTER']);
    expect(lb9?.addresses).toContain(VIP);
    // Registered from the store, offline until a notice (or its own socket) says otherwise.
    expect(view(storeC).online).toEqual(['lb1:offline', 'lb2:offline', 'lb9:offline']);
  });

  it('presence: who the home heard from reaches the follower; a dead home takes its agents offline', async () => {
    let clock = T0;
    const a = new Home(await replica());
    const b = await replica();
    const storeB = new ClusterStore(() => clock);
    const follower = new ReplicaFollower({
      replica: 'B',
      feed: b.feed,
      repo: b.repos.ingest,
      store: storeB,
    });
    follower.start();
    await b.feed.listening();
    const homeLease = new LeaseKeeper({
      repo: a['r'].repos.leases,
      name: 'replica:A',
      holder: 'A',
      ttlMs: 3_000,
      now: () => clock,
    });
    expect(await homeLease.tick()).toBe(true);
    let arrived = notices(b.feed, 2);
    await a.hello(hello({}, 'lb7'), T0);
    await a.data('agent-lb7', snapshot(1, 'MASTER', true), T0 + 1);
    await arrived;
    await follower.idle();
    expect(storeB.nodeView('lab', 'lb7')?.online).toBe(true);

    // Pongs are not stored: the home's seen notice moves lastSeen on the follower.
    arrived = notices(b.feed, 1);
    a.announcer.seen('agent-lb7');
    await a.announcer.sayHeard();
    await arrived;
    expect(storeB.nodeView('lab', 'lb7')?.lastSeen).toBe(T0 + 9_000);

    // A dies: no renewal. While its lease stands lb7 stays online; once it expired, offline.
    const alive = async (r: string) =>
      (await b.repos.leases.current(`replica:${r}`, clock)) !== undefined;
    clock += 2_000;
    expect(await follower.checkHomes(alive, clock)).toBe(0);
    clock += 1_500;
    expect(await follower.checkHomes(alive, clock)).toBe(1);
    expect(storeB.nodeView('lab', 'lb7')?.online).toBe(false);
    await a.announcer.stop();
    follower.stop();
  });
});
