import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { PushView } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { OLD, answerApplies, isDryRun, observed, seqsAfter, sha } from '../../testing/push-fakes';
import { agent, hello, login, snapshot, testConfig, type TestSocket } from '../../testing/test-app';

/*
 * PU-9 with the real app: the server dies mid-push (its database as it was at that instant:
 * VACUUM INTO while lb2 is applied and lb1 mid-apply, which is what a SIGKILL leaves), and
 * the next process on that database says what happened instead of resuming blind.
 */

const NEW = '# pushed\nvrrp_instance VI_1 {\n  virtual_router_id 51\n}\n';

describe('PU-9: a server restart mid-push', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-pu9-'));
  const apps: FastifyInstance[] = [];
  const socks: TestSocket[] = [];
  afterEach(async () => {
    for (const s of socks) s.ws.close();
    for (const a of apps) await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the push interrupted: the applied host named, the host mid-step interrupted, the cluster free', async () => {
    const first = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      pushTuning: { stableMs: 0, settleMs: 0, requests: 0 },
    });
    apps.push(first);
    await first.ready();
    const auth = { authorization: `Bearer ${await login(first)}` };
    const lb1 = await agent(first);
    const lb2 = await agent(first, hello({}, 'lb2'));
    socks.push(lb1, lb2);
    lb1.send(snapshot(1, 'MASTER', true, Date.now() - 60_000));
    lb2.send(snapshot(1, 'BACKUP', false, Date.now() - 60_000));
    for (const s of [lb1, lb2]) {
      s.send(observed(2, OLD));
      await s.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    }
    answerApplies(lb2, seqsAfter(100));
    // lb1 answers its dry run only: its real apply hangs.
    answerApplies(lb1, seqsAfter(100), (m) => m.params?.dryRun === true);
    const res = await first.inject({
      method: 'POST',
      url: '/api/v1/clusters/lab/config/push',
      headers: auth,
      payload: {
        message: 'comment on both',
        changes: ['lb1', 'lb2'].map((host) => ({
          host,
          component: 'keepalived',
          content: NEW,
          baseHash: sha(OLD),
        })),
      },
    });
    expect(res.statusCode).toBe(202);
    const { pushId } = res.json<{ pushId: string }>();
    // lb2 (BACKUP) applied and through its gate; lb1 (MASTER) asked, never answering.
    await lb1.next((m) => m['type'] === 'action.request' && !isDryRun(m));
    const running = (
      await first.inject({ url: `/api/v1/pushes/${pushId}`, headers: auth })
    ).json<PushView>();
    expect(running.status).toBe('running');
    expect(running.hosts.map((h) => `${h.host}:${h.status}`)).toEqual([
      'lb2:applied',
      'lb1:applying',
    ]);

    const file = join(dir, 'keepwatch.db');
    first.db.exec(`VACUUM INTO '${file}'`);
    const second = await buildApp({ config: testConfig(), dbPath: file, logger: false });
    apps.push(second);
    await second.ready();
    const auth2 = { authorization: `Bearer ${await login(second)}` };
    const after = (
      await second.inject({ url: `/api/v1/pushes/${pushId}`, headers: auth2 })
    ).json<PushView>();
    expect(after.status).toBe('interrupted');
    expect(after.finishedAt).toBeGreaterThan(0);
    expect(after.hosts.map((h) => `${h.host}:${h.status}`)).toEqual([
      'lb2:applied',
      'lb1:interrupted',
    ]);
    expect(after.hosts[1]?.error).toMatch(/its live file \(GET config\) says which/);
    expect(after.summary).toBe(
      'interrupted: the server stopped mid-push. Applied on lb2; lb1 was mid-step (see its live file); the other hosts were not touched.',
    );
    // The cluster is not left held by the dead push: a new one may start.
    expect(second.clusterOps.holder('lab')).toBeUndefined();
    const list = (
      await second.inject({ url: '/api/v1/clusters/lab/pushes', headers: auth2 })
    ).json<{ pushes: { id: string; status: string }[] }>();
    expect(list.pushes).toEqual([expect.objectContaining({ id: pushId, status: 'interrupted' })]);
  });
});
