/*
 * `pnpm bench ingest`: the server bundle (apps/server/dist/server.mjs, what users run) and
 * the bare stack (packages/loadgen bare-server.ts) under 1,000 / 5,000 / 10,000 simulated
 * agents in pairs (packages/loadgen: protocol v1, failovers, stats, pongs), a server
 * restart under them, and a check that every acknowledged message is in the database.
 * Everything on 127.0.0.1; the generator runs on the same machine as the server.
 */
import { parseArgs } from 'node:util';
import { buildServer, runSingleServer, type SingleResult, type Target } from './ingest-server';
import { figuresTable, table, writeResult, type Figure } from './results';

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

const one = (target: Target, agents: number): Promise<SingleResult> =>
  runSingleServer(target, agents, {
    port: Number(values.port),
    steadyS: Number(values.steady),
    afterRestartS: Number(values['after-restart']),
    meanFailoverS: Number(values['mean-failover']),
    ...(values.profile !== undefined && { profile: values.profile }),
    log,
  });

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');

async function main(): Promise<void> {
  const counts = values.agents.split(',').map(Number);
  const targets = values.targets.split(',') as Target[];
  if (!values['no-build'] && targets.includes('product')) buildServer();
  const runs: { target: Target; r: SingleResult }[] = [];
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
