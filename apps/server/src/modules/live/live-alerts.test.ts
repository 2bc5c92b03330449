import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveToBrowserCodec, type LiveAlerts } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { agent, connect, hello, login, snapshot, testConfig } from '../../testing/test-app';

describe('alert lists over the live feed', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      alerts: { holdMs: 0, startupGraceMs: 0 },
    });
    await app.ready();
  }, 30_000);
  afterEach(() => app.close());

  it('sends the lists on join and again when an alert fires, worded with its rule ID', async () => {
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    const first = (await live.next((m) => m['type'] === 'alerts')) as unknown as LiveAlerts;
    expect(first.active.map((a) => a.rule)).not.toContain('AGENT_OFFLINE');
    lb1.ws.terminate();
    const fired = (await live.next(
      (m) =>
        m['type'] === 'alerts' &&
        (m as unknown as LiveAlerts).active.some((a) => a.rule === 'AGENT_OFFLINE'),
      5000,
    )) as unknown as LiveAlerts;
    const alert = fired.active.find((a) => a.rule === 'AGENT_OFFLINE');
    expect(alert).toMatchObject({ code: 'AO-1', args: { node: 'lb1' }, cluster: 'lab' });
    expect(liveToBrowserCodec.check(fired).ok).toBe(true);
  });
});
