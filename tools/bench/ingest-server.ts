/*
 * The server under the ingest benches: the bundle users run (apps/server/dist/server.mjs) or
 * the bare stack (packages/loadgen bare-server.ts), as a child process on 127.0.0.1, and the
 * check that every acknowledged message is in the SQLite database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runLoad, type LoadResult, type ServerHandle } from '@keepwatch/loadgen';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Target = 'product' | 'bare';

/** Builds the server bundle (what `node build.mjs` in apps/server makes). */
export function buildServer(): void {
  const b = spawnSync('pnpm', ['--filter', '@keepwatch/server', 'exec', 'node', 'build.mjs'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (b.status !== 0) throw new Error('server build failed');
}

/** `profile`: a folder for V8 CPU profiles of the product server (node --cpu-prof). */
export function serverArgv(target: Target, profile?: string): string[] {
  const prof = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  return target === 'product'
    ? [...prof, join(root, 'apps/server/dist/server.mjs')]
    : ['--import', 'tsx', join(root, 'packages/loadgen/src/bare-server.ts')];
}

export interface Credentials {
  adminPassword: string;
  agentToken: string;
}

export function newCredentials(): Credentials {
  return {
    adminPassword: randomBytes(9).toString('base64url'),
    agentToken: randomBytes(18).toString('base64url'),
  };
}

/** The server's environment: its port, data folder and credentials, quiet logs. */
export function serverEnv(port: number, dataDir: string, c: Credentials): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KEEPWATCH_PORT: String(port),
    KEEPWATCH_HOST: '127.0.0.1',
    KEEPWATCH_DATA: dataDir,
    KEEPWATCH_ADMIN_PASSWORD: c.adminPassword,
    KEEPWATCH_AGENT_TOKEN: c.agentToken,
    // Simulated agents share one token (off by default: production agents enroll).
    KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    KEEPWATCH_LOG_LEVEL: 'warn',
  };
}

export function handleOf(pid: number, port: number, c: Credentials): ServerHandle {
  return {
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    adminPassword: c.adminPassword,
    agentToken: c.agentToken,
  };
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

export class ServerProcess {
  child: ChildProcess | undefined;
  constructor(
    private readonly argv: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly port: number,
  ) {}

  async start(): Promise<number> {
    const child = spawn(process.execPath, this.argv, {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    await waitPort(this.port, child, 60);
    return child.pid ?? 0;
  }

  /** SIGTERM (SIGKILL after 30 s), or SIGKILL at once with `kill9`; resolves once it exited. */
  async stop(kill9 = false): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(kill9 ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Acknowledged messages missing from the database (each seq is one events row). */
export function lostMessages(dbPath: string, acked: Map<string, number>): number {
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

/** Lost count from the stored (agent, seq) pairs of any database. */
export function lostFromRows(
  rows: Iterable<[string, number]>,
  acked: Map<string, number>,
): { lost: number; missing: { agentId: string; seqs: number[] }[] } {
  const stored = new Map<string, Set<number>>();
  for (const [agentId, seq] of rows) {
    if (seq > (acked.get(agentId) ?? 0)) continue;
    const set = stored.get(agentId) ?? new Set<number>();
    set.add(seq);
    stored.set(agentId, set);
  }
  let lost = 0;
  // The first agents with a gap, and which seqs (for diagnosis; the count is the figure).
  const missing: { agentId: string; seqs: number[] }[] = [];
  for (const [agentId, seq] of acked) {
    const have = stored.get(agentId) ?? new Set<number>();
    lost += seq - have.size;
    if (seq > have.size && missing.length < 20) {
      const seqs: number[] = [];
      for (let s = 1; s <= seq && seqs.length < 20; s++) if (!have.has(s)) seqs.push(s);
      missing.push({ agentId, seqs });
    }
  }
  return { lost, missing };
}

export type SingleResult = LoadResult & { lost: number };

export interface SingleOptions {
  port: number;
  steadyS: number;
  afterRestartS: number;
  meanFailoverS: number;
  profile?: string;
  log: (line: string) => void;
}

/** One server on its own SQLite data folder under `agents`, restarted once under them. */
export async function runSingleServer(
  target: Target,
  agents: number,
  o: SingleOptions,
): Promise<SingleResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `kw-bench-ingest-${target}-`));
  const creds = newCredentials();
  const server = new ServerProcess(
    serverArgv(target, o.profile),
    serverEnv(o.port, dataDir, creds),
    o.port,
  );
  const handle = (pid: number): ServerHandle => handleOf(pid, o.port, creds);
  try {
    const pid = await server.start();
    o.log(`${target}: ${agents} agents against pid ${pid}`);
    const result = await runLoad(handle(pid), {
      agents,
      steadyS: o.steadyS,
      afterRestartS: o.afterRestartS,
      meanFailoverS: o.meanFailoverS,
      statsEveryMs: 5000,
      restart: async () => {
        await server.stop();
        return handle(await server.start());
      },
      log: (l) => o.log(`${target} ${agents}: ${l}`),
    });
    await server.stop();
    return { ...result, lost: lostMessages(join(dataDir, 'keepwatch.db'), result.acked) };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
