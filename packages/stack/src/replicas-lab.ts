import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, ensureAgentBundle } from '@keepwatch/lab';
import { connectPostgres, startPgCluster, type PgCluster } from '@keepwatch/server';
import { until } from './config-lab';
import { login } from './stack';

/*
 * Issue 12's lab: the real lab, one throwaway PostgreSQL (apps/server/src/storage/pg-harness.ts)
 * and two server replicas on it, each its own process (`node --import tsx server.ts`, as
 * systemd would run it), so a replica can die by SIGKILL and be started again on the same
 * port. Lab agents get a home replica and the other as their `replicas` list. Used by
 * replicas-drill.lab.test.ts and apps/web/e2e/replicas.test.ts.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const serverEntry = join(repoRoot, 'apps', 'server', 'src', 'server.ts');

export interface Replica {
  /** KEEPWATCH_REPLICA_ID. */
  id: string;
  /** http://<lab host ip>:<port>, the same across restarts. */
  url: string;
  /** Everything the process wrote (stdout and stderr), across restarts. */
  log: string[];
  running(): boolean;
  /** Starts the process and waits until it answers a login. */
  start(): Promise<void>;
  /** kill -9, and waits for the process to be gone. */
  kill(): Promise<void>;
}

export interface ReplicaLab {
  lab: Lab;
  pg: PgCluster;
  replicas: [Replica, Replica];
  adminPassword: string;
  /** A bearer token (sessions are in PostgreSQL: valid at every replica). */
  token: string;
  /** Starts the host's agent homed at replicas[home], the other replica as its fallback. */
  startAgent(host: string, home: 0 | 1, control?: ('config' | 'drills')[]): Promise<number>;
  /** One query on the shared PostgreSQL. */
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** An authenticated REST call under /api/v1 of one replica. */
  api(replica: Replica, path: string, init?: RequestInit): Promise<Response>;
  /** Stops everything it started, whatever state it is in. Idempotent. */
  stop(): Promise<void>;
}

export interface ReplicaLabOptions {
  prefix: string;
  subnet: string;
  log?: (line: string) => void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startReplicaLab(opts: ReplicaLabOptions): Promise<ReplicaLab> {
  const log = opts.log ?? (() => undefined);
  const lab = new Lab({ prefix: opts.prefix, subnet: opts.subnet, log });
  const adminPassword = randomBytes(12).toString('base64url');
  const agentToken = randomBytes(24).toString('base64url');
  const dirs: string[] = [];
  const procs = new Set<ChildProcess>();
  let pg: PgCluster | undefined;
  let pool: Awaited<ReturnType<typeof connectPostgres>>['pool'] | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(
      [...procs].map((p) => new Promise((resolve) => p.once('exit', resolve))),
    ).catch(() => undefined);
    await lab.down().catch((e: unknown) => log(`lab down: ${String(e)}`));
    await pool?.end().catch(() => undefined);
    await pg?.stop().catch((e: unknown) => log(`postgres stop: ${String(e)}`));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };

  const makeReplica = (id: string, port: number, databaseUrl: string): Replica => {
    const dataDir = mkdtempSync(join(tmpdir(), `keepwatch-${opts.prefix}-${id}-`));
    dirs.push(dataDir);
    const lines: string[] = [];
    let proc: ChildProcess | undefined;
    const url = `http://${lab.hostIp}:${port}`;
    return {
      id,
      url,
      log: lines,
      running: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
      start: async () => {
        const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
          cwd: repoRoot,
          env: {
            ...process.env,
            KEEPWATCH_DATABASE_URL: databaseUrl,
            KEEPWATCH_REPLICA_ID: id,
            KEEPWATCH_PORT: String(port),
            KEEPWATCH_HOST: lab.hostIp,
            KEEPWATCH_DATA: dataDir,
            KEEPWATCH_ADMIN_PASSWORD: adminPassword,
            KEEPWATCH_AGENT_TOKEN: agentToken,
            KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
            KEEPWATCH_LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        proc = child;
        procs.add(child);
        child.once('exit', () => procs.delete(child));
        child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
        child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
        await until(
          `replica ${id} answers a login`,
          async () => {
            if (child.exitCode !== null)
              throw new Error(
                `replica ${id} exited ${child.exitCode}: ${lines.join('').slice(-2000)}`,
              );
            return login(url, 'admin', adminPassword).catch(() => undefined);
          },
          60_000,
        );
        log(`replica ${id} listening on ${url}`);
      },
      kill: async () => {
        const child = proc;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        log(`replica ${id} killed (SIGKILL)`);
      },
    };
  };

  try {
    await lab.up();
    pg = await startPgCluster();
    pool = (await connectPostgres(pg.url, { max: 2 })).pool;
    const databaseUrl = pg.url;
    const [portA, portB] = [await freePort(), await freePort()];
    const replicas: [Replica, Replica] = [
      makeReplica('a', portA, databaseUrl),
      makeReplica('b', portB, databaseUrl),
    ];
    // One after the other: the first migrates, creates the admin and takes the leases.
    for (const r of replicas) await r.start();
    const token = await login(replicas[0].url, 'admin', adminPassword);
    // Built here, once, rather than inside the first startAgent's timing.
    ensureAgentBundle(repoRoot);
    const q = pool;
    return {
      lab,
      pg,
      replicas,
      adminPassword,
      token,
      startAgent: (host, home, control) => {
        const other = replicas[home === 0 ? 1 : 0];
        return lab.startAgent(host, {
          serverUrl: replicas[home].url,
          replicas: [other.url],
          token: agentToken,
          ...(control && { control }),
        });
      },
      sql: async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
        (await q.query(text, params)).rows as T[],
      api: (replica, path, init = {}) =>
        fetch(`${replica.url}/api/v1${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * When the host's agent was welcomed by the server at `serverUrl` after `since` (epoch ms),
 * read from its own log (`<ISO time> info connection welcomed …` after `connected, sending
 * hello url=<serverUrl>`); undefined while it has not been.
 */
export function welcomedAt(
  lab: Lab,
  host: string,
  serverUrl: string,
  since: number,
): number | undefined {
  const ws = serverUrl.replace(/^http/, 'ws');
  let connectedThere = false;
  for (const line of readFileSync(join(lab.baseDir, host, 'agent.log'), 'utf8').split('\n')) {
    const at = Date.parse(line.slice(0, line.indexOf(' ')));
    if (!(at >= since)) continue;
    if (line.includes('connected, sending hello')) connectedThere = line.includes(`url=${ws}`);
    else if (connectedThere && line.includes(' welcomed')) return at;
  }
  return undefined;
}

/** A webhook receiver on 127.0.0.1 that keeps every notice it is sent. */
export async function startWebhookSink(): Promise<{
  url: string;
  notices: { event: string; alert: { rule: string; message: string } }[];
  close(): Promise<void>;
}> {
  const notices: { event: string; alert: { rule: string; message: string } }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      notices.push(JSON.parse(Buffer.concat(chunks).toString()) as (typeof notices)[number]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    notices,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
