/*
 * The PostgreSQL under `pnpm bench ingest-replicas`: a throwaway cluster from the test harness
 * (apps/server/src/storage/pg-harness.ts: initdb in a temporary folder, its own port, removed
 * afterwards, stopped by a sentinel if this process dies), restarted with PostgreSQL's own
 * durability defaults (fsync, synchronous_commit, full_page_writes on) unless told otherwise:
 * the harness turns them off for tests, a benchmark of a deployment must not.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findPgBinDir,
  startPgCluster,
  type PgCluster,
} from '../../apps/server/src/storage/pg-harness';

export interface BenchPg {
  cluster: PgCluster;
  /** The postmaster's pid now (it changes with the restart). */
  pid: number;
  /** SHOW of the settings that decide durability and memory. */
  settings: Record<string, string>;
  /** Runs one SQL statement through psql; rows as arrays of text fields. */
  query: (sql: string) => string[][];
  stop: () => Promise<void>;
}

const SHOWN = [
  'server_version',
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'shared_buffers',
];

/** `-u postgres` when we are root (PostgreSQL refuses root), as the harness does. */
function asOwner(argv: string[]): string[] {
  if (process.getuid?.() !== 0) return argv;
  const id = (f: string): string =>
    spawnSync('id', [f, 'postgres'], { encoding: 'utf8' }).stdout.trim();
  return ['setpriv', `--reuid=${id('-u')}`, `--regid=${id('-g')}`, '--clear-groups', ...argv];
}

function run(argv: string[], what: string): string {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`${what}: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  return r.stdout;
}

export async function startBenchPg(durable: boolean): Promise<BenchPg> {
  const bin = findPgBinDir();
  const cluster = await startPgCluster();
  const data = join(cluster.dir, 'data');
  try {
    if (durable) {
      // The harness's -c options (fsync, synchronous_commit, full_page_writes off) win over
      // any configuration file, so start it again without them. 100 connections: the default.
      const opts = [
        `-p ${cluster.port}`,
        `-k ${cluster.socketDir}`,
        '-c listen_addresses=127.0.0.1',
      ].join(' ');
      const pgCtl = join(bin, 'pg_ctl');
      run(asOwner([pgCtl, '-D', data, 'stop', '-m', 'fast', '-w', '-t', '60']), 'pg_ctl stop');
      run(
        asOwner([
          pgCtl,
          '-D',
          data,
          '-l',
          join(cluster.dir, 'server.log'),
          '-o',
          opts,
          '-w',
          '-t',
          '60',
          'start',
        ]),
        'pg_ctl start',
      );
    }
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const query = (sql: string): string[][] =>
      run(
        [
          join(bin, 'psql'),
          '-X',
          '-h',
          '127.0.0.1',
          '-p',
          String(cluster.port),
          '-U',
          cluster.user,
          '-d',
          cluster.database,
          '-At',
          '-F',
          '\t',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          sql,
        ],
        'psql',
      )
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t'));
    const settings: Record<string, string> = {};
    for (const name of SHOWN) settings[name] = query(`SHOW ${name}`)[0]?.[0] ?? '';
    return { cluster, pid, settings, query, stop: () => cluster.stop() };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
