import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionRequest, AgentConfig, ProbeSamples } from '@keepwatch/shared';
import { createLogger } from '../log';
import type { DataMessageInput } from '../outbox';
import { ActionHandler } from './action-handler';

/* probe.run on a real local HTTP server: durable batches, a final batch, a hard end. */

let server: Server;
let url = '';
beforeEach(async () => {
  server = createServer((_q, res) => {
    res.setHeader('X-Keepwatch-LB', 'lb9');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

function handler(control: AgentConfig['control']) {
  const sent: DataMessageInput[] = [];
  const h = new ActionHandler({
    config: {
      agentId: 'a',
      node: { name: 'web1', role: 'backend', cluster: { id: 'c', name: 'C' } },
      server: { url: 'ws://127.0.0.1:1', token: 't' },
      stateDir: '/nonexistent',
      control,
    },
    exec: () => Promise.reject(new Error('no commands here')),
    log: createLogger({ level: 'error', sink: () => undefined }),
    send: (m) => sent.push(m),
    health: () => undefined,
  });
  const batches = (): ProbeSamples[] =>
    sent.filter((m): m is ProbeSamples => m.type === 'probe.samples');
  return { h, sent, batches };
}

const run = (id: string, durationMs: number): ActionRequest => ({
  type: 'action.request',
  id,
  action: 'probe.run',
  params: {
    probeId: id,
    durationMs,
    targets: [{ name: 'vip', url, intervalMs: 20, timeoutMs: 200 }],
  },
});

describe('probe.run', () => {
  it('streams probe.samples batches and ends by itself after durationMs with a final batch', async () => {
    const { h, batches } = handler(['drills']);
    const r = await h.handle(run('p1', 1200));
    expect(r.ok).toBe(true);
    expect((await h.handle(run('p2', 1000))).error?.code).toBe('conflict');
    await expect.poll(() => batches().some((b) => b.final), { timeout: 5000 }).toBe(true);
    const all = batches().flatMap((b) => b.samples);
    expect(batches().length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeGreaterThan(40);
    expect(all.every(([, , result, lb]) => result === 200 && lb === 'lb9')).toBe(true);
    expect(batches().every((b) => b.probeId === 'p1' && b.target === 'vip')).toBe(true);
    // Ended: a new run may start.
    expect((await h.handle(run('p3', 100))).ok).toBe(true);
    await h.probes.dispose();
  });

  it('probe.stop ends a run early; a monitor-only agent refuses probe.run', async () => {
    const { h, batches } = handler(['drills']);
    await h.handle(run('p4', 60_000));
    const stop = await h.handle({
      type: 'action.request',
      id: 's',
      action: 'probe.stop',
      params: { probeId: 'p4' },
    });
    expect(stop.ok).toBe(true);
    expect(batches().at(-1)?.final).toBe(true);
    const mo = handler([]);
    expect((await mo.h.handle(run('p5', 1000))).error?.code).toBe('not_permitted');
  });
});
