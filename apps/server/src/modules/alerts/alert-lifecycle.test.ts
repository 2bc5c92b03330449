import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { VIP, agent, hello, login, snapshot, testConfig } from '../../testing/test-app';
import type { AlertTuning } from './alert-service';
import { startHttpReceiver, type Captured, type HttpReceiver } from './test-receivers';

/* Firing → resolved through a real webhook receiver, deduplication, retries and a restart. */

const FAST: Partial<AlertTuning> = {
  startupGraceMs: 0,
  holdMs: 0,
  backoff: { baseMs: 100, maxMs: 1000, maxAttempts: 5 },
};

type Notice = { event: string; alert: { rule: string; message: string } };
const notice = (c: Captured): Notice => c.json as Notice;

async function start(
  http: HttpReceiver,
  dbPath = ':memory:',
  tuning = FAST,
): Promise<{ app: FastifyInstance; auth: Record<string, string> }> {
  const app = await buildApp({
    config: testConfig({ port: 0 }),
    dbPath,
    logger: false,
    alerts: tuning,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const auth = { authorization: `Bearer ${await login(app)}` };
  return { app, auth };
}

async function addWebhook(
  app: FastifyInstance,
  auth: Record<string, string>,
  http: HttpReceiver,
): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/alerts/channels',
    headers: auth,
    payload: { name: 'hook', type: 'webhook', config: { url: `${http.url}/hook` } },
  });
  expect(res.statusCode).toBe(201);
}

/** lb1 and lb2 both hold the VIP: SPLIT_BRAIN. */
async function splitBrain(app: FastifyInstance) {
  const lb1 = await agent(app, hello({}, 'lb1'));
  const lb2 = await agent(app, hello({}, 'lb2'));
  lb1.send(snapshot(1, 'MASTER', true));
  lb2.send(snapshot(1, 'MASTER', true));
  return { lb1, lb2 };
}

const splitBrainFiring = (c: Captured): boolean =>
  notice(c).event === 'firing' && notice(c).alert.rule === 'SPLIT_BRAIN';

describe('alert lifecycle', () => {
  let http: HttpReceiver;
  const apps: FastifyInstance[] = [];
  beforeEach(async () => {
    http = await startHttpReceiver();
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    await http.close();
  });

  it('the startup grace does not hide an agent that was online since start and then dropped', async () => {
    const { app, auth } = await start(http, ':memory:', { ...FAST, startupGraceMs: 60_000 });
    apps.push(app);
    await addWebhook(app, auth, http);
    const lb1 = await agent(app, hello({}, 'lb1'));
    const lb2 = await agent(app, hello({}, 'lb2'));
    lb1.send(snapshot(1, 'MASTER', true));
    lb2.send(snapshot(1, 'BACKUP', false));
    await lb2.next((m) => m['type'] === 'ack');
    lb2.ws.close();
    const offline = await http.waitFor(
      (c) => notice(c).event === 'firing' && notice(c).alert.rule === 'AGENT_OFFLINE',
      5000,
    );
    expect(notice(offline).alert.message).toContain('lb2');
  });

  it('fires once per key while the finding lasts and resolves when it clears', async () => {
    const { app, auth } = await start(http);
    apps.push(app);
    await addWebhook(app, auth, http);
    const { lb2 } = await splitBrain(app);
    const firing = await http.waitFor(splitBrainFiring);
    expect(notice(firing).alert.message).toBe(`split brain: ${VIP} is held by lb1 and lb2`);
    // More status changes while it lasts: no second firing notice for the same alert.
    lb2.send({
      type: 'service.health',
      seq: 2,
      ts: 2,
      service: 'nginx',
      health: { healthy: true, checkedAt: 2 },
    });
    lb2.send(snapshot(3, 'BACKUP', false));
    const resolved = await http.waitFor(
      (c) => notice(c).event === 'resolved' && notice(c).alert.rule === 'SPLIT_BRAIN',
    );
    expect(http.got.filter(splitBrainFiring)).toHaveLength(1);
    expect(resolved.at).toBeGreaterThanOrEqual(firing.at);
    const list = (await app.inject({ url: '/api/v1/alerts', headers: auth })).json<{
      active: { rule: string }[];
      recent: { rule: string; resolvedAt: number }[];
    }>();
    expect(list.active.map((a) => a.rule)).not.toContain('SPLIT_BRAIN');
    expect(list.recent.find((a) => a.rule === 'SPLIT_BRAIN')?.resolvedAt).toBeGreaterThan(0);
  });

  it('retries with backoff: 500, 500, then 200 → delivered once, 3 attempts recorded', async () => {
    const { app, auth } = await start(http);
    apps.push(app);
    await addWebhook(app, auth, http);
    http.failNext(500, 500);
    await splitBrain(app);
    await http.waitFor(splitBrainFiring, 5000);
    expect(http.got.filter(splitBrainFiring)).toHaveLength(1);
    // The receiver records the body before the server has read the answer: poll the row.
    const row = () =>
      app.db
        .prepare(
          "SELECT d.status, d.attempts, d.last_error FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.rule = 'SPLIT_BRAIN' AND d.event = 'firing'",
        )
        .get() as { status: string; attempts: number; last_error: string | null };
    await expect
      .poll(row, { timeout: 2000 })
      .toEqual({ status: 'sent', attempts: 3, last_error: null });
    expect(http.got.filter(splitBrainFiring)).toHaveLength(1);
  });

  it('a delivery pending at shutdown is sent by the next server on the same database, without re-firing', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'kw-alerts-')), 'keepwatch.db');
    const first = await start(http, dbPath, {
      ...FAST,
      backoff: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5 },
    });
    await addWebhook(first.app, first.auth, http);
    http.failNext(503);
    await splitBrain(first.app);
    const pending = (): { status: string; attempts: number } | undefined =>
      first.app.db
        .prepare("SELECT status, attempts FROM alert_deliveries WHERE event = 'firing'")
        .get() as { status: string; attempts: number } | undefined;
    await expect.poll(pending, { timeout: 3000 }).toEqual({ status: 'pending', attempts: 1 });
    await first.app.close();

    // Next attempt is due in 60 s on the old clock: the restarted server runs 61 s later.
    const later = () => Date.now() + 61_000;
    const second = await buildApp({
      config: testConfig(),
      dbPath,
      logger: false,
      now: later,
      alerts: { ...FAST, startupGraceMs: 30_000 },
    });
    apps.push(second);
    await second.ready();
    const delivered = await http.waitFor(splitBrainFiring, 5000);
    expect(notice(delivered).alert.rule).toBe('SPLIT_BRAIN');
    const rows = () =>
      second.db.prepare('SELECT event, status, attempts FROM alert_deliveries ORDER BY id').all();
    await expect
      .poll(rows, { timeout: 2000 })
      .toEqual([{ event: 'firing', status: 'sent', attempts: 2 }]);
    const alerts = second.db.prepare('SELECT rule, resolved_at FROM alerts').all();
    expect(alerts).toEqual([{ rule: 'SPLIT_BRAIN', resolved_at: null }]);
  });
});
