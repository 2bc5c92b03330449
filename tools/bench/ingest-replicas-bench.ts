/*
 * `pnpm bench ingest-replicas`: issue 12's scale bench. The server bundle as two (or more)
 * replicas on one throwaway PostgreSQL (tools/bench/bench-postgres.ts, durability on),
 * simulated protocol-v1 agents in pairs homed on the replicas in turn (each with the others
 * as its replica list), one browser (live feed) per replica: every failover is timed on the
 * replica its agents report to (local) and on the other (cross: through LISTEN/NOTIFY and a
 * read of the event log). Then replica 0 is killed (SIGKILL) and its agents move over; then
 * every acknowledged message is looked up in PostgreSQL. Beside it, in the same run, the same
 * load on one server on SQLite (the `pnpm bench ingest` product run), for the table.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runReplicaLoad, type ServerHandle } from '@keepwatch/loadgen';
import { startBenchPg } from './bench-postgres';
import { FeedProbe } from './feed-probe';
import {
  ServerProcess,
  buildServer,
  handleOf,
  lostFromRows,
  newCredentials,
  runSingleServer,
  serverArgv,
  serverEnv,
  type SingleResult,
} from './ingest-server';
import { replicaFigures, replicaTable, type ReplicaRun } from './ingest-replicas-report';
import { writeResult } from './results';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    replicas: { type: 'string', default: '2' },
    steady: { type: 'string', default: '60' },
    'after-kill': { type: 'string', default: '15' },
    'mean-failover': { type: 'string', default: '50' },
    port: { type: 'string', default: '18480' },
    /** `run`: the single-server SQLite product under the same load in this run; `skip`: not. */
    sqlite: { type: 'string', default: 'run' },
    /** `on`: PostgreSQL's durability defaults; `harness`: the test harness's (fsync off). */
    durability: { type: 'string', default: 'on' },
    'no-build': { type: 'boolean' },
    /** Folder for V8 CPU profiles of the replicas (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const log = (l: string): void =>
  void process.stderr.write(
    `[bench ingest-replicas ${new Date().toISOString().slice(11, 19)}] ${l}\n`,
  );
const command = `pnpm bench ingest-replicas${process.argv
  .slice(2)
  .filter((a) => a !== '--')
  .map((a) => ` ${a}`)
  .join('')}`;
const uptime = (): string => execSync('uptime', { encoding: 'utf8' }).trim();

async function replicas(agents: number, n: number): Promise<ReplicaRun> {
  const pg = await startBenchPg(values.durability === 'on');
  log(`PostgreSQL ${pg.settings.server_version} pid ${pg.pid}: ${JSON.stringify(pg.settings)}`);
  const creds = newCredentials();
  const dirs: string[] = [];
  const procs: ServerProcess[] = [];
  const probe = new FeedProbe(pg.cluster.url);
  try {
    await probe.start();
    const handles: ServerHandle[] = [];
    for (let k = 0; k < n; k++) {
      const port = Number(values.port) + k;
      const dir = mkdtempSync(join(tmpdir(), `kw-bench-replica-${k}-`));
      dirs.push(dir);
      const env = {
        ...serverEnv(port, dir, creds),
        KEEPWATCH_DATABASE_URL: pg.cluster.url,
        KEEPWATCH_REPLICA_ID: `bench-${k}`,
      };
      const proc = new ServerProcess(serverArgv('product', values.profile), env, port);
      procs.push(proc);
      handles.push(handleOf(await proc.start(), port, creds));
      log(`replica ${k} on :${port}, pid ${handles[k]?.pid}`);
    }
    const r = await runReplicaLoad(handles, {
      agents,
      steadyS: Number(values.steady),
      afterKillS: Number(values['after-kill']),
      meanFailoverS: Number(values['mean-failover']),
      statsEveryMs: 5000,
      dbPid: pg.pid,
      killFirst: () => procs[0]?.stop(true) ?? Promise.resolve(),
      onFailover: (agentId, seq, at) => probe.failover(agentId, seq, at),
      log: (l) => log(`${n} replicas ${agents}: ${l}`),
    });
    const notices = await probe.stop();
    for (const p of procs) await p.stop();
    const rows = pg.query('SELECT agent_id, seq FROM events');
    const { acked, ...rest } = r;
    const { lost, missing } = lostFromRows(
      rows.map(([a, s]) => [a ?? '', Number(s)]),
      acked,
    );
    return { ...rest, lost, missing, eventsStored: rows.length, pgSettings: pg.settings, notices };
  } finally {
    await probe.stop().catch(() => undefined);
    for (const p of procs) await p.stop(true);
    await pg.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const agents = Number(values.agents);
  const n = Number(values.replicas);
  if (!values['no-build']) buildServer();
  const before = uptime();
  log(`uptime before: ${before}`);
  const single: SingleResult | undefined =
    values.sqlite === 'run'
      ? await runSingleServer('product', agents, {
          port: Number(values.port) + 10,
          steadyS: Number(values.steady),
          afterRestartS: Number(values['after-kill']),
          meanFailoverS: Number(values['mean-failover']),
          log,
        })
      : undefined;
  const rep = await replicas(agents, n);
  const after = uptime();
  log(`uptime after: ${after}`);
  const figures = replicaFigures(rep, single);
  const data = {
    replicas: rep,
    sqlite: single && { ...single, acked: undefined },
    uptimeBefore: before,
    uptimeAfter: after,
  };
  const path = writeResult({ bench: 'ingest-replicas', command, figures, data });
  process.stdout.write(
    `${command}  (pairs fail over every ${values['mean-failover']} s on average, stats every 5 s, ` +
      `steady ${values.steady} s, then the fault, ${values['after-kill']} s more)\n` +
      `uptime before: ${before}\nuptime after:  ${after}\n\n` +
      `${replicaTable(rep, single)}\n\nwritten to ${path}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
