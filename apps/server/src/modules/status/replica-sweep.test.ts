import type { PushView } from '@keepwatch/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend } from '../../storage/contract-backends';
import type { NewDrill } from '../../storage/drill-repository';
import type { Repositories } from '../../storage/repositories';
import { useReplicaServers } from '../../testing/replica-servers';
import { interruptLeftoverPushes } from '../config/push-leftovers';
import { emptyReport } from '../drills/drill-plan';
import { leftoverRuns, type ReplicaView } from './replica-sweep';

/*
 * The sweep of a dead replica's work (replica-sweep.ts; drills RS-5, config PU-12/PU-13): two
 * whole servers on one SQLite file (WAL) and one in-process feed, as replicas.test.ts; and the
 * "never twice" of the store's conditional interrupt on a real PostgreSQL, ten sweepers at once.
 */

const drill = (id: string, owner: string | null): NewDrill => ({
  id,
  clusterId: id,
  kind: 'keepalived-stop',
  options: {},
  preflight: null,
  report: emptyReport({ probeIntervalMs: 10, probeTimeoutMs: 200, holdMs: 3000 }),
  startedBy: 'alice',
  scheduleId: null,
  startedAt: Date.now(),
  owner,
});

const push = (id: string): PushView => ({
  id,
  clusterId: `c-${id}`,
  status: 'running',
  hosts: [
    { host: 'lb2', status: 'applied', role: 'backup', order: 0, components: ['nginx'], steps: [] },
    {
      host: 'lb1',
      status: 'applying',
      role: 'master',
      order: 1,
      components: ['nginx'],
      steps: [],
    },
  ],
  summary: 'rolling out',
  message: 'raise worker_connections',
  author: 'alice',
  dryRun: false,
  createdAt: Date.now(),
});

describe('leftoverRuns', () => {
  const runs = [
    { id: 'single', owner: null },
    { id: 'self-old', owner: 'a' },
    { id: 'live', owner: 'b' },
    { id: 'dead', owner: 'c' },
    { id: 'here', owner: 'a' },
  ];
  const here = (id: string) => id === 'here';
  const replica: ReplicaView = { id: 'a', alive: (r) => Promise.resolve(r !== 'c') };

  it('RS-5: the periodic sweep takes only a dead replica’s runs, never this one’s own', async () => {
    expect(await leftoverRuns(runs, here, replica, true)).toEqual(['dead']);
    expect(await leftoverRuns(runs, here, replica, false)).toEqual(['single', 'self-old', 'dead']);
    expect(await leftoverRuns(runs, here, undefined, true)).toEqual([]);
  });
});

describe('two replicas sweep a dead replica’s drills and pushes', () => {
  const replicas = useReplicaServers('kw-sweep');

  it('RS-5, PU-12: C died mid-drill and mid-push: marked interrupted once; live B’s stay running', async () => {
    const { a, b } = await replicas({ leaseTtlMs: 3_000 });
    // C ran a drill and a push and died: its lease was taken once and has expired.
    await a.repos.leases.acquire('replica:C', 'C', Date.now() - 10_000, 3_000);
    expect((await a.repos.drills.insert(drill('d-dead', 'C'))).ok).toBe(true);
    expect((await a.repos.drills.insert(drill('d-live', 'B'))).ok).toBe(true);
    await a.repos.config.createPush(push('p-dead'), [], 'C');
    await a.repos.config.createPush(push('p-live'), [], 'B');

    const end = Date.now() + 8_000;
    for (;;) {
      const d = await a.repos.drills.get('d-dead');
      const p = await a.repos.config.push('p-dead');
      if (d?.status === 'interrupted' && p?.status === 'interrupted') break;
      if (Date.now() > end) throw new Error(`not swept: drill ${d?.status}, push ${p?.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A few more rounds of both replicas' sweeps: nothing is marked again.
    await new Promise((r) => setTimeout(r, 2_200));
    const audit = await a.repos.audit.list(100, undefined, { action: 'drill.interrupted' });
    expect(audit.map((e) => e.target)).toEqual(['drill:d-dead']);
    expect((await b.repos.drills.get('d-live'))?.status).toBe('running');
    expect((await b.repos.config.push('p-live'))?.status).toBe('running');
    const p = await a.repos.config.push('p-dead');
    expect(p?.hosts.map((h) => `${h.host}:${h.status}`)).toEqual([
      'lb2:applied',
      'lb1:interrupted',
    ]);
    // PU-13: C's late progress (cut off, not dead) does not undo it.
    await a.repos.config.savePush({ ...push('p-dead'), status: 'succeeded' });
    expect((await a.repos.config.push('p-dead'))?.status).toBe('interrupted');
  });
});

describe('the sweep on a real PostgreSQL: ten replicas at once, each run marked once', () => {
  const backend = postgresBackend();
  let r: Repositories;
  beforeAll(() => backend.setup(), 60_000);
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('RS-5, PU-12: of ten sweepers at once, each dead replica’s drill and push is marked by one', async () => {
    const ids = ['1', '2', '3', '4', '5'];
    for (const i of ids) {
      expect((await r.drills.insert(drill(`d${i}`, 'C'))).ok).toBe(true);
      await r.config.createPush(push(`p${i}`), [], 'C');
    }
    const sweepers = Array.from({ length: 10 }, (_, i): ReplicaView => ({
      id: `R${i}`,
      alive: (x) => Promise.resolve(x !== 'C'),
    }));
    const log = { warn: () => undefined };
    const results = await Promise.all(
      sweepers.map(async (replica) => {
        const drills = await r.drills.interrupt(
          await leftoverRuns(await r.drills.running(), () => false, replica, true),
          Date.now(),
          'owner replica C is gone',
        );
        const pushes = await interruptLeftoverPushes(r.config, {
          here: () => false,
          replica,
          deadOnly: true,
          now: Date.now,
          log,
        });
        return { drills, pushes };
      }),
    );
    const drills = results.flatMap((x) => x.drills).sort();
    const pushes = results.flatMap((x) => x.pushes).sort();
    expect(drills).toEqual(ids.map((i) => `d${i}`));
    expect(pushes).toEqual(ids.map((i) => `p${i}`));
    expect(await r.drills.running()).toEqual([]);
    expect(await r.config.runningPushOwners()).toEqual([]);
  });
});
