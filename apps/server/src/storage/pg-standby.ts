import { join } from 'node:path';
import {
  findPgBinDir,
  freePort,
  makePgFolder,
  PG_USER,
  run,
  runAsFor,
  type PgCluster,
} from './pg-harness';

/*
 * A streaming standby of a harness cluster (pg-harness.ts), for failover tests: a base backup
 * of the primary (pg_basebackup -R: standby.signal and primary_conninfo written), started on a
 * port and socket folder of its own, removed with the same three layers of clean-up. The
 * primary is stopped hard with stopPrimaryHard(); promote() makes the standby the primary.
 * With `primaryPort` the standby streams from 127.0.0.1:<primaryPort> instead of the primary's
 * socket (a TCP relay of the test's, testing/tcp-relay.ts, that can stall replication).
 */

export interface PgStandbyOptions {
  /** The process whose death stops the standby (the sentinel watches it); default this one. */
  ownerPid?: number;
  /** Streams from 127.0.0.1:<primaryPort> (overrides the base backup's primary_conninfo). */
  primaryPort?: number;
}

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
  opts: PgStandbyOptions = {},
): Promise<PgStandby> {
  const f = makePgFolder('keepwatch-pg-standby-', opts.ownerPid ?? process.pid);
  const { bin, runAs, data, socketDir, pgCtl } = f;
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
    // Options on the command line win over postgresql.auto.conf (where -R wrote its own);
    // pg_ctl hands them to /bin/sh, hence the quotes.
    const via =
      opts.primaryPort === undefined
        ? []
        : [
            `-c 'primary_conninfo=host=127.0.0.1 port=${opts.primaryPort} user=${PG_USER} application_name=kw-standby'`,
          ];
    f.start(
      [`-p ${port}`, `-k ${socketDir}`, '-c listen_addresses=127.0.0.1', ...via].join(' '),
      'standby start',
    );
    return {
      port,
      url: `postgres://${PG_USER}@127.0.0.1:${port}/${primary.database}`,
      promote: () => run(runAs, [pgCtl, '-D', data, 'promote', '-w', '-t', '30'], 'pg_ctl promote'),
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
