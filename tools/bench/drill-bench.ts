/**
 * `pnpm bench drill [--idle 20] [--hold 30] [--interval 10] [--runtime bundle|tsx]
 * [--profile DIR] [--no-build] [--bundle FILE] [--probe-from NODE]`: what a drill's client probe
 * costs the server.
 *
 * Brings up the lab (prefix kwds, 10.99.0.0/24, the drills' own) and the server as its own
 * process: by default the bundle users run (apps/server/dist/server.mjs, built first unless
 * --no-build); `--runtime tsx` runs the TypeScript sources under tsx instead (its loader
 * costs CPU of its own, so its figures are higher). `--profile DIR` writes a V8 CPU profile
 * of the server (node --cpu-prof) into DIR when the bench ends. `--bundle FILE` runs another
 * bundle (an A/B of two builds: build each, copy one aside, alternate runs with --no-build).
 * `--probe-from web1` runs the probe on that host's agent (probeFrom): the server then only
 * receives the samples. Agents
 * granting drills; reads the server's /proc/<pid>/stat (utime+stime) while idle for --idle
 * seconds, then during the observe phase of a `backend-outage` drill held --hold seconds
 * (the VIP probed every --interval ms plus each LB every 250 ms, samples streamed to the live
 * feed and kept for the report; no failover, so the figure is the probe and the runner, not
 * keepalived). Target: the drill adds ≤ 5 % of one core. Not a test: figures depend on the
 * machine. Run under the lab lock: flock /tmp/keepwatch-lab.lock pnpm bench drill
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lab } from '@keepwatch/lab';
import type { Drill, StatusResponse } from '@keepwatch/shared';
import { drillsApi, login, until } from '@keepwatch/stack';
import { table, writeResult } from './results';

const TARGET_DELTA = 5;
const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime and stime of a process (every thread), in clock ticks. */
const ticks = (pid: number): { user: number; sys: number } => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(rest[11]), sys: Number(rest[12]) };
};

interface Cpu {
  percent: number;
  /** Of which in user space and in the kernel (a fresh TCP connection per request costs both). */
  user: number;
  sys: number;
  seconds: number;
}

async function cpuOver(pid: number, during: () => Promise<void>): Promise<Cpu> {
  const t0 = ticks(pid);
  const p0 = performance.now();
  await during();
  const seconds = (performance.now() - p0) / 1000;
  const t1 = ticks(pid);
  const pct = (n: number): number => (n / CLK_TCK / seconds) * 100;
  return {
    percent: pct(t1.user - t0.user + t1.sys - t0.sys),
    user: pct(t1.user - t0.user),
    sys: pct(t1.sys - t0.sys),
    seconds,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      idle: { type: 'string', default: '20' },
      hold: { type: 'string', default: '30' },
      interval: { type: 'string', default: '10' },
      runtime: { type: 'string', default: 'bundle' },
      profile: { type: 'string' },
      'no-build': { type: 'boolean' },
      bundle: { type: 'string' },
      'probe-from': { type: 'string' },
    },
  });
  const idleS = Number(values.idle);
  const holdMs = Number(values.hold) * 1000;
  const intervalMs = Number(values.interval);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const log = (l: string): void => void process.stderr.write(`[bench] ${l}\n`);
  const runtime = values.runtime === 'tsx' ? 'tsx' : 'bundle';
  const bundle = values.bundle ?? join(root, 'apps/server/dist/server.mjs');
  if (runtime === 'bundle' && !values['no-build'] && !values.bundle) {
    const b = spawnSync('pnpm', ['--filter', '@keepwatch/server', 'exec', 'node', 'build.mjs'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (b.status !== 0) throw new Error('server build failed');
  }
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const serverArgv =
    runtime === 'tsx'
      ? [...profile, '--import', 'tsx', join(root, 'apps/server/src/server.ts')]
      : [...profile, bundle];
  const lab = new Lab({ prefix: 'kwds', subnet: '10.99.0', log: () => undefined });
  const dataDir = mkdtempSync(join(tmpdir(), 'keepwatch-bench-drill-'));
  const adminPassword = randomBytes(12).toString('base64url');
  const agentToken = randomBytes(24).toString('base64url');
  const port = 18_000 + Math.floor(Math.random() * 1000);
  let server: ChildProcess | undefined;
  try {
    log('bringing up the lab');
    await lab.up();
    server = spawn(process.execPath, serverArgv, {
      cwd: root,
      env: {
        ...process.env,
        KEEPWATCH_PORT: String(port),
        KEEPWATCH_HOST: lab.hostIp,
        KEEPWATCH_DATA: dataDir,
        KEEPWATCH_ADMIN_PASSWORD: adminPassword,
        KEEPWATCH_AGENT_TOKEN: agentToken,
        KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
        KEEPWATCH_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const pid = server.pid ?? 0;
    const url = `http://${lab.hostIp}:${port}`;
    // The lab tests' calls and waits (until, drillsApi: @keepwatch/stack), each wait bounded.
    const token = await until(
      'server answers a login',
      () => login(url, 'admin', adminPassword).catch(() => undefined),
      60_000,
    );
    const drills = drillsApi(() => ({ url, token }));
    const { api } = drills;
    for (const host of lab.hosts)
      await lab.startAgent(host.name, {
        serverUrl: url.replace(/^http/, 'ws'),
        token: agentToken,
        control: ['drills'],
      });
    await until(
      'every agent online with a measured clock offset',
      async () => {
        const s = (await (await api('/status')).json()) as StatusResponse;
        const c = s.clusters.find((x) => x.id === 'kwds');
        return c?.nodes.length === 4 && c.nodes.every((n) => n.online && n.clockOffsetMs !== null)
          ? true
          : undefined;
      },
      60_000,
    );
    log(`server pid ${pid}; settling 10 s, then idle for ${idleS} s`);
    await sleep(10_000);
    const load = (): string =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    const loadIdle = load();
    const idle = await cpuOver(pid, () => sleep(idleS * 1000));
    const id = await drills.startDrill('kwds', 'backend-outage', {
      holdMs,
      probeIntervalMs: intervalMs,
      ...(values['probe-from'] !== undefined && { probeFrom: values['probe-from'] }),
    });
    const phase = async (): Promise<Drill> => (await (await api(`/drills/${id}`)).json()) as Drill;
    await until(
      'the drill in its observe phase',
      async () => ((await phase()).phase === 'observe' ? true : undefined),
      60_000,
    );
    // The observe phase, minus a second at each end (the phase polls are the bench's, not the drill's).
    await sleep(1000);
    const loadDrill = load();
    const during = await cpuOver(pid, () => sleep(holdMs - 3000));
    const loadEnd = load();
    const d = await drills.waitDone(id, holdMs + 150_000);
    const delta = during.percent - idle.percent;
    const reqPerS =
      (d.report.totalRequests / ((d.report.restoreAt ?? 0) - (d.report.faultAt ?? 0) + 5000)) *
      1000;
    const figures = [
      {
        figure: 'server runtime',
        value: runtime === 'tsx' ? 'tsx (sources)' : (values.bundle ?? 'dist/server.mjs'),
      },
      { figure: 'probe from', value: values['probe-from'] ?? 'server' },
      { figure: 'load average (1/5/15 min) before idle', value: loadIdle },
      {
        figure: 'load average before / after the drill window',
        value: `${loadDrill} / ${loadEnd}`,
      },
      { figure: 'server CPU idle (% of one core)', value: idle.percent.toFixed(2) },
      { figure: 'server CPU during the drill (% of one core)', value: during.percent.toFixed(2) },
      {
        figure: 'added in user space / in the kernel',
        value: `${(during.user - idle.user).toFixed(2)} / ${(during.sys - idle.sys).toFixed(2)}`,
      },
      {
        figure: `added by the drill (probe every ${intervalMs} ms + LBs every 250 ms)`,
        value: delta.toFixed(2),
        target: `≤ ${TARGET_DELTA}`,
        ok: delta <= TARGET_DELTA,
      },
      { figure: 'VIP probe requests / s (approx.)', value: reqPerS.toFixed(0) },
      {
        figure: 'drill status',
        value: `${d.status} (${d.report.failedRequests}/${d.report.totalRequests} failed)`,
      },
    ];
    const file = writeResult({
      bench: 'drill',
      command: `pnpm bench drill --idle ${idleS} --hold ${holdMs / 1000} --interval ${intervalMs} --runtime ${runtime}${values.bundle ? ` --bundle ${values.bundle}` : ''}${values['probe-from'] ? ` --probe-from ${values['probe-from']}` : ''}`,
      figures,
      data: { idle, during, drillId: id, totalRequests: d.report.totalRequests },
    });
    process.stdout.write(
      `${table(
        ['figure', 'value', 'target', ''],
        figures.map((f) => [
          f.figure,
          f.value,
          f.target ?? '',
          f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED',
        ]),
      )}\n\nwritten: ${file}\n`,
    );
  } finally {
    if (server && server.exitCode === null) {
      // SIGTERM: a graceful stop writes the --cpu-prof profile; SIGKILL if it hangs.
      const exited = new Promise<void>((r) => server?.once('exit', () => r()));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await lab.down();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
