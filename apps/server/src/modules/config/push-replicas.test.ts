import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { PushView } from '@keepwatch/shared';
import { useReplicaServers } from '../../testing/replica-servers';
import {
  OLD,
  answerApplies,
  isDryRun,
  observed,
  seqsAfter,
  sha,
  until,
} from '../../testing/push-fakes';
import { acked, agent, login, snapshot } from '../../testing/test-app';

/*
 * Pushes across replicas: two whole servers on one SQLite WAL file and one in-process feed
 * (testing/replica-servers.ts), lb1 connected to B, the push run at A (its config.apply
 * routed through B). PU-14: a dry run started at A waits on lb1's answer; a push from B
 * meanwhile is a 409 naming A's push; once A's ends, B's is taken. PU-10: lb1 drops from B
 * mid-apply and comes back to B; A decides from B's hello time (the feed's hello notice).
 * Waits are on messages and stored states.
 */

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

  it("PU-10 at the replica that is not the home: lb1 drops from B mid-apply of A's push, is back at B with the pushed file: A applies it again after observeMs, succeeded", async () => {
    const observeMs = 300;
    const { a, b } = await replicas({
      pushTuning: { stableMs: 0, settleMs: 0, requests: 0, observeMs, reconnectTimeoutMs: 4_000 },
    });
    const auth = { authorization: `Bearer ${await login(a)}` };
    const NEW = OLD.replace('51', '52');
    const lb1 = await agent(b);
    lb1.send(snapshot(1, 'MASTER', true, Date.now() - 60_000));
    lb1.send(observed(2, OLD));
    await acked(lb1, 2);
    await until(() => a.clusterStore.agentFor('lab', 'lb1')?.online === true, 'lb1 online at A');
    // The dry run is answered; the real apply reaches lb1 (through B), which dies before its result.
    answerApplies(lb1, seqsAfter(2), (m) => m.params?.dryRun === true);
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/clusters/lab/config/push',
      headers: auth,
      payload: {
        message: 'vrid 52',
        changes: [{ host: 'lb1', component: 'keepalived', content: NEW, baseHash: sha(OLD) }],
      },
    });
    expect(res.statusCode).toBe(202);
    const pushId = res.json<{ pushId: string }>().pushId;
    await lb1.next((m) => m['type'] === 'action.request' && !isDryRun(m));
    lb1.ws.terminate();
    await until(() => a.clusterStore.agentFor('lab', 'lb1')?.online === false, 'lb1 offline at A');

    // Back at B, no result to replay (it died between install and answer): its live file is NEW.
    const backAt = Date.now();
    const back = await agent(b);
    const asked: { at: number; baseHash?: string }[] = [];
    answerApplies(back, seqsAfter(10), (m) => {
      asked.push({ at: Date.now(), baseHash: m.params?.baseHash });
      return true;
    });
    back.send(snapshot(4, 'MASTER', true, Date.now() - 60_000));
    back.send(observed(5, NEW));
    await acked(back, 5);

    let done: PushView | undefined;
    await until(
      async () => {
        done = await a.repos.config.push(pushId);
        return done?.status !== 'running';
      },
      "A's push ended",
      8_000,
    );
    expect(done).toMatchObject({
      status: 'succeeded',
      hosts: [{ host: 'lb1', status: 'applied' }],
    });
    const steps = done?.hosts[0]?.steps ?? [];
    expect(steps.find((s) => s.step === 'apply keepalived: outcome after the drop')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/is the pushed file$/) as unknown,
    });
    // The same file again, based on itself, and only once lb1 had been back for observeMs.
    expect(asked).toHaveLength(1);
    expect(asked[0]?.baseHash).toBe(sha(NEW));
    expect((asked[0]?.at ?? 0) - backAt).toBeGreaterThanOrEqual(observeMs);
  });
});
