import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drill } from '@keepwatch/shared';
import { startStack, type Stack } from './stack';
import { holdersOf, serviceHealthy, vrrpStateOf } from './status-queries';

/*
 * The probe on a chosen agent (issue 8: "production servers often cannot reach the VIP"),
 * proven on the real lab: the server's own namespace is cut off from the VIP (a blackhole
 * route, undone in afterAll), an nginx-outage drill runs with `probeFrom: web1`, and its
 * report must come from web1's probe: a server-side probe could not have seen one good
 * request. An independent client (its own socket loop, no product code) runs in web2's
 * namespace in the same run; the reported downtime must agree with it within ±100 ms.
 */
const PREFIX = 'kwpx';
const SUBNET = '10.111.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;
const STOP_FILE = join(tmpdir(), `keepwatch-${PREFIX}-client-stop`);

let stack: Stack;
let routeAdded = false;
const figures: string[] = [];

/**
 * The independent client, run as its own node process inside a lab host's namespace: a fresh
 * TCP connection to the VIP every 10 ms, `GET /`, good on a 200 status line within 200 ms;
 * it stops when STOP_FILE exists (or after 90 s) and prints its longest failure run (start of
 * the first failed request to the start of the next good one), failed and total requests.
 */
const CLIENT = String.raw`
const net = require('node:net');
const fs = require('node:fs');
const [vip, stopFile] = process.argv.slice(1);
const results = [];
const inflight = new Set();
const once = () => new Promise((resolve) => {
  const t = performance.timeOrigin + performance.now();
  let done = false, buf = '';
  const sock = net.connect({ host: vip, port: 80 });
  const end = (ok) => {
    if (done) return;
    done = true; clearTimeout(timer); sock.destroy(); results.push({ t, ok }); resolve();
  };
  const timer = setTimeout(() => end(false), 200);
  sock.on('connect', () => sock.write('GET / HTTP/1.0\r\nHost: ' + vip + '\r\n\r\n'));
  sock.on('data', (d) => { buf += d.toString('latin1'); if (buf.includes('\r\n')) end(/^HTTP\/1\.[01] 200/.test(buf)); });
  sock.on('error', () => end(false));
  sock.on('close', () => end(false));
});
const start = performance.now();
let n = 0;
const finish = async () => {
  await Promise.all([...inflight]);
  results.sort((a, b) => a.t - b.t);
  let best = 0, from = null, edges = [0, 0];
  for (const r of results) {
    if (!r.ok) from ??= r.t;
    else if (from !== null) {
      if (r.t - from > best) { best = r.t - from; edges = [from, r.t]; }
      from = null;
    }
  }
  process.stdout.write(JSON.stringify({ outageMs: best, edges, failed: results.filter((r) => !r.ok).length, total: results.length }));
};
const tick = () => {
  if (n >= 9000 || (n % 10 === 0 && fs.existsSync(stopFile))) return void finish();
  const p = once();
  inflight.add(p);
  p.finally(() => inflight.delete(p));
  n++;
  setTimeout(tick, Math.max(0, start + n * 10 - performance.now()));
};
tick();
`;

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.url}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
  });
}

async function waitDone(id: string, timeoutMs = 150_000): Promise<Drill> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const d = (await (await api(`/drills/${id}`)).json()) as Drill;
    if (d.status !== 'running') return d;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`drill ${id} still running after ${timeoutMs} ms`);
}

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
    rmSync(STOP_FILE, { force: true });
    await stack?.stop();
    console.log(`drills probe lab figures (default lab config):\n  ${figures.join('\n  ')}`);
  });

  it("nginx-outage with probeFrom web1: the report is web1's probe (the server cannot reach the VIP), downtime within ±100 ms of a client on web2", async () => {
    expect(await serverReachesVip(), 'the server reaches the VIP before the cut').toBe(true);
    execFileSync('ip', ['route', 'add', 'blackhole', `${VIP}/32`]);
    routeAdded = true;
    expect(await serverReachesVip(), 'the server is cut off from the VIP').toBe(false);

    rmSync(STOP_FILE, { force: true });
    const client = stack.lab.exec('web2', [process.execPath, '-e', CLIENT, VIP, STOP_FILE], {
      timeoutMs: 120_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    const res = await api('/drills', {
      method: 'POST',
      body: JSON.stringify({
        clusterId: CLUSTER,
        kind: 'nginx-outage',
        options: { probeFrom: 'web1' },
      }),
    });
    const body = (await res.json()) as { id?: string; message?: string };
    expect(res.status, body.message).toBe(201);
    let d: Drill;
    try {
      d = await waitDone(body.id ?? '');
    } finally {
      writeFileSync(STOP_FILE, '');
    }
    const out = await client;
    expect(existsSync(STOP_FILE)).toBe(true);
    const own = JSON.parse(out.stdout) as {
      outageMs: number;
      edges: [number, number];
      failed: number;
      total: number;
    };
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
