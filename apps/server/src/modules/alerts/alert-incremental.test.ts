import Database from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding, StatusCluster } from '@keepwatch/shared';
import { migrate } from '../../plugins/db-migrations';
import type { Repositories } from '../../storage/repositories';
import { sqlRepositories } from '../../storage/sql-repositories';
import { sqliteDriver, type SqlDriver, type TxStep } from '../../storage/sql-driver';
import { AlertService, DEFAULT_TUNING, type AlertTuning, type StatusSource } from './alert-service';

/*
 * SPEC.md AL-*: what an evaluation looks at, from a fake status and a real (in-memory) table
 * behind the storage contract; the driver records every statement it runs.
 */

/** A driver that records the SQL of every statement, inside transactions too. */
function recording(inner: SqlDriver, seen: string[]): SqlDriver {
  return {
    dialect: inner.dialect,
    all: (sql, params) => (seen.push(sql), inner.all(sql, params)),
    get: (sql, params) => (seen.push(sql), inner.get(sql, params)),
    run: (sql, params) => (seen.push(sql), inner.run(sql, params)),
    transaction: (body) =>
      inner.transaction(function* () {
        const gen = body();
        let step = gen.next();
        while (!step.done) {
          const s: TxStep = step.value;
          if (s.kind !== 'lock') seen.push(s.sql);
          step = gen.next(yield s);
        }
        return step.value;
      }),
  };
}

const quiet = { warn() {}, info() {}, error() {} } as unknown as FastifyBaseLogger;

const finding = (rule: string, nodes: string[] = []): Finding => ({
  rule,
  severity: 'critical',
  message: `${rule} on ${nodes.join(', ') || 'the cluster'}`,
  nodes,
});

function cluster(id: string, findings: Finding[], online = true): StatusCluster {
  return {
    id,
    name: id,
    verdict: findings.length > 0 ? 'critical' : 'healthy',
    findings,
    vips: [],
    nodes: ['lb1', 'lb2'].map((name) => ({ name, online }) as StatusCluster['nodes'][number]),
  } as StatusCluster;
}

/** A status source that counts which clusters were read. */
class FakeStatus implements StatusSource {
  readonly map = new Map<string, StatusCluster>();
  readonly reads: string[] = [];
  set(c: StatusCluster): void {
    this.map.set(c.id, c);
  }
  clusterIds(): string[] {
    return [...this.map.keys()].sort();
  }
  cluster(id: string): StatusCluster | undefined {
    this.reads.push(id);
    return this.map.get(id);
  }
}

describe('incremental alert evaluation', () => {
  let db: Database.Database;
  let repos: Repositories;
  let statements: string[];
  let status: FakeStatus;
  let clock: number;
  const tuning: AlertTuning = { ...DEFAULT_TUNING, holdMs: 0, startupGraceMs: 0 };
  const service = (t: Partial<AlertTuning> = {}): Promise<AlertService> =>
    AlertService.open(repos, status, () => clock, { ...tuning, ...t }, quiet);
  /** "cluster|RULE firing|resolved@t" per stored alert, oldest first. */
  const alerts = (): string[] =>
    rows().map(
      (r) =>
        `${r.key.split('|').slice(0, 2).join('|')} ${r.resolvedAt === null ? 'firing' : `resolved@${r.resolvedAt}`}`,
    );
  const rows = () =>
    db.prepare('SELECT key, resolved_at AS resolvedAt FROM alerts ORDER BY id').all() as {
      key: string;
      resolvedAt: number | null;
    }[];

  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    statements = [];
    repos = sqlRepositories(recording(sqliteDriver(db), statements));
    status = new FakeStatus();
    clock = 1_000_000;
  });

  it('AL-2: a change in cluster A never reads, observes or plans cluster B', async () => {
    status.set(cluster('a', []));
    status.set(cluster('b', [finding('SPLIT_BRAIN')]));
    const s = await service();
    await s.evaluate();
    expect(alerts()).toEqual(['b|SPLIT_BRAIN firing']);
    const held = vi.fn((_c: string, _n: readonly string[]) => false);
    s.held = held;
    status.reads.length = 0;
    // b's finding clears, but only a is said to have changed: b is not looked at.
    status.set(cluster('a', [finding('NO_MASTER')]));
    status.set(cluster('b', []));
    await s.evaluate(['a']);
    expect(new Set(status.reads)).toEqual(new Set(['a']));
    expect(held.mock.calls.every(([c]) => c === 'a')).toBe(true);
    expect(alerts()).toEqual(['b|SPLIT_BRAIN firing', 'a|NO_MASTER firing']);
    await s.evaluate(['b']);
    expect(alerts()).toEqual([`b|SPLIT_BRAIN resolved@${clock}`, 'a|NO_MASTER firing']);
  });

  it('AL-2: a cluster that is gone resolves its alerts', async () => {
    status.set(cluster('a', [finding('NO_MASTER')]));
    const s = await service();
    await s.evaluate(['a']);
    status.map.delete('a');
    await s.evaluate(['a']);
    expect(alerts()).toEqual([`a|NO_MASTER resolved@${clock}`]);
  });

  it('AL-3: evaluations never read the alerts table after the start', async () => {
    status.set(cluster('a', [finding('NO_MASTER')]));
    const s = await service();
    const read = vi.spyOn(repos.alerts, 'active');
    const recent = vi.spyOn(repos.alerts, 'recent');
    const prepare = vi.spyOn(db, 'prepare');
    statements.length = 0;
    for (let i = 0; i < 5; i++) {
      status.set(cluster('a', i % 2 ? [] : [finding('NO_MASTER')]));
      await s.evaluate(['a']);
      await s.tick();
    }
    expect(read).not.toHaveBeenCalled();
    expect(recent).not.toHaveBeenCalled();
    const readsAlerts = (sql: string) => /^\s*SELECT[\s\S]*FROM alerts/i.test(sql);
    expect(prepare.mock.calls.filter(([sql]) => readsAlerts(sql))).toEqual([]);
    // Every statement the driver ran, inside the transactions too: writes only.
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter(readsAlerts)).toEqual([]);
    expect(statements.filter((sql) => /^\s*SELECT/i.test(sql))).toEqual([]);
    // fired, resolved, fired again: three episodes, the last one open.
    expect(rows().map((r) => r.resolvedAt === null)).toEqual([false, false, true]);
  });

  it('AL-3: a failed transaction changes nothing in memory and is retried at the next tick', async () => {
    status.set(cluster('a', [finding('NO_MASTER')]));
    const s = await service();
    const commit = vi.spyOn(repos.alerts, 'commit').mockRejectedValueOnce(new Error('SQLITE_FULL'));
    await expect(s.evaluate(['a'])).rejects.toThrow('SQLITE_FULL');
    expect(rows()).toEqual([]);
    expect(await s.tick()).toBe(true);
    expect(commit).toHaveBeenCalledTimes(2);
    expect(rows()).toHaveLength(1);
    expect(await s.tick()).toBe(false);
  });

  it('AL-5: a restart restores the firing alerts: still observed → not fired again; cleared → resolved', async () => {
    status.set(cluster('a', [finding('NO_MASTER')]));
    status.set(cluster('b', [finding('SPLIT_BRAIN')]));
    await (await service()).evaluate();
    expect(rows()).toHaveLength(2);
    clock += 60_000;
    const again = await service();
    await again.evaluate(['a']);
    expect(rows()).toHaveLength(2);
    status.set(cluster('b', []));
    await again.evaluate(['b']);
    expect(alerts()).toEqual(['a|NO_MASTER firing', `b|SPLIT_BRAIN resolved@${clock}`]);
  });

  it('AL-4: restored offline nodes hold everything back until they are seen online, per cluster', async () => {
    status.set(cluster('a', [finding('NODE_OFFLINE')], false));
    status.set(cluster('b', [], false));
    const s = await service({ startupGraceMs: 15_000 });
    expect(await s.evaluate(['a'])).toBe(false);
    status.set(cluster('a', [finding('SPLIT_BRAIN')]));
    expect(await s.evaluate(['a'])).toBe(false); // b is still waiting
    status.set(cluster('b', []));
    expect(await s.evaluate(['b'])).toBe(true); // grace over: everything evaluated once
    expect(alerts()).toEqual(['a|SPLIT_BRAIN firing']);
  });

  it('AL-6: the tick re-checks a held cluster whose window ended, not the fleet', async () => {
    for (const id of ['a', 'b', 'c']) status.set(cluster(id, []));
    const s = await service();
    await s.evaluate();
    let windowOpen = true;
    s.held = (c) => windowOpen && c === 'a';
    s.heldClusters = () => (windowOpen ? ['a'] : []);
    status.set(cluster('a', [finding('NO_MASTER')]));
    await s.evaluate(['a']);
    expect(rows()).toEqual([]);
    status.reads.length = 0;
    windowOpen = false;
    expect(await s.tick()).toBe(true);
    expect(new Set(status.reads)).toEqual(new Set(['a']));
    expect(rows()).toHaveLength(1);
  });

  it('AL-6: a pending finding fires when its hold ends, by the tick, without a status change', async () => {
    status.set(cluster('a', [finding('NO_MASTER')]));
    const s = await service({ holdMs: 2_000 });
    await s.evaluate(['a']);
    expect(rows()).toEqual([]);
    clock += 2_000;
    expect(await s.tick()).toBe(true);
    expect(rows()).toHaveLength(1);
    void s.idle();
  });

  it('AL-7: extra observers (drills) are their own scope: a cluster evaluation leaves them alone', async () => {
    status.set(cluster('a', []));
    const s = await service();
    s.extraObserved = () => [
      {
        key: 'drill-schedule:1',
        rule: 'DRILL_FAILED',
        severity: 'critical',
        cluster: 'a',
        message: 'x',
      },
    ];
    await s.evaluate();
    expect(rows().map((r) => r.key)).toEqual(['drill-schedule:1']);
    await s.evaluate(['a']);
    expect(rows()).toEqual([{ key: 'drill-schedule:1', resolvedAt: null }]);
    s.extraObserved = () => [];
    await s.tick();
    expect(rows()).toEqual([{ key: 'drill-schedule:1', resolvedAt: clock }]);
  });
});
