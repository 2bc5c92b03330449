import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Drill, DrillPreflight } from '@keepwatch/shared';
import { drillRow } from '../../testing/drill-rows';
import { answerApplies, seqsAfter } from '../../testing/push-fakes';
import { testApp, login } from '../../testing/test-app';
import { userWithRole } from '../auth/auth-test-helpers';
import { fakeCluster, type FakeCluster } from './drill-test-agents';

/*
 * The drill API over inject, with fake agents (no lab): access, bad input, preflight refusals.
 * A drill that runs probes from web1 (`probeFrom`), whose fake agent acknowledges the probe
 * and sends no sample: with the default (the server probes the VIP and the load balancers'
 * addresses, 10.77.0.x here) the test would send traffic off the machine.
 */

let app: FastifyInstance;
let cluster: FakeCluster | undefined;
let admin: { authorization: string };

beforeEach(async () => {
  app = await testApp();
  admin = { authorization: `Bearer ${await login(app)}` };
});

afterEach(async () => {
  cluster?.close();
  cluster = undefined;
  await app.drills.settled();
  await app.close();
});

const post = (url: string, payload: unknown, headers = admin) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });

/** The cluster, its web1 acknowledging the probe actions; `options` for a drill probing there. */
async function probingOnWeb1(): Promise<{ probeFrom: string }> {
  cluster = await fakeCluster(app);
  const web1 = cluster.sockets['web1'];
  if (!web1) throw new Error('no web1');
  answerApplies(web1, seqsAfter(1), (m) => m.action?.startsWith('probe.') === true);
  return { probeFrom: 'web1' };
}

describe('drills API', () => {
  it('AC-1: a viewer may read drills but gets 403 on start, preflight and abort', async () => {
    const viewer = await userWithRole(app, 'vera', 'viewer');
    const body = { clusterId: 'lab', kind: 'nginx-outage' };
    expect((await post('/api/v1/drills', body, viewer.bearer)).statusCode).toBe(403);
    expect((await post('/api/v1/drills/preflight', body, viewer.bearer)).statusCode).toBe(403);
    expect((await post('/api/v1/drills/x/abort', {}, viewer.bearer)).statusCode).toBe(403);
    const list = await app.inject({ url: '/api/v1/drills?clusterId=lab', headers: viewer.bearer });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ drills: [] });
  });

  it('BI-1: unknown cluster 404, unknown kind and bad options 400, nothing applied', async () => {
    const r1 = await post('/api/v1/drills', { clusterId: 'nope', kind: 'nginx-outage' });
    expect(r1.statusCode).toBe(404);
    expect(r1.json<{ message: string }>().message).toContain('unknown cluster nope');
    expect((await post('/api/v1/drills', { clusterId: 'lab', kind: 'meteor' })).statusCode).toBe(
      400,
    );
    const r3 = await post('/api/v1/drills', {
      clusterId: 'lab',
      kind: 'nginx-outage',
      options: { holdMs: 5 },
    });
    expect(r3.statusCode).toBe(400);
    const r4 = await post('/api/v1/drills', {
      clusterId: 'lab',
      kind: 'nginx-outage',
      options: { junk: 1 },
    });
    expect(r4.statusCode).toBe(400);
    const list = await app.inject({ url: '/api/v1/drills', headers: admin });
    expect(list.json<{ drills: unknown[] }>().drills).toHaveLength(0);
  });

  it('PF-4: preflight refuses when the BACKUP nginx is down, naming the host', async () => {
    cluster = await fakeCluster(app, { backupNginxDown: true });
    const r = await post('/api/v1/drills/preflight', { clusterId: 'lab', kind: 'nginx-outage' });
    expect(r.statusCode).toBe(200);
    const pf = r.json<DrillPreflight>();
    expect(pf.ok).toBe(false);
    const bad = pf.checks.find((c) => c.id === 'PF-4' && !c.ok);
    expect(bad?.node).toBe('lb2');
    expect(bad?.text.en).toContain('nginx is down');
    const start = await post('/api/v1/drills', { clusterId: 'lab', kind: 'nginx-outage' });
    expect(start.statusCode).toBe(422);
    expect(start.json<{ message: string }>().message).toContain('lb2 is not a healthy BACKUP');
  });

  it('PF-5: preflight refuses a monitor-only target and says which host and why', async () => {
    cluster = await fakeCluster(app, { control: { lb1: [] } });
    const pf = (
      await post('/api/v1/drills/preflight', { clusterId: 'lab', kind: 'keepalived-stop' })
    ).json<DrillPreflight>();
    expect(pf.ok).toBe(false);
    const bad = pf.checks.find((c) => c.id === 'PF-5' && !c.ok);
    expect(bad?.node).toBe('lb1');
    expect(bad?.text.en).toContain('monitor-only');
    expect(bad?.text['zh-CN']).toContain('drills');
  });

  it('PF-1..PF-9: a healthy cluster passes preflight with the plan', async () => {
    cluster = await fakeCluster(app);
    const pf = (
      await post('/api/v1/drills/preflight', { clusterId: 'lab', kind: 'nginx-outage' })
    ).json<DrillPreflight>();
    expect(pf.checks.filter((c) => !c.ok)).toEqual([]);
    expect(pf.plan).toMatchObject({
      vip: '10.77.0.50',
      master: 'lb1',
      targets: ['lb1'],
      probeFrom: 'server',
    });
    const be = (
      await post('/api/v1/drills/preflight', { clusterId: 'lab', kind: 'all-backends-down' })
    ).json<DrillPreflight>();
    expect(be.plan.targets).toEqual(['web1', 'web2']);
  });

  it('PF-8: a second drill on the same cluster is refused 409 while the first runs', async () => {
    const options = await probingOnWeb1();
    const first = await post('/api/v1/drills', {
      clusterId: 'lab',
      kind: 'keepalived-stop',
      options,
    });
    expect(first.statusCode).toBe(201);
    const { id } = first.json<{ id: string }>();
    const second = await post('/api/v1/drills', { clusterId: 'lab', kind: 'nginx-outage' });
    expect(second.statusCode).toBe(409);
    expect(second.json<{ message: string }>().message).toContain(`a drill (${id})`);
    const pf = (
      await post('/api/v1/drills/preflight', { clusterId: 'lab', kind: 'nginx-outage' })
    ).json<DrillPreflight>();
    expect(pf.checks.find((c) => c.id === 'PF-8')?.ok).toBe(false);
    // web1's probe sends no sample: the baseline finds no good request, nothing is broken.
    await app.drills.settled();
    const res = await app.inject({ url: `/api/v1/drills/${id}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json<Drill>();
    expect(d.status).toBe('failed');
    expect(d.error).toContain('answered no request during the baseline');
    expect(d.report.faultAt).toBeNull();
    const audit = (await app.repos.audit.list(20)).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['drill.start', 'drill.end']));
  });

  it('RS-2: a drill of the cluster running on another replica refuses the start 409, nothing held', async () => {
    cluster = await fakeCluster(app);
    // What another replica stored when it started its drill (this server's holds know nothing of it).
    await app.repos.drills.insert(
      drillRow('dr-elsewhere', 'lab', 'replica-b', { startedBy: 'bob', startedAt: Date.now() }),
    );
    const r = await post('/api/v1/drills', { clusterId: 'lab', kind: 'nginx-outage' });
    expect(r.statusCode).toBe(409);
    expect(r.json<{ message: string }>().message).toBe(
      'cluster lab is busy: a drill (dr-elsewhere) started by bob is running on replica replica-b',
    );
    expect(app.clusterOps.holder('lab')).toBeUndefined();
    const list = (await app.repos.drills.list('lab', 10)).map((d) => d.id);
    expect(list).toEqual(['dr-elsewhere']);
  });

  it('RS-6: a config push of the cluster running on another replica refuses the start 409 naming it, nothing held', async () => {
    cluster = await fakeCluster(app);
    const pushView = {
      id: 'push-elsewhere',
      clusterId: 'lab',
      status: 'running' as const,
      hosts: [],
      summary: '',
      message: 'tune',
      author: 'carol',
      dryRun: false,
      createdAt: Date.now(),
    };
    expect(await app.repos.config.createPush(pushView, [], 'replica-b')).toEqual({ ok: true });
    const r = await post('/api/v1/drills', { clusterId: 'lab', kind: 'nginx-outage' });
    expect(r.statusCode).toBe(409);
    expect(r.json<{ message: string }>().message).toBe(
      'cluster lab is busy: a push (push-elsewhere) started by carol is running on replica replica-b',
    );
    expect(app.clusterOps.holder('lab')).toBeUndefined();
    expect(await app.repos.drills.list('lab', 10)).toEqual([]);
  });

  it('AB-1: abort a running drill; abort of a finished one is 409', async () => {
    const options = await probingOnWeb1();
    const { id } = (
      await post('/api/v1/drills', { clusterId: 'lab', kind: 'keepalived-stop', options })
    ).json<{ id: string }>();
    const ab = await post(`/api/v1/drills/${id}/abort`, {});
    expect(ab.statusCode).toBe(200);
    await app.drills.settled();
    const d = (await app.inject({ url: `/api/v1/drills/${id}`, headers: admin })).json<Drill>();
    expect(d.status).toBe('aborted');
    expect((await post(`/api/v1/drills/${id}/abort`, {})).statusCode).toBe(409);
    const md = await app.inject({
      url: `/api/v1/drills/${id}/report.md?lang=zh-CN`,
      headers: admin,
    });
    expect(md.statusCode).toBe(200);
    expect(md.body).toContain('故障切换演练报告');
    const html = await app.inject({ url: `/api/v1/drills/${id}/report.html`, headers: admin });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('ABORTED');
  });

  it('PR-1: a cluster no drill has proven is flagged stale with the configured age', async () => {
    cluster = await fakeCluster(app);
    const r = await app.inject({ url: '/api/v1/drills/proof', headers: admin });
    expect(r.json()).toEqual({
      clusters: [
        {
          clusterId: 'lab',
          lastProvenAt: null,
          lastProvenKind: null,
          drillId: null,
          stale: true,
          staleAfterMs: 30 * 86_400_000,
        },
      ],
    });
  });
});
