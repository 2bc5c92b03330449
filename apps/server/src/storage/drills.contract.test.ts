import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emptyReport } from '../modules/drills/drill-plan';
import { postgresBackend, sqliteBackend } from './contract-backends';
import { drillRow } from '../testing/drill-rows';
import type { NewDrill, NewDrillSchedule } from './drill-repository';
import type { Repositories } from './repositories';

/* The drills part of the storage contract (drill-repository.ts), on SQLite and a real PostgreSQL. */

const T0 = 1_800_000_000_000;

const drill = (id: string, clusterId: string, startedAt = T0): NewDrill =>
  drillRow(id, clusterId, null, { startedAt });

const schedule: NewDrillSchedule = {
  clusterId: 'lab',
  kind: 'nginx-outage',
  options: { holdMs: 5000 },
  cron: '0 3 * * *',
  timezone: 'Asia/Shanghai',
  window: { start: '02:00', end: '04:00', days: [1, 2] },
  enabled: true,
};

describe.each([sqliteBackend(), postgresBackend()])('drills contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('insert stores a running drill; update and get read it back (JSON, numbers as numbers)', async () => {
    expect(await r.drills.insert(drill('dr-1', 'lab'))).toEqual({ ok: true });
    const report = { ...emptyReport({ probeIntervalMs: 10, probeTimeoutMs: 200, holdMs: 3000 }) };
    report.faultAt = T0 + 1500;
    report.downtimeMs = 652.5;
    report.failedRequests = 61;
    await r.drills.update('dr-1', {
      status: 'passed',
      phase: 'done',
      report,
      endedAt: T0 + 9000,
      error: null,
    });
    const d = await r.drills.get('dr-1');
    expect(d).toMatchObject({
      id: 'dr-1',
      clusterId: 'lab',
      kind: 'keepalived-stop',
      status: 'passed',
      phase: 'done',
      startedBy: 'alice',
      scheduleId: null,
      startedAt: T0,
      endedAt: T0 + 9000,
      downtimeMs: 652.5,
      failedRequests: 61,
      options: { holdMs: 3000 },
      preflight: null,
    });
    expect(d?.report.faultAt).toBe(T0 + 1500);
    expect(await r.drills.get('dr-2')).toBeUndefined();
  });

  it('list: newest first, by cluster, limited; a running drill shows no figures', async () => {
    await r.drills.insert(drill('dr-a', 'lab', T0));
    await r.drills.update('dr-a', { status: 'failed' });
    await r.drills.insert(drill('dr-b', 'lab', T0 + 2000));
    await r.drills.update('dr-b', { status: 'passed' });
    await r.drills.insert(drill('dr-c', 'edge', T0 + 1000));
    await r.drills.insert(drill('dr-d', 'lab', T0 + 3000));
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    expect(ids(await r.drills.list(undefined, 50))).toEqual(['dr-d', 'dr-b', 'dr-c', 'dr-a']);
    expect(ids(await r.drills.list('lab', 2))).toEqual(['dr-d', 'dr-b']);
    const [running] = await r.drills.list('lab', 1);
    expect(running).toMatchObject({ status: 'running', downtimeMs: null, failedRequests: null });
    expect(await r.drills.clusterIds()).toEqual(['edge', 'lab']);
    expect(await r.drills.running()).toEqual([
      { id: 'dr-c', owner: null },
      { id: 'dr-d', owner: null },
    ]);
    await r.drills.insert({ ...drill('dr-e', 'core'), owner: 'replica-b' });
    expect((await r.drills.running()).find((d) => d.id === 'dr-e')).toEqual({
      id: 'dr-e',
      owner: 'replica-b',
    });
  });

  it('RS-2: a second running drill of a cluster is refused naming the first; other clusters are free', async () => {
    await r.drills.insert(drill('dr-1', 'lab'));
    expect(await r.drills.insert(drill('dr-2', 'lab'))).toEqual({
      ok: false,
      holder: { kind: 'drill', id: 'dr-1', by: 'alice', owner: null },
    });
    expect(await r.drills.insert(drill('dr-3', 'edge'))).toEqual({ ok: true });
    await r.drills.update('dr-1', { status: 'aborted' });
    expect(await r.drills.insert(drill('dr-4', 'lab'))).toEqual({ ok: true });
    expect(await r.drills.get('dr-2')).toBeUndefined();
  });

  it('RS-2: four replicas starting a drill on one cluster at once store exactly one', async () => {
    // Repeated: one round can serialise by luck; the lock must hold every time.
    for (let round = 0; round < 5; round++) {
      const cluster = `race-${round}`;
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => r.drills.insert(drill(`dr-${round}-${n}`, cluster))),
      );
      expect(results.filter((x) => x.ok)).toHaveLength(1);
      expect((await r.drills.list(cluster, 10)).map((d) => d.status)).toEqual(['running']);
    }
  });

  it('interrupt: only the listed drills still running, with the reason; the ids it changed', async () => {
    await r.drills.insert(drill('dr-1', 'lab'));
    await r.drills.insert(drill('dr-2', 'edge'));
    await r.drills.insert(drill('dr-3', 'core'));
    await r.drills.update('dr-3', { status: 'passed' });
    expect(await r.drills.interrupt(['dr-1', 'dr-3', 'dr-9'], T0 + 5, 'gone')).toEqual(['dr-1']);
    expect(await r.drills.get('dr-1')).toMatchObject({
      status: 'interrupted',
      endedAt: T0 + 5,
      error: 'gone',
    });
    expect((await r.drills.get('dr-3'))?.status).toBe('passed');
    expect(await r.drills.running()).toEqual([{ id: 'dr-2', owner: null }]);
  });

  it('RS-4: a drill marked interrupted stays so; a late save of its cut-off runner changes nothing', async () => {
    await r.drills.insert(drill('dr-1', 'lab'));
    expect(await r.drills.interrupt(['dr-1'], T0 + 5, 'owner gone')).toEqual(['dr-1']);
    await r.drills.update('dr-1', { status: 'passed', phase: 'done', endedAt: T0 + 9 });
    expect(await r.drills.get('dr-1')).toMatchObject({
      status: 'interrupted',
      endedAt: T0 + 5,
      error: 'owner gone',
    });
    expect(await r.drills.running()).toEqual([]);
  });

  it('lastProven: the newest passed drill of the kinds per cluster', async () => {
    const put = async (id: string, cluster: string, at: number, status: 'passed' | 'failed') => {
      await r.drills.insert({ ...drill(id, cluster, at), kind: 'nginx-outage' });
      await r.drills.update(id, { status });
    };
    await put('dr-1', 'lab', T0, 'passed');
    await put('dr-2', 'lab', T0 + 10, 'passed');
    await put('dr-3', 'lab', T0 + 20, 'failed');
    await put('dr-4', 'edge', T0 + 5, 'passed');
    await r.drills.insert({ ...drill('dr-5', 'core', T0), kind: 'backend-outage' });
    await r.drills.update('dr-5', { status: 'passed' });
    const proven = await r.drills.lastProven(['nginx-outage', 'keepalived-stop']);
    expect(Object.fromEntries(proven)).toEqual({
      lab: { at: T0 + 10, kind: 'nginx-outage', id: 'dr-2' },
      edge: { at: T0 + 5, kind: 'nginx-outage', id: 'dr-4' },
    });
  });

  it('schedules: create, get, list, replace keeps the run record, ran/result, delete', async () => {
    const s = await r.drillSchedules.create(schedule, 'alice', T0);
    expect(s).toEqual({
      id: expect.any(Number) as number,
      ...schedule,
      createdBy: 'alice',
      createdAt: T0,
      lastRunAt: null,
      lastDrillId: null,
      lastResult: null,
    });
    expect(await r.drillSchedules.get(s.id)).toEqual(s);
    await r.drillSchedules.ran(s.id, T0 + 60_000, 'dr-1', 'running');
    await r.drillSchedules.result(s.id, 'passed');
    const replaced = await r.drillSchedules.replace(s.id, {
      ...schedule,
      cron: '*/5 * * * *',
      enabled: false,
    });
    expect(replaced).toMatchObject({
      cron: '*/5 * * * *',
      enabled: false,
      lastRunAt: T0 + 60_000,
      lastDrillId: 'dr-1',
      lastResult: 'passed',
    });
    expect(await r.drillSchedules.replace(s.id + 99, schedule)).toBeUndefined();
    const t = await r.drillSchedules.create(schedule, 'bob', T0 + 1);
    expect((await r.drillSchedules.list()).map((x) => x.id)).toEqual([s.id, t.id]);
    expect(await r.drillSchedules.delete(s.id)).toBe(true);
    expect(await r.drillSchedules.delete(s.id)).toBe(false);
    expect(await r.drillSchedules.get(s.id)).toBeUndefined();
  });

  it('SC-5: claimRun is a compare-and-set on the last run; of four replicas claiming one run, one wins', async () => {
    const s = await r.drillSchedules.create(schedule, 'alice', T0);
    expect(await r.drillSchedules.claimRun(s.id, T0, T0 + 1, 'starting')).toBe(false);
    expect(await r.drillSchedules.claimRun(s.id, null, T0 + 1, 'starting')).toBe(true);
    expect(await r.drillSchedules.get(s.id)).toMatchObject({
      lastRunAt: T0 + 1,
      lastDrillId: null,
      lastResult: 'starting',
    });
    const won = await Promise.all(
      [1, 2, 3, 4].map(() => r.drillSchedules.claimRun(s.id, T0 + 1, T0 + 2, 'starting')),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await r.drillSchedules.claimRun(s.id + 99, null, T0, 'starting')).toBe(false);
  });
});
