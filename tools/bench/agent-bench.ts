/**
 * `pnpm bench agent [--idle 30] [--settle 15] [--cycles 5] [--tsx | --sea] [--bundle FILE] [--node-arg=ARG …]`:
 * the agent's own cost on a real lab.
 *
 * Brings up the whole stack (lab prefix kwb, 10.86.0.0/24 — its own, so it can run beside the agent lab tests) with the agents run from the
 * esbuild bundle (apps/agent/dist/keepwatch-agent.mjs, rebuilt first; --tsx runs the
 * TypeScript sources instead; --sea rebuilds and runs the single executable that hosts
 * install), then reads each LB agent's /proc/<pid>/stat (utime+stime)
 * and /proc/<pid>/status (VmRSS, VmHWM):
 *   idle   — nothing happens for --idle seconds, starting --settle seconds after the agents
 *            (re)started: their start-up (host facts, `keepalived -t`/`nginx -t`, first
 *            dumps, compiling the bundle) is not idle;
 *   burst  — --cycles keepalived stop/start cycles on lb1 (each a failover and a failback).
 * Prints a table against the targets (RSS ≤ 60 MB, idle CPU ≤ 0.5 % of one core).
 * Not a test: figures depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStack, type Stack } from '@keepwatch/stack';
import { writeResult, type Figure } from './results';

const TARGET_RSS_MB = 60;
const TARGET_IDLE_CPU = 0.5;
const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  ticks: number;
  rssKb: number;
  hwmKb: number;
  at: number;
}

function sample(pid: number): Sample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { ticks, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), at: performance.now() };
}

interface Window {
  cpuPercent: number;
  rssMaxMb: number;
  seconds: number;
}

/** Samples every second while `during` runs; CPU % of one core over the whole window. */
async function measure(pid: number, during: () => Promise<void>): Promise<Window> {
  const first = sample(pid);
  let rssMax = first.rssKb;
  const timer = setInterval(() => (rssMax = Math.max(rssMax, sample(pid).rssKb)), 1000);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  const last = sample(pid);
  const seconds = (last.at - first.at) / 1000;
  return {
    cpuPercent: ((last.ticks - first.ticks) / CLK_TCK / seconds) * 100,
    rssMaxMb: Math.max(rssMax, last.rssKb) / 1024,
    seconds,
  };
}

function agentPids(stack: Stack): Promise<Record<string, number>> {
  return stack.lab
    .status()
    .then((s) =>
      Object.fromEntries(
        s.hosts.flatMap((h) =>
          h.agent !== undefined && h.role === 'lb' ? [[h.name, h.agent]] : [],
        ),
      ),
    );
}

/** Restarts the LB agents from the bundle (what a host runs), same config and token. */
async function useBundle(stack: Stack, command: string[]): Promise<void> {
  for (const host of ['lb1', 'lb2']) {
    const cfg = JSON.parse(readFileSync(join(stack.lab.baseDir, host, 'agent.json'), 'utf8')) as {
      server: { token: string };
    };
    await stack.lab.stopAgent(host);
    await stack.lab.startAgent(host, { serverUrl: stack.url, token: cfg.server.token, command });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      idle: { type: 'string', default: '30' },
      settle: { type: 'string', default: '15' },
      cycles: { type: 'string', default: '5' },
      tsx: { type: 'boolean' },
      sea: { type: 'boolean' },
      // Another build of the agent (e.g. an older commit's bundle) to compare against.
      bundle: { type: 'string' },
      // Extra node flags for the bundled agent, e.g. a smaller V8 young generation.
      'node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  const idleS = Number(values.idle);
  const cycles = Number(values.cycles);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const bundle = values.bundle ?? join(root, 'apps', 'agent', 'dist', 'keepwatch-agent.mjs');
  const sea = join(root, 'apps', 'agent', 'dist', 'keepwatch-agent');
  if (!values.tsx && values.bundle === undefined) {
    // Always rebuilt: a stale bundle would measure yesterday's agent.
    const agentDir = join(root, 'apps', 'agent');
    const args = values.sea
      ? ['-C', agentDir, 'build:sea']
      : ['-C', agentDir, 'exec', 'node', 'build.mjs'];
    const b = spawnSync('pnpm', args, { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('agent build failed');
  }
  const log = (l: string): void => void process.stderr.write(`[bench] ${l}\n`);
  log(`starting the lab and the stack (agents from ${values.tsx ? 'TypeScript via tsx' : bundle})`);
  const stack = await startStack({ prefix: 'kwb', subnet: '10.86.0', log });
  try {
    if (values.sea) await useBundle(stack, [sea]);
    // The lab's default is the bundle (as install.sh installs it); --tsx measures the sources.
    else if (values.tsx)
      await useBundle(stack, [
        process.execPath,
        '--import',
        'tsx',
        join(root, 'apps', 'agent', 'src', 'main.ts'),
      ]);
    else if (!values.tsx)
      await useBundle(stack, [process.execPath, ...(values['node-arg'] ?? []), bundle]);
    const pids = await agentPids(stack);
    const settleS = Number(values.settle);
    log(`agents: ${JSON.stringify(pids)}; settling ${settleS} s`);
    await new Promise((r) => setTimeout(r, settleS * 1000));
    const rows: string[][] = [];
    const idle = await Promise.all(
      Object.entries(pids).map(
        async ([host, pid]) =>
          [
            host,
            await measure(pid, () => new Promise((r) => setTimeout(r, idleS * 1000))),
          ] as const,
      ),
    );
    log(
      `idle window done (${idleS} s); failover burst: ${cycles} keepalived stop/start cycles on lb1`,
    );
    const burstFn = async (): Promise<void> => {
      for (let i = 0; i < cycles; i++) {
        await stack.lab.service('lb1', 'keepalived', 'stop');
        await stack.lab.service('lb1', 'keepalived', 'start');
      }
      await new Promise((r) => setTimeout(r, 3000));
    };
    const burstPromise = burstFn();
    const burst = await Promise.all(
      Object.entries(pids).map(
        async ([host, pid]) => [host, await measure(pid, () => burstPromise)] as const,
      ),
    );
    const hwm = Object.fromEntries(
      Object.entries(pids).map(([h, pid]) => [h, sample(pid).hwmKb / 1024]),
    );
    for (const [host, w] of idle) {
      rows.push([
        host,
        'idle CPU (% of one core)',
        w.cpuPercent.toFixed(2),
        `≤ ${TARGET_IDLE_CPU}`,
        w.cpuPercent <= TARGET_IDLE_CPU ? 'ok' : 'OVER',
      ]);
      rows.push([
        host,
        'idle RSS max (MB)',
        w.rssMaxMb.toFixed(1),
        `≤ ${TARGET_RSS_MB}`,
        w.rssMaxMb <= TARGET_RSS_MB ? 'ok' : 'OVER',
      ]);
    }
    for (const [host, w] of burst) {
      rows.push([
        host,
        `burst CPU (${w.seconds.toFixed(0)} s, % of one core)`,
        w.cpuPercent.toFixed(2),
        '-',
        '-',
      ]);
      rows.push([
        host,
        'burst RSS max (MB)',
        w.rssMaxMb.toFixed(1),
        `≤ ${TARGET_RSS_MB}`,
        w.rssMaxMb <= TARGET_RSS_MB ? 'ok' : 'OVER',
      ]);
      const peak = hwm[host] ?? 0;
      rows.push([
        host,
        'peak RSS, VmHWM (MB)',
        peak.toFixed(1),
        `≤ ${TARGET_RSS_MB}`,
        peak <= TARGET_RSS_MB ? 'ok' : 'OVER',
      ]);
    }
    const head = ['host', 'metric', 'value', 'target', ''];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    const flags = (values['node-arg'] ?? []).join(' ');
    console.log(
      `agent bench: ${values.tsx ? 'tsx' : values.sea ? `${sea} (single executable)` : bundle}, idle ${idleS} s after ${values.settle} s, ${cycles} failover cycles, CLK_TCK ${CLK_TCK}, node ${process.version}${flags ? ` ${flags}` : ''}`,
    );
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));
    const runtime = values.tsx ? 'tsx' : values.sea ? 'single executable' : 'bundle';
    const figures: Figure[] = rows.map(([host, metric, value, target, mark]) => ({
      figure: `agent (${runtime}) on ${host ?? ''}: ${metric ?? ''}`,
      value: value ?? '',
      ...(target && target !== '-' && { target, ok: mark === 'ok' }),
    }));
    const command = `pnpm bench agent${process.argv
      .slice(2)
      .filter((a) => a !== '--')
      .map((a) => ` ${a}`)
      .join('')}`;
    console.log(`written to ${writeResult({ bench: 'agent', command, figures })}`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
