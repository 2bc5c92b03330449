import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillPreflight } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { LocalChangeFeed } from '../../storage/change-feed';
import { testConfig } from '../../testing/test-app';
import { fakeCluster, type FakeClusterOptions } from './drill-test-agents';

/*
 * Preflight across replicas (SPEC.md PF-5, PF-7; preflight-replica.ts): two whole servers
 * (buildApp) on one SQLite file in WAL mode and one in-process change feed, as
 * modules/status/replicas.test.ts. The drill cluster's four agents are connected to B; a
 * drill's preflight at A must pass or fail exactly as at B: same checks, same texts. Waits are
 * on A's view, bounded.
 */

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function replicas(): Promise<{ a: FastifyInstance; b: FastifyInstance }> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-pf-replicas-'));
  dirs.push(dir);
  const feed = new LocalChangeFeed();
  const start = async (id: string): Promise<FastifyInstance> => {
    const app = await buildApp({
      config: testConfig({ port: 0 }),
      dbPath: join(dir, 'keepwatch.db'),
      logger: false,
      replica: { id, feed },
    });
    apps.push(app);
    await app.ready();
    return app;
  };
  return { a: await start('A'), b: await start('B') };
}

async function until(pred: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The cluster's agents at B, and A's view of them: online, snapshots applied, offsets known. */
async function clusterAtB(opts: FakeClusterOptions = {}) {
  const { a, b } = await replicas();
  const fake = await fakeCluster(b, opts);
  const ready = (app: FastifyInstance): boolean => {
    const c = app.clusterStore.cluster('lab');
    return (
      c?.nodes.length === 4 &&
      c.nodes.every((n) => n.online && n.clockOffsetMs !== null) &&
      c.vips[0]?.holders.length === 1
    );
  };
  await until(() => ready(b), 'the cluster ready at B');
  await until(() => ready(a), 'the cluster ready at A');
  return { a, b, fake };
}

const failed = (pf: DrillPreflight) => pf.checks.filter((c) => !c.ok);
/** The failed checks as id, host and English text. */
const refusals = (pf: DrillPreflight) => failed(pf).map((c) => [c.id, c.node, c.text.en]);

describe('drill preflight across replicas', () => {
  it('PF-5, PF-7: agents at B that grant drills, clocks measured at B: the preflight at A passes as at B', async () => {
    const { a, b } = await clusterAtB();
    const atB = b.drills.preflight('lab', 'nginx-outage', { probeFrom: 'web1' });
    const atA = a.drills.preflight('lab', 'nginx-outage', { probeFrom: 'web1' });
    expect(failed(atB)).toEqual([]);
    expect(failed(atA)).toEqual([]);
    expect(atA).toEqual(atB);
    // The runner's offsets come from the same view: B's measurements (+ 0: B's store may hold -0).
    const offsets = (app: FastifyInstance) =>
      ['lb1', 'lb2', 'web1', 'web2'].map(
        (n) => (app.clusterStore.nodeView('lab', n)?.clockOffsetMs ?? NaN) + 0,
      );
    expect(offsets(a)).toEqual(offsets(b));
  });

  it('PF-5: a monitor-only agent at B is refused at A, named with the fix, as at B', async () => {
    const { a, b } = await clusterAtB({ control: { web1: ['config'] } });
    const atB = b.drills.preflight('lab', 'nginx-outage', { probeFrom: 'web1' });
    const atA = a.drills.preflight('lab', 'nginx-outage', { probeFrom: 'web1' });
    expect(refusals(atB)).toEqual([
      [
        'PF-5',
        'web1',
        'web1 cannot take part: it is monitor-only for drills (control: config); grant "drills" in its agent config',
      ],
    ]);
    expect(atA).toEqual(atB);
    const started = await a.drills.start('lab', 'nginx-outage', { probeFrom: 'web1' }, 'admin');
    expect(started).toMatchObject({ ok: false, code: 422 });
  });

  it('PF-7: an agent at B whose clock is 900 ms ahead is refused at A with B offset', async () => {
    const { a, b } = await clusterAtB({ skewMs: { lb2: 900 } });
    const atB = b.drills.preflight('lab', 'nginx-outage', {});
    const atA = a.drills.preflight('lab', 'nginx-outage', {});
    const [refusal, ...others] = refusals(atB);
    expect(others).toEqual([]);
    expect(refusal?.slice(0, 2)).toEqual(['PF-7', 'lb2']);
    expect(refusal?.[2]).toMatch(/^lb2: clock off by (89\d|90\d) ms \(limit 200 ms\)$/);
    expect(atA).toEqual(atB);
  });
});
