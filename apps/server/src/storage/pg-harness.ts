import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Throwaway PostgreSQL clusters for tests: initdb in a temporary folder, its own port on
 * 127.0.0.1 and its own unix socket folder, started with pg_ctl, removed afterwards.
 *
 * Three layers of clean-up, because a leaked postmaster outlives the test run:
 *  1. stop() (call it from afterAll);
 *  2. a process 'exit' hook (a test file that throws, a worker that exits without afterAll);
 *  3. a sentinel child that polls the test process and stops the cluster when it is gone
 *     (SIGKILL of the worker: no hook of ours runs then).
 * PostgreSQL refuses to run as root, so under root (CI) the cluster is owned by and run as
 * the `postgres` system user (Debian's postgresql package creates it) via setpriv.
 */

export interface PgCluster {
  /** postgres://keepwatch@127.0.0.1:<port>/<database> (trust auth: no password). */
  url: string;
  port: number;
  /** The unix socket folder (also a valid `host` for node-postgres). */
  socketDir: string;
  database: string;
  user: string;
  /** The temporary folder holding data, socket and log; gone after stop(). */
  dir: string;
  /** The postmaster's pid. */
  pid: number;
  /**
   * Stops the server (immediate: every connection is cut) and starts it again on the same
   * port; `whileDown` (if given) runs in between, with PostgreSQL stopped.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the server (immediate) and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** Database created besides `postgres`; default `keepwatch`. */
  database?: string;
  /** Folder with initdb/pg_ctl; default the newest /usr/lib/postgresql/<v>/bin. */
  binDir?: string;
  /** The process whose death stops the cluster (the sentinel watches it); default this one. */
  ownerPid?: number;
}

export const PG_USER = 'keepwatch';

/** The newest installed server's bin folder, or an error naming the package to install. */
export function findPgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      `no PostgreSQL server under ${root}: install the Debian package postgresql (bash scripts/install-deps.sh)`,
    );
  return join(root, newest, 'bin');
}

export interface RunAs {
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g', user: string): number {
  const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isInteger(n))
    throw new Error(
      `running as root, and there is no '${user}' user to run PostgreSQL as (install the postgresql package)`,
    );
  return n;
}

/** Under root: the postgres user (the server refuses root); otherwise ourselves. */
export function runAsFor(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') };
}

export function argvAs(runAs: RunAs | undefined, argv: string[]): string[] {
  if (!runAs) return argv;
  return ['setpriv', `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', ...argv];
}

export function run(runAs: RunAs | undefined, argv: string[], what: string): string {
  const full = argvAs(runAs, argv);
  const cmd = full[0] ?? '';
  const r = spawnSync(cmd, full.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(
      `${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).trim()}`,
    );
  return r.stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// A POSIX sh loop, not a Node process: cheap, and it outlives its parent by design. It ends
// when the folder is gone (stop() ran) or, once the owner is dead, stops the server itself.
const SENTINEL = `owner="$1"; dir="$2"; shift 2
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
if [ -d "$dir" ]; then "$@" >/dev/null 2>&1; rm -rf "$dir"; fi`;

export function startSentinel(ownerPid: number, dir: string, stopArgv: string[]): void {
  const child = spawn('sh', ['-c', SENTINEL, 'pg-sentinel', String(ownerPid), dir, ...stopArgv], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

/**
 * The folder a throwaway server lives in (data, socket folder, log), made with the three
 * layers of clean-up (the file's comment) already in place; the server is for the caller to
 * make (initdb, a base backup) and start(). remove() stops it, if it runs, and removes the
 * folder: idempotent, and the exit hook goes with it.
 */
export interface PgFolder {
  bin: string;
  runAs: RunAs | undefined;
  dir: string;
  data: string;
  socketDir: string;
  /** pg_ctl, in `bin`. */
  pgCtl: string;
  /** pg_ctl start of `data` with these server options (`-o`), logging to the folder's log. */
  start(serverOpts: string, what: string): void;
  /** pg_ctl stop -m immediate of `data`, as the folder's owner, if it runs. */
  stopServer(): void;
  remove(): void;
}

export function makePgFolder(prefix: string, ownerPid: number, binDir?: string): PgFolder {
  const bin = binDir ?? findPgBinDir();
  const runAs = runAsFor();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const log = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (runAs) for (const p of [dir, socketDir]) chownSync(p, runAs.uid, runAs.gid);
  const pgCtl = join(bin, 'pg_ctl');
  const stopArgv = argvAs(runAs, [pgCtl, '-D', data, 'stop', '-m', 'immediate', '-w', '-t', '20']);
  startSentinel(ownerPid, dir, stopArgv);
  const stopServer = (): void => {
    spawnSync(stopArgv[0] ?? '', stopArgv.slice(1), { stdio: 'ignore', timeout: 30_000 });
  };
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, 'postmaster.pid'))) stopServer();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  return {
    bin,
    runAs,
    dir,
    data,
    socketDir,
    pgCtl,
    start: (serverOpts, what) =>
      void run(
        runAs,
        [pgCtl, '-D', data, '-l', log, '-o', serverOpts, '-w', '-t', '30', 'start'],
        what,
      ),
    stopServer,
    remove: () => {
      process.removeListener('exit', stopSync);
      stopSync();
    },
  };
}

/** Makes, starts and returns a fresh cluster. */
export async function startPgCluster(opts: PgClusterOptions = {}): Promise<PgCluster> {
  const database = opts.database ?? 'keepwatch';
  const f = makePgFolder('keepwatch-pg-', opts.ownerPid ?? process.pid, opts.binDir);
  const { bin, runAs, data, socketDir } = f;
  try {
    run(
      runAs,
      [
        join(bin, 'initdb'),
        '-D',
        data,
        '-U',
        PG_USER,
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      'initdb',
    );
    const port = await freePort();
    // A test database: durability off (fsync, synchronous_commit) makes it fast, not wrong.
    const serverOpts = [
      `-p ${port}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=50',
    ].join(' ');
    f.start(serverOpts, 'pg_ctl start');
    run(
      runAs,
      [join(bin, 'createdb'), '-h', socketDir, '-p', String(port), '-U', PG_USER, database],
      'createdb',
    );
    const pidLine = run(runAs, ['head', '-1', join(data, 'postmaster.pid')], 'read postmaster.pid');
    return {
      url: `postgres://${PG_USER}@127.0.0.1:${port}/${database}`,
      port,
      socketDir,
      database,
      user: PG_USER,
      dir: f.dir,
      pid: Number(pidLine.trim()),
      restart: async (whileDown) => {
        f.stopServer();
        try {
          await whileDown?.();
        } finally {
          f.start(serverOpts, 'pg_ctl start');
        }
      },
      stop: () => {
        f.remove();
        return Promise.resolve();
      },
    };
  } catch (err) {
    f.remove();
    throw err;
  }
}
