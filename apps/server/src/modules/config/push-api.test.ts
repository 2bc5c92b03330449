import { drillRow } from '../../testing/drill-rows';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ChangesetList, PushView } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { OLD, answerApplies, observed, sha, type ApplyError } from '../../testing/push-fakes';
import { agent, login, snapshot, testConfig, type TestSocket } from '../../testing/test-app';

/* POST /config/push end to end against fake agents on the real socket (the rollout itself: push-runner.test.ts). */

/** Answers every config.apply with ok (or with `fail` for a real install). */
let seq = 1000;
function answer(sock: TestSocket, fail?: ApplyError): void {
  answerApplies(
    sock,
    () => (seq += 1),
    () => true,
    (m) => (fail && (fail.code === 'validation_failed' || !m.params?.dryRun) ? fail : undefined),
  );
}

describe('config push API', () => {
  let app: FastifyInstance;
  let auth: { authorization: string };
  let lb1: TestSocket;
  beforeEach(async () => {
    seq = 1000;
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      pushTuning: { stableMs: 0, settleMs: 0, requests: 0 },
    });
    await app.ready();
    auth = { authorization: `Bearer ${await login(app)}` };
    lb1 = await agent(app);
    lb1.send(snapshot(1, 'MASTER', true, Date.now() - 60_000));
    lb1.send(observed(2, OLD));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 2);
  });
  afterEach(async () => {
    lb1.ws.close();
    await app.close();
  });

  const push = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/clusters/lab/config/push', headers: auth, payload });
  async function settled(id: string): Promise<PushView> {
    for (let i = 0; i < 100; i += 1) {
      const v = (await app.inject({ url: `/api/v1/pushes/${id}`, headers: auth })).json<PushView>();
      if (v.status !== 'running') return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('push did not end');
  }

  it('PU-1 a stale baseHash is a 409 conflict; nothing reaches the agent', async () => {
    const res = await push({
      message: 'm',
      changes: [{ host: 'lb1', component: 'keepalived', content: 'x', baseHash: 'b'.repeat(64) }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'conflict' });
    expect(lb1.messages.some((m) => m['type'] === 'action.request')).toBe(false);
  });

  it('a good push succeeds, is a changeset after the baseline, and rolls back as a new push', async () => {
    answer(lb1);
    const NEW = OLD.replace('51', '52');
    const res = await push({
      message: 'vrid 52',
      changes: [{ host: 'lb1', component: 'keepalived', content: NEW, baseHash: sha(OLD) }],
    });
    expect(res.statusCode).toBe(202);
    const v = await settled(res.json<{ pushId: string }>().pushId);
    expect(v).toMatchObject({
      status: 'succeeded',
      hosts: [{ host: 'lb1', status: 'applied', role: 'master' }],
    });
    const list = (
      await app.inject({ url: '/api/v1/clusters/lab/changesets', headers: auth })
    ).json<ChangesetList>();
    expect(list.changesets.map((c) => c.message)).toEqual([
      'vrid 52',
      'as found before the first push',
    ]);
    const diff = await app.inject({
      url: `/api/v1/changesets/diff?from=${list.changesets[1]?.id}&to=${list.changesets[0]?.id}`,
      headers: auth,
    });
    expect(diff.json<{ files: { status: string; patch: string }[] }>().files[0]).toMatchObject({
      status: 'changed',
    });
    expect(diff.json<{ files: { patch: string }[] }>().files[0]?.patch).toContain(
      '+  virtual_router_id 52',
    );
    // The agent has not reported the new file yet: drift says the live file differs.
    const cfg = (await app.inject({ url: '/api/v1/clusters/lab/config', headers: auth })).json<{
      drifted: boolean;
    }>();
    expect(cfg.drifted).toBe(true);
    const n = (seq += 1);
    lb1.send(observed(n, NEW));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === n);
    const after = (await app.inject({ url: '/api/v1/clusters/lab/config', headers: auth })).json<{
      drifted: boolean;
    }>();
    expect(after.drifted).toBe(false);
    const back = await app.inject({
      method: 'POST',
      url: `/api/v1/changesets/${list.changesets[1]?.id}/rollback`,
      headers: auth,
      payload: {},
    });
    expect(back.statusCode).toBe(202);
    const rb = await settled(back.json<{ pushId: string }>().pushId);
    expect(rb).toMatchObject({ status: 'succeeded', rollbackOf: list.changesets[1]?.id });
  });

  it('the error text of a failed validation reaches the API', async () => {
    answer(lb1, {
      code: 'validation_failed',
      message:
        "the new keepalived config does not pass its test:\n(Line 5) Unknown keyword 'bogus'",
    });
    const res = await push({
      message: 'bad',
      changes: [{ host: 'lb1', component: 'keepalived', content: 'bogus 1\n' }],
    });
    const v = await settled(res.json<{ pushId: string }>().pushId);
    expect(v.status).toBe('failed');
    expect(v.hosts[0]?.error).toContain("Unknown keyword 'bogus'");
  });

  it('PU-11 a new critical finding is refused before any agent is asked; one already live is not', async () => {
    answer(lb1);
    const BROKEN = OLD.replace('}\n', '  track_script {\n    chk_missing\n  }\n}\n');
    const res = await push({
      message: 'track a script nobody defines',
      changes: [{ host: 'lb1', component: 'keepalived', content: BROKEN, baseHash: sha(OLD) }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'critical_findings' });
    expect(res.json<{ message: string }>().message).toMatch(
      /^the changes bring 1 critical finding .*nothing was sent to any host: HC-2 UNKNOWN_TRACK_SCRIPT: .*chk_missing.* Fix: /,
    );
    expect(lb1.messages.some((m) => m['type'] === 'action.request')).toBe(false);
    // A dry run only validates: allowed.
    const dry = await push({
      message: 'dry',
      dryRun: true,
      changes: [{ host: 'lb1', component: 'keepalived', content: BROKEN, baseHash: sha(OLD) }],
    });
    expect(dry.statusCode).toBe(202);
    expect((await settled(dry.json<{ pushId: string }>().pushId)).status).toBe('succeeded');
    // Once the host runs it (edited by hand), a push that keeps it is not blocked by it.
    const n = (seq += 1);
    lb1.send(observed(n, BROKEN));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === n);
    const keep = await push({
      message: 'a comment',
      changes: [
        { host: 'lb1', component: 'keepalived', content: `# c\n${BROKEN}`, baseHash: sha(BROKEN) },
      ],
    });
    expect(keep.statusCode).toBe(202);
    expect((await settled(keep.json<{ pushId: string }>().pushId)).status).toBe('succeeded');
  });

  it('no push while a drill holds the cluster', async () => {
    const hold = app.clusterOps.tryAcquire('lab', 'drill', 'd-1', 'bob');
    const res = await push({
      message: 'm',
      changes: [{ host: 'lb1', component: 'keepalived', content: 'x' }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'busy' });
    if (hold.ok) hold.release();
  });

  it('PU-15: a drill of the cluster running on another replica refuses the push 409 naming it; nothing held, nothing sent', async () => {
    // What another replica stored when it started its drill (this server's holds know nothing of it).
    await app.repos.drills.insert(
      drillRow('dr-elsewhere', 'lab', 'replica-b', { startedBy: 'bob', startedAt: Date.now() }),
    );
    const res = await push({
      message: 'm',
      changes: [{ host: 'lb1', component: 'keepalived', content: 'x', baseHash: sha(OLD) }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      error: 'busy',
      message:
        'cluster lab is busy: a drill (dr-elsewhere) started by bob is running on replica replica-b',
    });
    expect(app.clusterOps.holder('lab')).toBeUndefined();
    expect(await app.repos.config.pushes('lab')).toEqual([]);
    expect(lb1.messages.filter((m) => m['type'] === 'action.request')).toEqual([]);
  });
});
