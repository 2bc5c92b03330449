import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import type { NewDrill } from '../../storage/drill-repository';
import { testConfig } from '../../testing/test-app';
import { emptyReport } from './drill-plan';
import { leftovers, ownerLease, SCHEDULER_LEASE, type DrillReplica } from './drill-replica';

/* RS-3: which running drills a replica interrupts, and the module doing it at start on one database. */

const alive = (live: string[], id = 'a'): DrillReplica => ({
  id,
  alive: (owner) => Promise.resolve(live.includes(owner)),
});

describe('RS-3 leftovers', () => {
  const running = [
    { id: 'd-single', owner: null },
    { id: 'd-self-old', owner: 'a' },
    { id: 'd-live', owner: 'b' },
    { id: 'd-dead', owner: 'c' },
    { id: 'd-here', owner: 'a' },
  ];
  const here = (id: string) => id === 'd-here';

  it('RS-3: a replica takes a dead owner’s, its own previous process’s and a single server’s, never a live owner’s or its own running one', async () => {
    expect(await leftovers(running, here, alive(['a', 'b']))).toEqual([
      'd-single',
      'd-self-old',
      'd-dead',
    ]);
  });

  it('RS-1: one server (no replica) takes every drill it does not run itself', async () => {
    expect(await leftovers(running, here, undefined)).toEqual([
      'd-single',
      'd-self-old',
      'd-live',
      'd-dead',
    ]);
  });
});

describe('RS-3 on start, two replicas on one database', () => {
  let dir: string | undefined;
  let apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const a of apps) await a.close();
    apps = [];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const drill = (id: string, owner: string | null): NewDrill => ({
    id,
    clusterId: id,
    kind: 'keepalived-stop',
    options: {},
    preflight: null,
    report: emptyReport({ probeIntervalMs: 10, probeTimeoutMs: 200, holdMs: 3000 }),
    startedBy: 'alice',
    scheduleId: null,
    startedAt: Date.now(),
    owner,
  });

  it('RS-3: a replica starting marks the drills of a dead replica interrupted and leaves a live one’s running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-drill-replica-'));
    const open = (id: string) =>
      buildApp({
        config: testConfig({ dataDir: dir }),
        dbPath: join(dir ?? '', 'keepwatch.db'),
        logger: false,
        drills: { replica: { id, leaseTtlMs: 60_000 } },
      });
    const b = await open('replica-b');
    await b.ready();
    apps.push(b);
    // replica-b is alive (its owner lease, held by its module); replica-c died with a drill.
    expect(await b.repos.leases.current(ownerLease('replica-b'), Date.now())).toBeDefined();
    await b.repos.drills.insert(drill('d-live', 'replica-b'));
    await b.repos.drills.insert(drill('d-dead', 'replica-c'));
    const a = await open('replica-a');
    await a.ready();
    apps.push(a);
    expect((await a.repos.drills.get('d-dead'))?.status).toBe('interrupted');
    expect((await a.repos.drills.get('d-live'))?.status).toBe('running');
    const audit = await a.repos.audit.list(10, undefined, { action: 'drill.interrupted' });
    expect(audit.map((e) => e.target)).toEqual(['drill:d-dead']);
    // One scheduler lease between them: the first replica's.
    expect((await a.repos.leases.current(SCHEDULER_LEASE, Date.now()))?.holder).toBe('replica-b');
  });
});
