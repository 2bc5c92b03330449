import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { agent, hello, snapshot, type TestSocket } from '../../testing/test-app';
import { useReplicaServers } from '../../testing/replica-servers';
import { ActionError } from './action-dispatcher';
import { ACTIONS_CHANNEL } from './action-routing';

/*
 * Actions across replicas (SPEC.md RA-1..RA-4): two whole servers (buildApp) on one SQLite
 * file in WAL mode and one in-process change feed (as modules/status/replicas.test.ts), lb1
 * connected to B. A asks lb1 for actions: B sends them on its socket, the result comes back
 * to A through the store; what B cannot send fails at A with B's reason; a dead home fails at
 * once. Waits are on messages and results, bounded.
 */

const replicas = useReplicaServers('kw-routing');

/** lb1 connected to B, and A knowing it is there (its hello and first snapshot followed). */
async function lb1AtB(a: FastifyInstance, b: FastifyInstance): Promise<TestSocket> {
  const lb1 = await agent(b, hello({}, 'lb1'));
  lb1.send(snapshot(1, 'MASTER', true));
  await lb1.next((m) => m['type'] === 'ack');
  await until(() => a.clusterStore.agentFor('lab', 'lb1')?.online === true, 'lb1 online at A');
  return lb1;
}

async function until(pred: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const result = (id: string, seq: number, ok = true) => ({
  type: 'action.result',
  seq,
  ts: 2_000,
  id,
  action: 'drill.fault',
  ok,
  steps: [{ step: 'stop nginx', ok, at: 1_999 }],
  startedAt: 1_999,
  finishedAt: 2_000,
});

const FAULT = { drillId: 'd1', fault: 'stop-nginx', restoreAfterMs: 5_000 } as const;

describe('actions routed to the agent home replica', () => {
  it('RA-1: A asks an agent connected to B; B sends it, the stored result resolves at A', async () => {
    const { a, b } = await replicas();
    const lb1 = await lb1AtB(a, b);
    const pending = a.actions.request('agent-lb1', 'drill.fault', FAULT, { timeoutMs: 5_000 });
    const req = await lb1.next((m) => m['type'] === 'action.request');
    expect(req).toMatchObject({ action: 'drill.fault', params: FAULT });
    lb1.send(result(req['id'] as string, 2));
    await expect(pending).resolves.toMatchObject({ id: req['id'], ok: true });
    expect(b.replica?.routing.performed).toBe(1);
    expect(a.actions.inFlight).toBe(0);
  });

  it('RA-1: a config.apply far over a NOTIFY payload reaches the agent whole', async () => {
    const { a, b } = await replicas();
    const lb1 = await lb1AtB(a, b);
    const content = `# big\n${'server { listen 80; }\n'.repeat(2_000)}`;
    const pending = a.actions.request(
      'agent-lb1',
      'config.apply',
      { component: 'nginx', content, dryRun: true },
      { timeoutMs: 5_000 },
    );
    const req = await lb1.next((m) => m['type'] === 'action.request');
    expect((req['params'] as { content: string }).content).toBe(content);
    lb1.send({ ...result(req['id'] as string, 2), action: 'config.apply' });
    await expect(pending).resolves.toMatchObject({ ok: true });
  });

  it('RA-2: a request notice delivered twice is sent to the agent once', async () => {
    const { a, b, feed } = await replicas();
    const lb1 = await lb1AtB(a, b);
    const seen: unknown[] = [];
    feed.subscribe(ACTIONS_CHANNEL, (m) => seen.push(m));
    const pending = a.actions.request('agent-lb1', 'drill.fault', FAULT, { timeoutMs: 5_000 });
    const req = await lb1.next((m) => m['type'] === 'action.request');
    // The notice again (a feed that delivers twice, a replayed NOTIFY): B takes it no more.
    await feed.publish(ACTIONS_CHANNEL, seen[0]);
    lb1.send(result(req['id'] as string, 2));
    await expect(pending).resolves.toMatchObject({ ok: true });
    await b.replica?.routing.settled();
    expect(b.replica?.routing.performed).toBe(1);
    expect(lb1.messages.filter((m) => m['type'] === 'action.request')).toHaveLength(1);
  });

  it('RA-3: the agent drops at B before answering: A fails with B reason, not a timeout', async () => {
    const { a, b } = await replicas();
    const lb1 = await lb1AtB(a, b);
    const pending = a.actions.request('agent-lb1', 'drill.fault', FAULT, { timeoutMs: 5_000 });
    await lb1.next((m) => m['type'] === 'action.request');
    const started = Date.now();
    lb1.ws.terminate();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).code).toBe('disconnected');
    expect((err as ActionError).message).toMatch(/at replica B/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('RA-3: a timeout at A when nobody answers, and B does not send it after', async () => {
    const { a, b } = await replicas();
    const lb1 = await lb1AtB(a, b);
    const pending = a.actions.request('agent-lb1', 'drill.fault', FAULT, { timeoutMs: 300 });
    await lb1.next((m) => m['type'] === 'action.request');
    const err = await pending.catch((e: unknown) => e);
    expect((err as ActionError).code).toBe('timeout');
  });

  it('RA-4: an agent whose home is gone fails at once; one handed over fails when it dies', async () => {
    const { a, b } = await replicas({ leaseTtlMs: 600 });
    const lb1 = await lb1AtB(a, b);
    const pending = a.actions.request('agent-lb1', 'drill.fault', FAULT, { timeoutMs: 20_000 });
    await lb1.next((m) => m['type'] === 'action.request');
    // B dies without a goodbye: its lease is no longer renewed, nothing more is published.
    b.replica?.crash();
    const started = Date.now();
    const err = await pending.catch((e: unknown) => e);
    expect((err as ActionError).code).toBe('disconnected');
    expect((err as ActionError).message).toMatch(/home replica B .* is gone/);
    // Bounded by the lease (600 ms) and one check (200 ms), not the 20 s timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(
      a.actions.request('agent-lb1', 'drill.restore', { drillId: 'd1' }, { timeoutMs: 20_000 }),
    ).rejects.toMatchObject({ code: 'agent_offline' });
  });

  it('refuses a malformed notice on the actions channel and counts it', async () => {
    const { a, feed } = await replicas();
    await feed.publish(ACTIONS_CHANNEL, { k: 'req', r: 'B', to: 'A' });
    await feed.publish(ACTIONS_CHANNEL, {
      k: 'fail',
      r: 'B',
      to: 'A',
      id: 'x',
      code: 'boom',
      m: '',
    });
    expect(a.replica?.routing.refused).toBe(2);
  });
});
