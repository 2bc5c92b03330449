import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { PushView } from '@keepwatch/shared';
import { useReplicaServers } from '../../testing/replica-servers';
import { agent, login, snapshot } from '../../testing/test-app';

/*
 * One push per cluster across replicas (SPEC.md PU-14): two whole servers on one SQLite WAL
 * file and one in-process feed (testing/replica-servers.ts), lb1 connected to B. A dry run
 * started at A waits on lb1's answer (routed through B); a push from B meanwhile is a 409
 * naming A's push; once A's ends, B's is taken. Waits are on messages and stored states.
 */

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const OLD = 'vrrp_instance VI_1 {\n  virtual_router_id 51\n}\n';

const observed = (seq: number, content: string) => ({
  type: 'config.observed',
  seq,
  ts: 2000,
  config: {
    component: 'keepalived',
    path: '/etc/keepalived/keepalived.conf',
    hash: sha(content),
    content,
    checkedAt: 2000,
  },
});

async function until(pred: () => Promise<boolean> | boolean, what: string, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('config pushes across replicas', () => {
  const replicas = useReplicaServers('kw-push-replicas');

  it('PU-14: a push from B while A runs one on the cluster is a 409 naming it; after it ends B may push', async () => {
    const { a, b } = await replicas();
    const auth = { authorization: `Bearer ${await login(a)}` };
    const lb1 = await agent(b);
    lb1.send(snapshot(1, 'MASTER', true, Date.now() - 60_000));
    lb1.send(observed(2, OLD));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    await until(() => a.clusterStore.agentFor('lab', 'lb1')?.online === true, 'lb1 online at A');
    const push = (app: FastifyInstance, message: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/clusters/lab/config/push',
        headers: auth,
        payload: {
          message,
          dryRun: true,
          changes: [
            {
              host: 'lb1',
              component: 'keepalived',
              content: OLD.replace('51', '52'),
              baseHash: sha(OLD),
            },
          ],
        },
      });

    const first = await push(a, 'from A');
    expect(first.statusCode).toBe(202);
    const pushId = first.json<{ pushId: string }>().pushId;
    // A's dry run reached lb1 through B and waits for its answer: A's push is running.
    const req = await lb1.next((m) => m['type'] === 'action.request');

    const second = await push(b, 'from B');
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      error: 'busy',
      message: `cluster lab is busy: a push (${pushId}) started by admin is running on replica A`,
    });
    expect((await b.repos.config.pushes('lab')).map((p) => p.id)).toEqual([pushId]);
    expect(lb1.messages.filter((m) => m['type'] === 'action.request')).toHaveLength(1);

    lb1.send({
      type: 'action.result',
      seq: 3,
      ts: 3000,
      id: req['id'],
      action: 'config.apply',
      ok: true,
      steps: [],
      startedAt: 3000,
      finishedAt: 3000,
    });
    let done: PushView | undefined;
    await until(async () => {
      done = await a.repos.config.push(pushId);
      return done?.status !== 'running';
    }, "A's push ended");
    expect(done?.status).toBe('succeeded');
    expect((await push(b, 'from B, later')).statusCode).toBe(202);
  });
});
