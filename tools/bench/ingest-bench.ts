/*
 * `pnpm bench ingest`: the server bundle (apps/server/dist/server.mjs, what users run) and
 * the bare stack (packages/loadgen bare-server.ts) under 1,000 / 5,000 / 10,000 simulated
 * agents in pairs (packages/loadgen: protocol v1, failovers, stats, pongs), a server
 * restart under them, and a check that every acknowledged message is in the database.
 * Everything on 127.0.0.1; the generator runs on the same machine as the server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runLoad, type LoadResult, type ServerHandle } from '@keepwatch/loadgen';
import { figuresTable, table, writeResult, type Figure } from './results';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000,5000,10000' },
    targets: { type: 'string', default: 'product,bare' },
    steady: { type: 'string', default: '60' },
    'after-restart': { type: 'string', default: '15' },
    'mean-failover': { type: 'string', default: '50' },
    port: { type: 'string', default: '18470' },
    'no-build': { type: 'boolean' },
    /** Folder for V8 CPU profiles of the product server (node --cpu-prof), one per process. */
    profile: { type: 'string' },
  },
});
// UTC time on each line: the steady window can be matched with the load average and with the
// minute boundaries where history appends every series' buffered minute.
const log = (l: string): void =>
  void process.stderr.write(`[bench ingest ${new Date().toISOString().slice(11, 19)}] ${l}\n`);
const command = `pnpm bench ingest${process.argv
  .slice(2)
  .filter((a) => a !== '--')
  .map((a) => ` ${a}`)
  .join('')}`;

type Target = 'product' | 'bare';

function serverArgv(target: Target): string[] {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  return target === 'product'
    ? [...profile, join(root, 'apps/server/dist/server.mjs')]
    : ['--import', 'tsx', join(root, 'packages/loadgen/src/bare-server.ts')];
}

async function waitPort(port: number, child: ChildProcess, timeoutS: number): Promise<void> {
  for (let i = 0; i < timeoutS * 10; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port} within ${timeoutS} s`);
}

class ServerProcess {
  child: ChildProcess | undefined;
  constructor(
    private readonly target: Target,
    private readonly env: NodeJS.ProcessEnv,
    private readonly port: number,
  ) {}

  async start(): Promise<number> {
    const child = spawn(process.execPath, serverArgv(this.target), {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    await waitPort(this.port, child, 60);
    return child.pid ?? 0;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Acknowledged messages missing from the database (each seq is one events row). */
function lostMessages(dbPath: string, acked: Map<string, number>): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    const q = db.prepare('SELECT COUNT(*) AS n FROM events WHERE agent_id = ? AND seq <= ?');
    let lost = 0;
    for (const [agentId, seq] of acked) lost += seq - (q.get(agentId, seq) as { n: number }).n;
    return lost;
  } finally {
    db.close();
  }
}

async function one(target: Target, agents: number): Promise<LoadResult & { lost: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), `kw-bench-ingest-${target}-`));
  const port = Number(values.port);
  const adminPassword = randomBytes(9).toString('base64url');
  const agentToken = randomBytes(18).toString('base64url');
  const env = {
    ...process.env,
    KEEPWATCH_PORT: String(port),
    KEEPWATCH_HOST: '127.0.0.1',
    KEEPWATCH_DATA: dataDir,
    KEEPWATCH_ADMIN_PASSWORD: adminPassword,
    KEEPWATCH_AGENT_TOKEN: agentToken,
    // Simulated agents share one token (off by default: production agents enroll).
    KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    KEEPWATCH_LOG_LEVEL: 'warn',
  };
  const server = new ServerProcess(target, env, port);
  const handle = (pid: number): ServerHandle => ({
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    adminPassword,
    agentToken,
  });
  try {
    const pid = await server.start();
    log(`${target}: ${agents} agents against pid ${pid}`);
    const result = await runLoad(handle(pid), {
      agents,
      steadyS: Number(values.steady),
      afterRestartS: Number(values['after-restart']),
      meanFailoverS: Number(values['mean-failover']),
      statsEveryMs: 5000,
      restart: async () => {
        await server.stop();
        return handle(await server.start());
      },
      log: (l) => log(`${target} ${agents}: ${l}`),
    });
    await server.stop();
    return { ...result, lost: lostMessages(join(dataDir, 'keepwatch.db'), result.acked) };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');

async function main(): Promise<void> {
  const counts = values.agents.split(',').map(Number);
  const targets = values.targets.split(',') as Target[];
  if (!values['no-build'] && targets.includes('product')) {
    const b = spawnSync('pnpm', ['--filter', '@keepwatch/server', 'exec', 'node', 'build.mjs'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (b.status !== 0) throw new Error('server build failed');
  }
  const runs: { target: Target; r: LoadResult & { lost: number } }[] = [];
  for (const n of counts) for (const t of targets) runs.push({ target: t, r: await one(t, n) });
  const rows = runs.map(({ target, r }) => [
    String(r.agents),
    target,
    `${r.connectAllS.toFixed(1)} s`,
    `${r.reconnectAllS.toFixed(1)} s`,
    `${ms(r.latencyP50Ms)} / ${ms(r.latencyP99Ms)} ms`,
    `${r.cpuPercent.toFixed(0)} %`,
    `${r.rssMaxMb.toFixed(0)} MB`,
    String(r.lost),
    String(r.unacknowledged),
    `${r.failovers} (${r.failoversUnseen} unseen)`,
  ]);
  const figures: Figure[] = [];
  for (const { target, r } of runs) {
    const at = `${r.agents} agents, ${target}`;
    figures.push(
      { figure: `${at}: all connected after`, value: `${r.connectAllS.toFixed(1)} s` },
      {
        figure: `${at}: all reconnected after a restart`,
        value: `${r.reconnectAllS.toFixed(1)} s`,
        ...(r.agents === 10_000 && { target: '≤ 30 s', ok: r.reconnectAllS <= 30 }),
      },
      {
        figure: `${at}: failover → browser patch p50 / p99`,
        value: `${ms(r.latencyP50Ms)} / ${ms(r.latencyP99Ms)} ms`,
        ...(r.agents === 10_000 && { target: 'p99 ≤ 50 ms', ok: r.latencyP99Ms <= 50 }),
      },
      { figure: `${at}: server CPU (steady)`, value: `${r.cpuPercent.toFixed(0)} % of a core` },
      { figure: `${at}: server RSS max`, value: `${r.rssMaxMb.toFixed(0)} MB` },
      {
        figure: `${at}: acknowledged but lost`,
        value: String(r.lost),
        target: '0',
        ok: r.lost === 0,
      },
      { figure: `${at}: unacknowledged at the end`, value: String(r.unacknowledged) },
    );
  }
  for (const n of counts) {
    const p = runs.find((x) => x.target === 'product' && x.r.agents === n)?.r;
    const b = runs.find((x) => x.target === 'bare' && x.r.agents === n)?.r;
    if (p && b) {
      const ratio = p.cpuPercent / Math.max(b.cpuPercent, 0.1);
      figures.push({
        figure: `${n} agents: product CPU / bare stack CPU`,
        value: `${ratio.toFixed(1)}×`,
        target: '≤ 2×',
        ok: ratio <= 2,
      });
    }
  }
  const data = runs.map(({ target, r }) => ({ target, ...r, acked: undefined }));
  const path = writeResult({ bench: 'ingest', command, figures, data });
  process.stdout.write(
    `${command}  (pairs fail over every ${values['mean-failover']} s on average, stats every 5 s, ` +
      `steady ${values.steady} s, restart, ${values['after-restart']} s more)\n\n` +
      table(
        [
          'agents',
          'server',
          'all connected',
          'after restart',
          'failover→patch p50/p99',
          'CPU',
          'RSS',
          'lost',
          'unacked',
          'failovers',
        ],
        rows,
      ) +
      `\n\n${figuresTable(figures.filter((f) => f.target !== undefined))}\n\nwritten to ${path}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
