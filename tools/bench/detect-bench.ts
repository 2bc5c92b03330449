/**
 * `pnpm bench detect [--moves 20]`: detection latency on the real lab, kernel VIP change →
 * browser patch (issue 11 Build 1a). Run it under the lab lock:
 *   flock /tmp/keepwatch-lab.lock pnpm bench detect
 *
 * Brings up the whole stack (lab prefix kwsb, 10.109.0.0/24: scale's subnet, shared with
 * packages/resilience agent-cut.lab.test.ts, which the lab lock keeps from running at the
 * same time): real keepalived, nginx and Tomcat, the agents from their bundle, the server in
 * this process, and a browser live feed (the dashboard's protocol). The VIP is moved --moves
 * times (keepalived on lb1 stopped: lb2 takes it; started: lb1 preempts). An independent
 * observer, `ip -n <lb> monitor address` run by this bench, stamps the moment the kernel of
 * the new holder gets the VIP (netlink → this process: well under a millisecond); the live
 * feed stamps the first patch that shows the new holder. Latency = patch − kernel, one clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { percentile } from '@keepwatch/loadgen';
import { holdersOf, startStack, type Stack } from '@keepwatch/stack';
import { figuresTable, writeResult, type Figure } from './results';

const PREFIX = 'kwsb';
const SUBNET = '10.109.0';
const VIP = `${SUBNET}.50`;
const { values } = parseArgs({ options: { moves: { type: 'string', default: '20' } } });
const log = (l: string): void => void process.stderr.write(`[bench detect] ${l}\n`);
const command = `pnpm bench detect${process.argv
  .slice(2)
  .filter((a) => a !== '--')
  .map((a) => ` ${a}`)
  .join('')}`;

/** Kernel VIP additions per host, stamped on arrival (Date.now()). */
class KernelWatch {
  private readonly procs: ChildProcess[] = [];
  private readonly added = new Map<string, number[]>();

  constructor(hosts: { name: string; ns: string }[]) {
    for (const h of hosts) {
      const p = spawn('ip', ['-n', h.ns, 'monitor', 'address'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let rest = '';
      p.stdout?.on('data', (chunk: Buffer) => {
        const at = Date.now();
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines)
          if (!line.startsWith('Deleted') && line.includes(` ${VIP}/`))
            this.added.set(h.name, [...(this.added.get(h.name) ?? []), at]);
      });
      this.procs.push(p);
    }
  }

  /** The first kernel addition on `host` at or after `since`. */
  addedSince(host: string, since: number): number | undefined {
    return this.added.get(host)?.find((t) => t >= since);
  }

  close(): void {
    for (const p of this.procs) p.kill();
  }
}

/** vip.change additions of the VIP as the server took them in: agent's time and receive time. */
class ServerWatch {
  private readonly seen: { ts: number; at: number }[] = [];
  constructor(stack: Stack) {
    stack.app.bus.on('agent.data', ({ message, at }) => {
      if (
        message.type === 'vip.change' &&
        message.action === 'add' &&
        message.address.address === VIP
      )
        this.seen.push({ ts: message.ts, at });
    });
  }
  /** The first one the agent stamped at or after `since`. */
  since(since: number): { ts: number; at: number } | undefined {
    return this.seen.find((s) => s.ts >= since);
  }
}

interface Move {
  /** kernel → browser patch, the figure. */
  total: number;
  /** kernel → the agent's stamp (its `ip monitor` line read). */
  agent: number;
  /** the agent's stamp → the server's receive (re-read, outbox fsync, socket). */
  wire: number;
  /** the server's receive → the browser's patch. */
  server: number;
}

async function oneMove(
  stack: Stack,
  kernel: KernelWatch,
  server: ServerWatch,
  to: 'lb1' | 'lb2',
): Promise<Move> {
  const since = Date.now();
  let patchAt = 0;
  const shown = stack.live.waitFor(
    `${to} holding ${VIP} in the live feed`,
    (s) => holdersOf(s, PREFIX, VIP).includes(to),
    30_000,
  );
  void shown.then(() => (patchAt = Date.now())).catch(() => undefined);
  await stack.lab.service('lb1', 'keepalived', to === 'lb2' ? 'stop' : 'start');
  await shown;
  // The live feed may show it before `ip monitor`'s line is read: wait a moment for the line.
  for (let i = 0; i < 50 && kernel.addedSince(to, since) === undefined; i++)
    await new Promise((r) => setTimeout(r, 20));
  const kernelAt = kernel.addedSince(to, since);
  if (kernelAt === undefined) throw new Error(`no kernel VIP addition seen on ${to}`);
  // The old holder must be gone before the next move measures again.
  await stack.live.waitFor(
    `only ${to} holding ${VIP}`,
    (s) => holdersOf(s, PREFIX, VIP).join() === to,
    30_000,
  );
  const got = server.since(kernelAt - 5);
  return {
    total: patchAt - kernelAt,
    agent: got ? got.ts - kernelAt : Number.NaN,
    wire: got ? got.at - got.ts : Number.NaN,
    server: got ? patchAt - got.at : Number.NaN,
  };
}

async function main(): Promise<void> {
  const moves = Number(values.moves);
  const stack = await startStack({ prefix: PREFIX, subnet: SUBNET, log });
  const kernel = new KernelWatch(stack.lab.hosts.filter((h) => h.role === 'lb'));
  const server = new ServerWatch(stack);
  const latencies: number[] = [];
  const stages: Move[] = [];
  try {
    await stack.live.waitFor(
      'lb1 holding the VIP',
      (s) => holdersOf(s, PREFIX, VIP).join() === 'lb1',
      30_000,
    );
    for (let i = 0; i < moves; i++) {
      const m = await oneMove(stack, kernel, server, i % 2 === 0 ? 'lb2' : 'lb1');
      latencies.push(m.total);
      stages.push(m);
      log(
        `move ${i + 1}/${moves}: kernel → browser patch ${m.total} ms ` +
          `(agent stamp +${m.agent}, server receive +${m.wire}, patch +${m.server})`,
      );
    }
  } finally {
    kernel.close();
    await stack.stop();
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const figures: Figure[] = [
    {
      figure: `detection: kernel VIP change → browser patch p50 / p99 (${latencies.length} moves, real lab)`,
      value: `${p50} / ${p99} ms`,
      target: 'p99 ≤ 50 ms',
      ok: p99 <= 50,
    },
    { figure: 'detection: worst move', value: `${Math.max(...latencies)} ms` },
  ];
  const path = writeResult({ bench: 'detect', command, figures, data: { latencies, stages } });
  process.stdout.write(`${command}\n\n${figuresTable(figures)}\n\nwritten to ${path}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
