import { LiveWatch, login } from './live-watch';
import { ProcWindow, percentile, treeSampler, type ProcSampler } from './proc-stats';
import {
  failovers,
  makeFleet,
  per10s,
  sleep,
  startAll,
  until,
  type ServerHandle,
  type Watcher,
} from './run-load';
import type { SimAgent } from './sim-agent';

/*
 * One load run against server replicas sharing one database: pair i is homed on replica
 * i mod n (its agents try the others in turn when their socket drops, as the agent's
 * `--replicas` list does), one browser per replica watches every failover, so each latency
 * is either `local` (the pair's home is the browser's replica) or `cross` (it crossed the
 * database's change feed). Then replica 0 is killed (SIGKILL) and its agents move to the
 * others; failovers go on, watched on replica 1, and the run drains.
 */

export interface ReplicaLoadOptions {
  agents: number;
  steadyS: number;
  afterKillS: number;
  meanFailoverS: number;
  statsEveryMs: number;
  /** The database server's main pid (PostgreSQL's postmaster): its tree's CPU and memory. */
  dbPid: number;
  /** SIGKILLs replica 0; resolves once it is gone. */
  killFirst: () => Promise<void>;
  /** Each failover of the steady phase once sent: the new MASTER's id, its last seq, when. */
  onFailover?: (agentId: string, seq: number, sentAt: number) => void;
  log: (line: string) => void;
}

export interface Latency {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Usage {
  cpuPercent: number;
  /** RSS for a server, PSS summed over the tree for the database. */
  memMaxMb: number;
}

export interface ReplicaLoadResult {
  agents: number;
  replicas: number;
  /** Agents welcomed by each replica once all were connected. */
  homes: number[];
  connectAllS: number;
  connectPer10s: number[];
  failovers: number;
  local: Latency;
  /** A steady failover sent → its ack (stored at the agent's home replica). */
  acks: Latency;
  cross: Latency;
  /** Failovers a browser never saw (every browser expects every failover). */
  unseen: number;
  servers: Usage[];
  db: Usage;
  generator: Usage;
  /** From the SIGKILL of replica 0 until every agent was welcomed again by another. */
  movedAllS: number;
  afterKill: Latency;
  sent: number;
  unacknowledged: number;
  badFrames: number;
  refused: number;
  /** agentId → highest acknowledged seq (the caller checks the database holds them all). */
  acked: Map<string, number>;
}

function latency(values: readonly number[]): Latency {
  return {
    n: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    maxMs: percentile(values, 100),
  };
}

/** This process (the generator and its browsers), CPU and RSS. */
const selfSampler = (): ProcSampler => ({
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
  memMb: () => process.memoryUsage.rss() / 2 ** 20,
});

const usage = (u: { cpuPercent: number; rssMaxMb: number }): Usage => ({
  cpuPercent: u.cpuPercent,
  memMaxMb: u.rssMaxMb,
});

export async function runReplicaLoad(
  servers: readonly ServerHandle[],
  o: ReplicaLoadOptions,
): Promise<ReplicaLoadResult> {
  const n = servers.length;
  if (n < 2) throw new Error('runReplicaLoad needs two replicas or more');
  const welcomes: number[] = [];
  const base = servers.map((s) => s.wsUrl);
  const pairs = makeFleet(
    (i) => base.map((_, k) => base[(i + k) % n] ?? ''),
    servers[0]?.agentToken ?? '',
    o,
    welcomes,
  );
  const all = pairs.flat();
  const homeOf = (a: SimAgent): number => base.findIndex((u) => a.url.startsWith(`${u}/`));
  const watchers: Watcher[] = [];
  for (const [k, s] of servers.entries()) {
    const watch = new LiveWatch(s.wsUrl, await login(s.baseUrl, s.adminPassword));
    await watch.ready;
    watchers.push({ watch, tag: (to) => (homeOf(to) === k ? 'local' : 'cross') });
  }
  const t0 = performance.now();
  await startAll(all);
  const connectAllS = await until('all agents connected', () => all.every((a) => a.isOnline), 900);
  const homes = servers.map((_, k) => all.filter((a) => homeOf(a) === k).length);
  o.log(`${o.agents} agents connected in ${connectAllS.toFixed(1)} s (homes ${homes.join(' / ')})`);
  await sleep(3000);
  const wins = servers.map((s) => new ProcWindow(s.pid));
  const dbWin = new ProcWindow(treeSampler(o.dbPid));
  const selfWin = new ProcWindow(selfSampler());
  let count = await failovers(pairs, watchers, o.meanFailoverS, o.steadyS, (to, at) => {
    to.timeAck(to.seq, at);
    o.onFailover?.(to.agentId, to.seq, at);
  });
  const serverUse = wins.map((w) => usage(w.end()));
  const dbUse = usage(dbWin.end());
  const selfUse = usage(selfWin.end());
  // Let the last failovers' patches arrive before the browsers' figures are read.
  await sleep(2000);
  const byTag = (tag: string): number[] => watchers.flatMap((w) => w.watch.tagged.get(tag) ?? []);
  const local = latency(byTag('local'));
  const cross = latency(byTag('cross'));
  // The steady phase's failovers only: timed above, acked before the kill.
  const acks = latency(all.flatMap((a) => a.ackDelays));
  const [first, ...rest] = watchers;
  // Replica 0's browser goes with it; the others keep counting what they never saw.
  let unseen = first?.watch.unseen ?? 0;
  first?.watch.close();

  o.log('SIGKILL replica 0 under its agents');
  const k0 = performance.now();
  await o.killFirst();
  // The agents see their sockets close a moment after the kill: wait for that first.
  await until('replica 0 agents dropped', () => all.some((a) => !a.isOnline), 30);
  await until('all agents moved', () => all.every((a) => a.isOnline), 900);
  const movedAllS = (performance.now() - k0) / 1000;
  o.log(`all agents welcomed by the other replicas ${movedAllS.toFixed(1)} s after the kill`);
  const survivors = rest.map((w) => ({ watch: w.watch, tag: () => 'after-kill' }));
  count += await failovers(pairs, survivors, o.meanFailoverS, o.afterKillS);
  await until('all messages acknowledged', () => all.every((a) => a.unackedCount === 0), 60).catch(
    (e: unknown) => o.log(String(e)),
  );
  await sleep(2000);
  const afterKill = latency(rest.flatMap((w) => w.watch.tagged.get('after-kill') ?? []));
  unseen += rest.reduce((s, w) => s + w.watch.unseen, 0);
  for (const w of rest) w.watch.close();
  for (const a of all) a.stop();
  return {
    agents: o.agents,
    replicas: n,
    homes,
    connectAllS,
    connectPer10s: per10s(welcomes, t0),
    failovers: count,
    local,
    cross,
    acks,
    unseen,
    servers: serverUse,
    db: dbUse,
    generator: selfUse,
    movedAllS,
    afterKill,
    sent: all.reduce((s, a) => s + a.sent, 0),
    unacknowledged: all.reduce((s, a) => s + a.unackedCount, 0),
    badFrames:
      all.reduce((s, a) => s + a.badFrames, 0) +
      watchers.reduce((s, w) => s + w.watch.badFrames, 0),
    refused: all.reduce((s, a) => s + a.refused, 0),
    acked: new Map(all.map((a) => [a.agentId, a.acked])),
  };
}
