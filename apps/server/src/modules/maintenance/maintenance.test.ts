import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { adminSession, userWithRole, type Session } from '../auth/auth-test-helpers';
import type { LiveMaintenance } from '@keepwatch/shared';
import { agent, connect, hello, login, snapshot, testConfig } from '../../testing/test-app';

/* Maintenance windows: operator-only writes, audited, and the hold they put on alerts. */

describe('maintenance windows', () => {
  let app: FastifyInstance;
  let admin: Session;
  let clock = 1_700_000_000_000;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      now: () => clock,
      alerts: { startupGraceMs: 0, holdMs: 0 },
    });
    await app.ready();
    admin = await adminSession(app);
  });
  afterEach(() => app.close());

  const create = (s: Session, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: s.bearer, payload });
  const list = async (query = '') =>
    (await app.inject({ url: `/api/v1/maintenance${query}`, headers: admin.bearer })).json<{
      active: { id: number; node: string | null; endsAt: number }[];
      recent: unknown[];
    }>();

  it('an operator opens a window for a time; it is listed, audited, and ends early on request', async () => {
    const res = await create(admin, {
      clusterId: 'lab',
      node: 'lb2',
      durationMinutes: 30,
      reason: 'kernel upgrade',
    });
    expect(res.statusCode).toBe(201);
    const w = res.json<{ id: number; endsAt: number; startsAt: number; createdBy: string }>();
    expect(w.endsAt - w.startsAt).toBe(30 * 60_000);
    expect(w.createdBy).toBe('admin');
    expect((await list('?cluster=lab')).active.map((a) => a.node)).toEqual(['lb2']);
    expect((await list('?cluster=other')).active).toEqual([]);

    clock += 60_000;
    const end = await app.inject({
      method: 'POST',
      url: `/api/v1/maintenance/${w.id}/end`,
      headers: admin.bearer,
    });
    expect(end.statusCode).toBe(200);
    expect(end.json<{ endsAt: number; endedBy: string }>()).toMatchObject({
      endsAt: clock,
      endedBy: 'admin',
    });
    clock += 1;
    expect((await list()).active).toEqual([]);
    expect((await list()).recent).toHaveLength(1);
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/maintenance/${w.id}/end`,
      headers: admin.bearer,
    });
    expect(again.statusCode).toBe(409);
    const actions = (await app.repos.audit.list(10)).map((e) => `${e.action} ${e.target}`);
    expect(actions).toContain('maintenance.start lab/lb2');
    expect(actions).toContain('maintenance.end lab/lb2');
  });

  it('a viewer may read windows but not open one (no button, and the server refuses)', async () => {
    const viewer = await userWithRole(app, 'vera', 'viewer');
    expect(
      (await create(viewer, { clusterId: 'lab', durationMinutes: 5, reason: 'x' })).statusCode,
    ).toBe(403);
    const read = await app.inject({ url: '/api/v1/maintenance', headers: viewer.bearer });
    expect(read.statusCode).toBe(200);
  });

  it('refuses a window without a reason or longer than 7 days', async () => {
    expect(
      (await create(admin, { clusterId: 'lab', durationMinutes: 5, reason: '' })).statusCode,
    ).toBe(400);
    expect(
      (await create(admin, { clusterId: 'lab', durationMinutes: 8 * 24 * 60, reason: 'x' }))
        .statusCode,
    ).toBe(400);
  });

  it('holds the alerts of a cluster in maintenance; they fire once the window ends', async () => {
    const lb1 = await agent(app, hello({}, 'lb1'));
    const lb2 = await agent(app, hello({}, 'lb2'));
    expect(
      (await create(admin, { clusterId: 'lab', durationMinutes: 10, reason: 'drill prep' }))
        .statusCode,
    ).toBe(201);
    lb1.send(snapshot(1, 'MASTER', true));
    lb2.send(snapshot(1, 'MASTER', true));
    await expect
      .poll(() => app.clusterStore.cluster('lab')?.findings.some((f) => f.rule === 'SPLIT_BRAIN'))
      .toBe(true);
    await app.alerts.evaluate();
    expect(await app.repos.alerts.active()).toEqual([]);

    clock += 10 * 60_000;
    await app.alerts.evaluate();
    expect((await app.repos.alerts.active()).map((a) => a.rule)).toContain('SPLIT_BRAIN');
    lb1.ws.close();
    lb2.ws.close();
  });

  it('a window on one host holds findings about that host only, while it is open', async () => {
    const store = app.maintenance;
    await store.create(
      {
        clusterId: 'lab',
        node: 'lb2',
        startsAt: clock,
        endsAt: clock + 60_000,
        reason: 'r',
        createdBy: 'admin',
        createdAt: clock,
      },
      clock,
    );
    expect(store.holds('lab', ['lb2'], clock)).toBe(true);
    expect(store.holds('lab', ['lb1', 'lb2'], clock)).toBe(false);
    expect(store.holds('lab', [], clock)).toBe(false);
    expect(store.holds('other', ['lb2'], clock)).toBe(false);
    expect(store.holds('lab', ['lb2'], clock + 60_000)).toBe(false);
  });

  it('the live feed carries the windows on join and again when one is opened and ended', async () => {
    const live = await connect(app, `/api/v1/live?token=${await login(app)}`);
    const isMaint = (m: Record<string, unknown>) => m['type'] === 'maintenance';
    const first = (await live.next(isMaint)) as unknown as LiveMaintenance;
    expect(first.active).toEqual([]);
    const w = (
      await create(admin, { clusterId: 'lab', node: 'lb2', durationMinutes: 5, reason: 'r' })
    ).json<{ id: number }>();
    const opened = (await live.next(
      (m) => isMaint(m) && (m as unknown as LiveMaintenance).active.length === 1,
    )) as unknown as LiveMaintenance;
    expect(opened.active[0]).toMatchObject({ id: w.id, clusterId: 'lab', node: 'lb2' });
    const count = live.messages.filter(isMaint).length;
    await app.inject({
      method: 'POST',
      url: `/api/v1/maintenance/${w.id}/end`,
      headers: admin.bearer,
    });
    const ended = (await live.next(
      (m) => isMaint(m) && live.messages.filter(isMaint).indexOf(m) >= count,
    )) as unknown as LiveMaintenance;
    expect(ended.active).toEqual([]);
    live.ws.close();
  });
});
