import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  argvAs,
  findPgBinDir,
  freePort,
  PG_USER,
  run,
  runAsFor,
  startSentinel,
  type PgCluster,
} from './pg-harness';

/*
 * A streaming standby of a harness cluster (pg-harness.ts), for failover tests: a base backup
 * of the primary (pg_basebackup -R: standby.signal and primary_conninfo written), started on a
 * port and socket folder of its own, removed with the same three layers of clean-up. The
 * primary is stopped hard with stopPrimaryHard(); promote() makes the standby the primary.
 */

export interface PgStandby {
  port: number;
  url: string;
  /** pg_ctl promote, waiting until it accepts writes. */
  promote(): void;
  stop(): Promise<void>;
}

/** pg_ctl stop -m immediate of the primary (a crash: nothing flushed, no shutdown record). */
export function stopPrimaryHard(primary: PgCluster): void {
  const pgCtl = join(findPgBinDir(), 'pg_ctl');
  run(
    runAsFor(),
    [pgCtl, '-D', join(primary.dir, 'data'), 'stop', '-m', 'immediate', '-w'],
    'pg_ctl stop',
  );
}

export async function startPgStandby(
  primary: PgCluster,
  ownerPid = process.pid,
): Promise<PgStandby> {
  const bin = findPgBinDir();
  const runAs = runAsFor();
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-pg-standby-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const log = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (runAs) for (const p of [dir, socketDir]) chownSync(p, runAs.uid, runAs.gid);
  const pgCtl = join(bin, 'pg_ctl');
  const stopArgv = argvAs(runAs, [pgCtl, '-D', data, 'stop', '-m', 'immediate', '-w', '-t', '20']);
  startSentinel(ownerPid, dir, stopArgv);
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, 'postmaster.pid')))
      spawnSync(stopArgv[0] ?? '', stopArgv.slice(1), { stdio: 'ignore', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  try {
    run(
      runAs,
      [
        join(bin, 'pg_basebackup'),
        '-h',
        primary.socketDir,
        '-p',
        String(primary.port),
        '-U',
        PG_USER,
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '--no-sync',
        '--checkpoint=fast',
      ],
      'pg_basebackup',
    );
    const port = await freePort();
    const opts = [`-p ${port}`, `-k ${socketDir}`, '-c listen_addresses=127.0.0.1'].join(' ');
    run(
      runAs,
      [pgCtl, '-D', data, '-l', log, '-o', opts, '-w', '-t', '30', 'start'],
      'standby start',
    );
    return {
      port,
      url: `postgres://${PG_USER}@127.0.0.1:${port}/${primary.database}`,
      promote: () => run(runAs, [pgCtl, '-D', data, 'promote', '-w', '-t', '30'], 'pg_ctl promote'),
      stop: () => {
        process.removeListener('exit', stopSync);
        stopSync();
        return Promise.resolve();
      },
    };
  } catch (err) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw err;
  }
}
