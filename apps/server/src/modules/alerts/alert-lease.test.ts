import type { FastifyBaseLogger } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding, StatusCluster } from '@keepwatch/shared';
import { postgresBackend, sqliteBackend } from '../../storage/contract-backends';
import { LeaseKeeper } from '../../storage/lease-keeper';
import type { Repositories } from '../../storage/repositories';
import { AlertService, DEFAULT_TUNING, type StatusSource } from './alert-service';
import { startHttpReceiver, type HttpReceiver } from './test-receivers';

/*
 * SPEC AL-9: two alert services on one store, as two server replicas are, each holding the
 * alert-evaluation lease in turn (fake clock). The finding is seen by both; the alert fires
 * once, is not fired again by the replica that takes over, and resolves once: counted in the
 * table and at a real webhook receiver. On SQLite and on a real PostgreSQL.
 */

const quiet = { warn() {}, info() {}, error() {} } as unknown as FastifyBaseLogger;
const TTL = 3_000;
const tuning = { ...DEFAULT_TUNING, holdMs: 0, startupGraceMs: 0 };

const split: Finding = {
  rule: 'SPLIT_BRAIN',
  severity: 'critical',
  message: 'lb1 and lb2 both hold 10.0.0.100',
  nodes: ['lb1', 'lb2'],
};

class OneCluster implements StatusSource {
  findings: Finding[] = [split];
  clusterIds(): string[] {
    return ['c1'];
  }
  cluster(id: string): StatusCluster | undefined {
    if (id !== 'c1') return undefined;
    const nodes = ['lb1', 'lb2'].map((name) => ({ name, online: true }));
    return {
      id,
      name: id,
      verdict: 'critical',
      findings: this.findings,
      vips: [],
      nodes,
    } as unknown as StatusCluster;
  }
}

describe.each([sqliteBackend(), postgresBackend()])('AL-9 alert lease on $name', (backend) => {
  let repos: Repositories;
  let http: HttpReceiver;
  let clock: number;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    repos = await backend.fresh();
    http = await startHttpReceiver();
    clock = 1_000_000;
    await repos.alertChannels.create(
      { name: 'hook', type: 'webhook', config: { url: `${http.url}/hook` } },
      clock,
    );
  });
  afterEach(() => http.close());

  const keeper = (holder: string) =>
    new LeaseKeeper({
      repo: repos.leases,
      name: 'alert-evaluation',
      holder,
      ttlMs: TTL,
      now: () => clock,
    });
  const replica = (status: StatusSource, lease: LeaseKeeper) =>
    AlertService.open(repos, status, () => clock, tuning, quiet, lease);

  it('AL-9: the holder fires once, the replica taking over neither fires again nor misses the resolve', async () => {
    const [statusA, statusB] = [new OneCluster(), new OneCluster()];
    const [leaseA, leaseB] = [keeper('replica-a'), keeper('replica-b')];
    expect(await leaseA.tick()).toBe(true);
    expect(await leaseB.tick()).toBe(false);
    const a = await replica(statusA, leaseA);
    const b = await replica(statusB, leaseB);

    // Both see the split brain; only A evaluates.
    expect(await a.evaluate()).toBe(true);
    expect(await b.evaluate()).toBe(false);
    expect(await b.tick()).toBe(false);
    expect((await repos.alerts.active()).map((x) => x.rule)).toEqual(['SPLIT_BRAIN']);
    expect(b.list().active).toEqual([]);

    // A dies (no more renewals); once its lease expired, B takes it over.
    clock += TTL + 1;
    expect(await leaseB.tick()).toBe(true);
    expect(await b.tick()).toBe(false); // reads A's alert: already firing, nothing to fire
    expect(b.list().active.map((x) => x.rule)).toEqual(['SPLIT_BRAIN']);
    expect(await repos.alerts.active()).toHaveLength(1);

    // The split brain heals: B resolves it; A, lease gone by its own clock, writes nothing.
    statusA.findings = [];
    statusB.findings = [];
    clock += 1_000;
    expect(await a.evaluate()).toBe(false);
    expect(await b.evaluate()).toBe(true);
    expect(await repos.alerts.active()).toEqual([]);
    const resolved = await repos.alerts.recent(10);
    expect(resolved.map((x) => [x.rule, x.resolvedAt])).toEqual([['SPLIT_BRAIN', clock]]);

    await Promise.all([a.idle(), b.idle()]);
    await http.waitFor((c) => (c.json as { event: string }).event === 'resolved');
    expect(http.got.map((c) => (c.json as { event: string }).event)).toEqual([
      'firing',
      'resolved',
    ]);
  });

  it('AL-9: a holder that lost the lease drops its pending findings; regaining it reads the table again', async () => {
    const status = new OneCluster();
    const lease = keeper('replica-a');
    const other = keeper('replica-b');
    await lease.tick();
    const a = await replica(status, lease);
    clock += TTL + 1;
    expect(await other.tick()).toBe(true);
    // B fires while A is without the lease (B's own service is not needed to write the row).
    const b = await replica(new OneCluster(), other);
    expect(await b.evaluate()).toBe(true);
    expect(await a.evaluate()).toBe(false);
    expect(a.list().active).toEqual([]);
    // B stops cleanly; A takes the lease back and sees B's alert before evaluating.
    await other.release();
    expect(await lease.tick()).toBe(true);
    expect(await a.evaluate()).toBe(false);
    expect(a.list().active.map((x) => x.rule)).toEqual(['SPLIT_BRAIN']);
    expect(await repos.alerts.active()).toHaveLength(1);
    await Promise.all([a.idle(), b.idle()]);
  });
});
