import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverOnPostgres } from '../../testing/pg-app';
import { OLD, answerApplies, observed, seqsAfter, sha, until } from '../../testing/push-fakes';
import { acked, login } from '../../testing/test-app';
import { connectPostgres } from '../../storage/pg-connect';
import { startPgCluster, type PgCluster } from '../../storage/pg-harness';
import { CLUSTER_WORK_LOCK } from '../../storage/sql-cluster-work';
import { fakeCluster, type FakeCluster } from '../drills/drill-test-agents';

/*
 * Config SPEC PU-15 / drills SPEC RS-6 with two whole servers: replicas A and B
 * (testing/pg-app.ts) on one real PostgreSQL (its own throwaway cluster). The fake cluster is
 * connected to A; a drill of it is started through A and a config push through B at once.
 * The drill's probe runs on web1 (`probeFrom`), whose fake agent answers it, so no probe
 * leaves the machine; lb1 answers the push's dry run (routed from B through A).
 *
 * "At once" is made certain at the database, not left to timing: the test holds a SHARE lock
 * on drills and config_pushes (INSERTs wait, reads do not) until both starts are waiting
 * inside their inserting transactions, at the cluster-work lock or at their INSERT, then lets
 * them go. Without the lock both would find the cluster free and store their row (checked).
 */

const PUSH_URL = '/api/v1/clusters/lab/config/push';
/** The push's one change: lb1's keepalived file with another router id (a dry run). */
const VRID_52 = {
  host: 'lb1',
  component: 'keepalived',
  content: OLD.replace('51', '52'),
  baseHash: sha(OLD),
};

/** Both starts inside their transactions: one at the cluster-work lock or at an INSERT each. */
const WAITING = `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
  WHERE NOT l.granted AND (
    (l.locktype = 'advisory' AND l.objid = (hashtext($1)::bigint & 4294967295)::oid)
    OR (l.locktype = 'relation' AND (s.query ILIKE 'INSERT INTO drills %'
      OR s.query ILIKE 'INSERT INTO config_pushes %')))`;

let pgc: PgCluster;
let pool: pg.Pool;
const dataDir = mkdtempSync(join(tmpdir(), 'kw-push-drill-'));
const apps: FastifyInstance[] = [];
let cluster: FakeCluster | undefined;

beforeAll(async () => {
  pgc = await startPgCluster();
  pool = (await connectPostgres(pgc.url)).pool;
}, 60_000);
afterAll(async () => {
  cluster?.close();
  for (const app of apps) await app.close().catch(() => undefined);
  await pool?.end();
  await pgc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `starts` with every INSERT into drills and config_pushes held until both wait. */
async function atOnce<T>(starts: () => Promise<T>): Promise<T> {
  const gate = await pool.connect();
  try {
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE drills, config_pushes IN SHARE MODE');
    const done = starts();
    await until(async () => {
      const r = await pool.query<{ n: number }>(WAITING, [CLUSTER_WORK_LOCK]);
      return r.rows[0]?.n === 2;
    }, 'both starts waiting in their transactions');
    await gate.query('COMMIT');
    return await done;
  } finally {
    gate.release();
  }
}

describe('a drill and a push of one cluster through two whole servers on PostgreSQL', () => {
  it('PU-15/RS-6: a drill through A and a push through B at once, 6 rounds: one starts, the other is a 409 naming it; once the first ended the other starts', async () => {
    const a = await serverOnPostgres(apps, { databaseUrl: pgc.url, dataDir, replicaId: 'A' });
    const b = await serverOnPostgres(apps, { databaseUrl: pgc.url, dataDir, replicaId: 'B' });
    const auth = { authorization: `Bearer ${await login(a)}` };
    cluster = await fakeCluster(a);
    const { lb1, web1 } = cluster.sockets;
    if (!lb1 || !web1) throw new Error('no lb1 or web1');
    answerApplies(web1, seqsAfter(1), (m) => m.action?.startsWith('probe.') === true);
    answerApplies(lb1, seqsAfter(2));
    lb1.send(observed(2, OLD));
    await acked(lb1, 2);
    await until(() => b.clusterStore.agentFor('lab', 'lb1')?.online === true, 'lb1 online at B');

    const startDrill = (): Promise<LightMyRequestResponse> =>
      a.inject({
        method: 'POST',
        url: '/api/v1/drills',
        headers: auth,
        payload: { clusterId: 'lab', kind: 'keepalived-stop', options: { probeFrom: 'web1' } },
      });
    const startPush = (): Promise<LightMyRequestResponse> =>
      b.inject({
        method: 'POST',
        url: PUSH_URL,
        headers: auth,
        payload: { message: 'vrid 52', dryRun: true, changes: [VRID_52] },
      });
    const running = async (): Promise<string[]> =>
      [
        ...(await a.repos.drills.list('lab', 100)).filter((d) => d.status === 'running'),
        ...(await b.repos.config.pushes('lab')).filter((p) => p.status === 'running'),
      ].map((w) => w.id);
    // The drill is aborted through A; the push ends when lb1 has answered its dry run.
    const drillEnds = async (id: string): Promise<void> => {
      expect(
        (await a.inject({ method: 'POST', url: `/api/v1/drills/${id}/abort`, headers: auth }))
          .statusCode,
      ).toBe(200);
      await until(
        async () => (await a.repos.drills.get(id))?.status === 'aborted',
        `${id} aborted`,
      );
      await until(() => a.clusterOps.holder('lab') === undefined, "A's hold of lab given back");
    };
    const pushEnds = async (id: string): Promise<void> => {
      await until(
        async () => (await b.repos.config.push(id))?.status === 'succeeded',
        `${id} succeeded`,
        10_000,
      );
      await until(() => b.clusterOps.holder('lab') === undefined, "B's hold of lab given back");
    };

    // What each kind of work is: its start, its id, how it ends, and the replica it runs on.
    const works = {
      drill: {
        start: startDrill,
        ok: 201,
        idOf: (r: LightMyRequestResponse) => r.json<{ id: string }>().id,
        ends: drillEnds,
        replica: 'A',
      },
      push: {
        start: startPush,
        ok: 202,
        idOf: (r: LightMyRequestResponse) => r.json<{ pushId: string }>().pushId,
        ends: pushEnds,
        replica: 'B',
      },
    };

    const winners: string[] = [];
    for (let round = 0; round < 6; round++) {
      const [drill, push] = await atOnce(() =>
        round % 2 === 0
          ? Promise.all([startDrill(), startPush()])
          : Promise.all([startPush(), startDrill()]).then(([p, d]) => [d, p] as const),
      );
      expect([
        { drill: 201, push: 409 },
        { drill: 409, push: 202 },
      ]).toContainEqual({ drill: drill.statusCode, push: push.statusCode });
      const responses = { drill, push };
      const [first, other] =
        drill.statusCode === 201 ? (['drill', 'push'] as const) : (['push', 'drill'] as const);
      winners.push(first);
      const id = works[first].idOf(responses[first]);
      // The refused one names what runs, who started it and the replica running it.
      expect(responses[other].json()).toEqual({
        error: 'busy',
        message: `cluster lab is busy: a ${first} (${id}) started by admin is running on replica ${works[first].replica}`,
      });
      expect(await running()).toEqual([id]);
      await works[first].ends(id);
      const later = await works[other].start();
      expect(later.statusCode, later.body).toBe(works[other].ok);
      await works[other].ends(works[other].idOf(later));
      expect(await running()).toEqual([]);
    }
    // Each round's push reached lb1 once, its refused one never (one dry run per push stored).
    const pushes = await b.repos.config.pushes('lab');
    expect(pushes).toHaveLength(6);
    expect(lb1.messages.filter((m) => m['type'] === 'action.request')).toHaveLength(6);
    console.log(`winners: ${winners.join(', ')}`);
  }, 120_000);
});
