import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillsApi, independentClient, type DrillsApi } from './drills-lab';
import { startStack, type Stack } from './stack';
import { holdersOf, serviceHealthy, vrrpStateOf } from './status-queries';

/*
 * The probe on a chosen agent (issue 8: "production servers often cannot reach the VIP"),
 * proven on the real lab: the server's own namespace is cut off from the VIP (a blackhole
 * route, undone in afterAll), an nginx-outage drill runs with `probeFrom: web1`, and its
 * report must come from web1's probe: a server-side probe could not have seen one good
 * request. The independent client (drills-lab.ts: its own process, no product code) runs in web2's
 * namespace in the same run; the reported downtime must agree with it within ±100 ms.
 */
const PREFIX = 'kwpx';
const SUBNET = '10.111.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;

let stack: Stack;
let drills: DrillsApi;
let routeAdded = false;
const figures: string[] = [];

/** Can this process (the server's namespace) open a connection to the VIP within 300 ms? */
async function serverReachesVip(): Promise<boolean> {
  try {
    const r = await fetch(`http://${VIP}/`, { signal: AbortSignal.timeout(300) });
    return r.ok;
  } catch {
    return false;
  }
}

/** The report's longest failure run's edges minus the client's, ms (for the figures). */
function edgesOf(samples: readonly (readonly unknown[])[], client: [number, number]): string {
  const sorted = samples
    .map((x) => [Number(x[0]), x[2] === 200] as const)
    .sort((a, b) => a[0] - b[0]);
  let best = 0;
  let edges = [0, 0];
  let from: number | null = null;
  for (const [t, ok] of sorted) {
    if (!ok) from ??= t;
    else if (from !== null) {
      if (t - from > best) {
        best = t - from;
        edges = [from, t];
      }
      from = null;
    }
  }
  return `${Math.round((edges[0] ?? 0) - client[0])} ms, first good after ${Math.round((edges[1] ?? 0) - client[1])} ms`;
}

describe('drill probe on a chosen agent, on the real lab', () => {
  beforeAll(async () => {
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET, control: () => ['drills'] });
    drills = drillsApi(() => stack);
    await stack.live.waitFor(
      'lab steady (VIP on lb1 only, nginx and Tomcat up)',
      (s) =>
        holdersOf(s, CLUSTER, VIP).join() === 'lb1' &&
        vrrpStateOf(s, CLUSTER, 'lb2') === 'BACKUP' &&
        ['lb1', 'lb2'].every((n) => serviceHealthy(s, CLUSTER, n, 'nginx') === true) &&
        ['web1', 'web2'].every((n) => serviceHealthy(s, CLUSTER, n, 'tomcat') === true),
      30_000,
    );
  });

  afterAll(async () => {
    if (routeAdded) execFileSync('ip', ['route', 'del', 'blackhole', `${VIP}/32`]);
    await stack?.stop();
    console.log(`drills probe lab figures (default lab config):\n  ${figures.join('\n  ')}`);
  });

  it("nginx-outage with probeFrom web1: the report is web1's probe (the server cannot reach the VIP), downtime within ±100 ms of a client on web2", async () => {
    expect(await serverReachesVip(), 'the server reaches the VIP before the cut').toBe(true);
    execFileSync('ip', ['route', 'add', 'blackhole', `${VIP}/32`]);
    routeAdded = true;
    expect(await serverReachesVip(), 'the server is cut off from the VIP').toBe(false);

    const client = independentClient(VIP, (argv) =>
      stack.lab.exec('web2', argv, { timeoutMs: 120_000 }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const started = drills.startDrill(CLUSTER, 'nginx-outage', { probeFrom: 'web1' });
    // The client stops whatever happens to the drill (stop() is idempotent).
    const d = await started.then((id) => drills.waitDone(id)).finally(() => client.stop());
    const own = await client.stop();
    const r = d.report;
    figures.push(
      `nginx-outage, probe on web1: ${d.status}, downtime ${Math.round(r.downtimeMs)} ms, failed ${r.failedRequests}/${r.totalRequests}, newMaster ${r.newMaster ?? '-'} at ${r.timeToNewMasterMs ?? '-'} ms`,
      `  independent client on web2: outage ${Math.round(own.outageMs)} ms, failed ${own.failed}/${own.total}`,
      `  edges (web1 probe on the server clock - client on web2): first failed ${edgesOf(r.samples.vip ?? [], own.edges)}, web1 offset ${r.clockOffsets.web1 ?? '-'} ms`,
    );
    expect(d.status, `${d.error ?? ''} ${JSON.stringify(r.criteria.filter((c) => !c.ok))}`).toBe(
      'passed',
    );
    expect(r.probeFrom).toBe('web1');
    // Only web1's probe could have seen the VIP answer: the baseline passed (RN-1) and the
    // good requests far outnumber the failed ones.
    expect(r.totalRequests - r.failedRequests).toBeGreaterThan(200);
    expect(r.newMaster).toBe('lb2');
    expect(r.restored).toBe(true);
    // ±100 ms here, not the issue's ±50 (that bar is the server probe's, held in
    // drills.lab.test.ts): this probe shares the agent's event loop on a namespace of a
    // loaded 2-core lab, and the client runs in another; runs differed by 1, 22 and 48 ms.
    expect(Math.abs(r.downtimeMs - own.outageMs)).toBeLessThanOrEqual(100);
    await stack.live.waitFor(
      'lab restored (VIP on lb1 only)',
      (s) =>
        holdersOf(s, CLUSTER, VIP).join() === 'lb1' &&
        ['lb1', 'lb2'].every((n) => serviceHealthy(s, CLUSTER, n, 'nginx') === true),
      30_000,
    );
  });
});
