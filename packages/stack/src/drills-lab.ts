import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Drill } from '@keepwatch/shared';
import { drillsApi, type DrillsApi } from './drills-api';
import { startStack, type Stack } from './stack';
import { clusterOf, holdersOf, serviceHealthy, vrrpStateOf } from './status-queries';

/*
 * What the drills lab tests share (drills*.lab.test.ts): the drills REST calls (drills-api.ts,
 * re-exported), the lab restored check, the live split-brain watch, the figures line of a drill, and the
 * independent client the reported downtime is compared with.
 */

export { drillsApi, type DrillsApi } from './drills-api';

export interface DrillsLab extends DrillsApi {
  stack: Stack;
  cluster: string;
  vip: string;
  /** expectRestored on this lab. */
  restored: (what: string) => Promise<void>;
  /** watchSplitFindings on this lab's cluster. */
  watchSplit: () => { stop: () => Promise<Set<string>> };
}

/**
 * Starts the lab `prefix` on `subnet`.0/24 (cluster id = prefix, VIP .50) with every agent
 * granting `drills`, and waits until it is as every drill must leave it (expectRestored).
 */
export async function startDrillsLab(opts: {
  prefix: string;
  subnet: string;
  log?: (line: string) => void;
}): Promise<DrillsLab> {
  const stack = await startStack({
    prefix: opts.prefix,
    subnet: opts.subnet,
    control: () => ['drills'],
    ...(opts.log && { log: opts.log }),
  });
  const vip = `${opts.subnet}.50`;
  try {
    await expectRestored(stack, opts.prefix, vip, 'start');
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    stack,
    cluster: opts.prefix,
    vip,
    ...drillsApi(() => stack),
    restored: (what) => expectRestored(stack, opts.prefix, vip, what),
    watchSplit: () => watchSplitFindings(stack, opts.prefix),
  };
}

/**
 * One drills lab for a test file: started before its tests (startDrillsLab), stopped after
 * them, when the lines pushed to `figures` are printed. `lab()` is the running lab.
 */
export function useDrillsLab(opts: { prefix: string; subnet: string }): {
  lab: () => DrillsLab;
  figures: string[];
} {
  let lab: DrillsLab | undefined;
  const figures: string[] = [];
  // The stack's own log lines are kept here, not printed (a debugger can read them).
  const logLines: string[] = [];
  beforeAll(async () => {
    lab = await startDrillsLab({ ...opts, log: (l) => logLines.push(l) });
  });
  afterAll(async () => {
    await lab?.stack.stop();
    console.log(
      `drills lab figures (default lab config, 10 ms probe, 200 ms timeout):\n  ${figures.join('\n  ')}`,
    );
  });
  return {
    lab: () => {
      if (!lab) throw new Error(`the drills lab ${opts.prefix} did not start`);
      return lab;
    },
    figures,
  };
}

/** The lab as a drill must leave it: the kernel VIP on lb1 only, every service up, the VIP serving. */
export async function expectRestored(
  stack: Stack,
  cluster: string,
  vip: string,
  what: string,
): Promise<void> {
  await stack.live.waitFor(
    `${what}: lab restored (VIP on lb1 only, every service up)`,
    (s) =>
      holdersOf(s, cluster, vip).join() === 'lb1' &&
      vrrpStateOf(s, cluster, 'lb1') === 'MASTER' &&
      vrrpStateOf(s, cluster, 'lb2') === 'BACKUP' &&
      ['lb1', 'lb2'].every((n) => serviceHealthy(s, cluster, n, 'nginx') === true) &&
      ['web1', 'web2'].every((n) => serviceHealthy(s, cluster, n, 'tomcat') === true),
    30_000,
  );
  // And clients are served again: after all-backends-down nginx keeps both Tomcats marked
  // failed for its fail_timeout (10 s by default) with every service up, answering 502, so
  // a drill started then finds the VIP unserved in its baseline (bounded: 300 tries, 30 s).
  let last = 'no answer';
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://${vip}/`, { signal: AbortSignal.timeout(500) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: the VIP ${vip} served no 200 within 30 s after the restore (${last})`);
  const st = await stack.lab.status();
  for (const h of st.hosts)
    for (const [svc, v] of Object.entries(h.services))
      expect(v?.running, `${what}: ${h.name} ${svc} running`).toBe(true);
}

/**
 * The live detection as the dashboard gets it: the split-brain finding codes (SB-1, SB-2) of
 * the cluster in the live feed, read every 100 ms until stopped (bounded: 1500 reads).
 */
export function watchSplitFindings(
  stack: Stack,
  cluster: string,
): { stop: () => Promise<Set<string>> } {
  const seen = new Set<string>();
  let on = true;
  const loop = (async () => {
    for (let i = 0; i < 1500 && on; i++) {
      const now = stack.live.current();
      const c = now ? clusterOf(now, cluster) : undefined;
      for (const f of c?.findings ?? []) if (f.rule === 'SPLIT_BRAIN') seen.add(f.code ?? '?');
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return seen;
    },
  };
}

/** A drill's lines for the printed figures: its first failed request, then its report. */
export function drillFigures(d: Drill): string[] {
  const r = d.report;
  const firstBad = (r.samples.vip ?? []).find(
    (x) => x[2] !== 200 && Number(x[0]) >= (r.faultAt ?? 0) - 1000,
  );
  return [
    `${d.kind}: first failed VIP request ${firstBad ? Math.round(Number(firstBad[0]) - (r.faultAt ?? 0)) : '-'} ms after the fault time, clock offsets ${JSON.stringify(r.clockOffsets)}`,
    `${d.kind.padEnd(18)} ${d.status.padEnd(7)} downtime ${String(Math.round(r.downtimeMs)).padStart(5)} ms, failed ${String(r.failedRequests).padStart(4)}/${r.totalRequests}, newMaster ${r.newMaster ?? '-'} at ${r.timeToNewMasterMs ?? '-'} ms, detection/takeover/convergence ${r.detectionMs ?? '-'}/${r.takeoverMs ?? '-'}/${r.convergenceMs ?? '-'} ms, fail-back ${r.failback.failedRequests} req, bound ${r.bound?.lowMs ?? '-'}..${r.bound?.highMs ?? '-'} ms, findings [${r.findings.map((f) => f.code).join(',')}]${d.error ? `, error: ${d.error}` : ''}`,
  ];
}

/**
 * The independent client, its own node process (no product code): a fresh TCP connection to
 * the VIP every 10 ms, `GET /`, good on a 200 status line within 200 ms; it stops when its
 * stop file exists (or after 90 s) and prints its longest failure run (start of the first
 * failed request to the start of the next good one, as the reference lab measures an
 * outage), failed and total requests.
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

export interface ClientOutage {
  outageMs: number;
  /** Start of the longest run's first failed request and of the good one that ended it. */
  edges: [number, number];
  failed: number;
  total: number;
}

/** Runs a command line and resolves with its standard output (a lab host's exec, or here). */
export type RunArgv = (argv: string[]) => Promise<{ stdout: string }>;

const runHere: RunArgv = async ([cmd = '', ...args]) =>
  promisify(execFile)(cmd, args, { timeout: 120_000 });

let clients = 0;

/**
 * Starts the independent client against `vip`, in this process's namespace unless `run` puts
 * it elsewhere (`(argv) => stack.lab.exec('web2', argv)`); stop() ends it and reads its figures
 * (the same answer however often it is called).
 */
export function independentClient(
  vip: string,
  run: RunArgv = runHere,
): { stop: () => Promise<ClientOutage> } {
  const stopFile = join(tmpdir(), `keepwatch-client-${process.pid}-${++clients}-stop`);
  rmSync(stopFile, { force: true });
  const out = run([process.execPath, '-e', CLIENT, vip, stopFile]);
  // Read by stop(); a test that fails before it must not leave an unhandled rejection.
  out.catch(() => undefined);
  let result: Promise<ClientOutage> | undefined;
  return {
    stop: () =>
      (result ??= (async () => {
        writeFileSync(stopFile, '');
        try {
          return JSON.parse((await out).stdout) as ClientOutage;
        } finally {
          rmSync(stopFile, { force: true });
        }
      })()),
  };
}
