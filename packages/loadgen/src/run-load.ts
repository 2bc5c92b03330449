import { LiveWatch, login } from './live-watch';
import { ProcWindow, percentile } from './proc-stats';
import { SimAgent } from './sim-agent';

/*
 * One load run against one server: N agents in pairs connect, stream for a while with
 * failovers (each pair fails over every `meanFailoverS` on average, Poisson), the server is
 * restarted under them, they reconnect and replay, and the run drains. What the bench
 * tables report comes from here.
 */

export interface ServerHandle {
  pid: number;
  baseUrl: string;
  wsUrl: string;
  adminPassword: string;
  agentToken: string;
}

export interface LoadOptions {
  agents: number;
  steadyS: number;
  afterRestartS: number;
  meanFailoverS: number;
  statsEveryMs: number;
  /** Stops the server and starts it again on the same data; resolves with the new one. */
  restart: () => Promise<ServerHandle>;
  log: (line: string) => void;
}

export interface LoadResult {
  agents: number;
  connectAllS: number;
  /** Welcomes per 10 s window from the first connect, until all were in. */
  connectPer10s: number[];
  reconnectAllS: number;
  failovers: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  failoversUnseen: number;
  cpuPercent: number;
  rssMaxMb: number;
  sent: number;
  unacknowledged: number;
  badFrames: number;
  /** agentId → highest acknowledged seq (the caller checks the database holds them all). */
  acked: Map<string, number>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(
  what: string,
  cond: () => boolean,
  timeoutS: number,
  onTick: () => void = () => undefined,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < timeoutS * 10; i++) {
    onTick();
    if (cond()) return (performance.now() - t0) / 1000;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutS} s`);
}

/**
 * `agents / 2` pairs (lb1 MASTER, lb2 BACKUP); pair i connects to `urlsOf(i)[0]` and moves
 * on to the next URL in turn when its socket drops (one URL: always the same server).
 */
export function makeFleet(
  urlsOf: (pair: number) => readonly string[],
  agentToken: string,
  o: Pick<LoadOptions, 'agents' | 'statsEveryMs'>,
  welcomes: number[],
): SimAgent[][] {
  const pairs: SimAgent[][] = [];
  for (let i = 0; i < o.agents / 2; i++) {
    const clusterId = `bench-${String(i).padStart(5, '0')}`;
    const octet = (n: number): string => `${(i >> 8) & 255}.${i & 255}.${n}`;
    const [url = '', ...replicas] = urlsOf(i).map((u) => `${u}/api/v1/agent/ws`);
    const common = {
      url,
      ...(replicas.length > 0 && { replicas }),
      token: agentToken,
      clusterId,
      vip: `10.${octet(50)}`,
      statsEveryMs: o.statsEveryMs,
      onWelcome: () => welcomes.push(performance.now()),
    };
    pairs.push([
      new SimAgent({ ...common, name: 'lb1', master: true, address: `10.${octet(11)}` }),
      new SimAgent({ ...common, name: 'lb2', master: false, address: `10.${octet(12)}` }),
    ]);
  }
  return pairs;
}

/** A browser watching the failovers; `tag` labels each one's latency (e.g. by replica). */
export interface Watcher {
  watch: LiveWatch;
  tag?: (newMaster: SimAgent) => string;
}

/** Fails pairs over at random (Poisson, one mean period per pair) for `seconds`. */
export async function failovers(
  pairs: SimAgent[][],
  watchers: readonly Watcher[],
  meanFailoverS: number,
  seconds: number,
  /** Each failover once sent: the new MASTER (its `seq` is now the failover's last) and when. */
  onFailover?: (to: SimAgent, sentAt: number) => void,
): Promise<number> {
  const tickMs = 100;
  const p = tickMs / 1000 / meanFailoverS;
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const now = Date.now();
    for (const [a, b] of pairs) {
      if (!a || !b || Math.random() >= p || !a.isOnline || !b.isOnline) continue;
      const [from, to] = a.master ? [a, b] : [b, a];
      from.failover(false, now);
      to.failover(true, now);
      for (const w of watchers)
        w.watch.expect(a.clusterId, to === a ? 'lb1' : 'lb2', now, w.tag?.(to) ?? '');
      onFailover?.(to, now);
      count += 1;
    }
    await sleep(tickMs);
  }
  return count;
}

/** Welcomes per 10 s window from t0. */
export function per10s(welcomes: readonly number[], t0: number): number[] {
  const out: number[] = [];
  for (const w of welcomes) {
    const bucket = Math.floor((w - t0) / 10_000);
    out[bucket] = (out[bucket] ?? 0) + 1;
  }
  return Array.from(out, (n) => n ?? 0);
}

/** Opens every agent's socket, in slices so the generator does not stall its own event loop. */
export async function startAll(all: readonly SimAgent[]): Promise<void> {
  for (let i = 0; i < all.length; i += 250) {
    for (const a of all.slice(i, i + 250)) a.start();
    await sleep(10);
  }
}

export async function runLoad(first: ServerHandle, o: LoadOptions): Promise<LoadResult> {
  const welcomes: number[] = [];
  const pairs = makeFleet(() => [first.wsUrl], first.agentToken, o, welcomes);
  const all = pairs.flat();
  const token = await login(first.baseUrl, first.adminPassword);
  let watch = new LiveWatch(first.wsUrl, token);
  await watch.ready;
  const t0 = performance.now();
  await startAll(all);
  const connectAllS = await until('all agents connected', () => all.every((a) => a.isOnline), 900);
  const connectPer10s = per10s(welcomes, t0);
  o.log(`${o.agents} agents connected in ${connectAllS.toFixed(1)} s; steady ${o.steadyS} s`);
  await sleep(3000);
  const win = new ProcWindow(first.pid);
  let count = await failovers(pairs, [{ watch }], o.meanFailoverS, o.steadyS);
  const usage = win.end();
  const latencies = [...watch.latencies];
  let unseen = watch.unseen;
  watch.close();

  o.log('restarting the server under the agents');
  const second = await o.restart();
  const r0 = performance.now();
  const reconnectAllS = await until(
    'all agents reconnected',
    () => all.every((a) => a.isOnline),
    900,
  );
  o.log(`all reconnected ${reconnectAllS.toFixed(1)} s after the restart began answering`);
  void r0;
  watch = new LiveWatch(second.wsUrl, await login(second.baseUrl, second.adminPassword));
  await watch.ready;
  count += await failovers(pairs, [{ watch }], o.meanFailoverS, o.afterRestartS);
  await until('all messages acknowledged', () => all.every((a) => a.unackedCount === 0), 60).catch(
    (e: unknown) => o.log(String(e)),
  );
  await sleep(2000);
  latencies.push(...watch.latencies);
  unseen += watch.unseen;
  watch.close();
  for (const a of all) a.stop();
  return {
    agents: o.agents,
    connectAllS,
    connectPer10s,
    reconnectAllS,
    failovers: count,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencyMaxMs: percentile(latencies, 100),
    failoversUnseen: unseen,
    cpuPercent: usage.cpuPercent,
    rssMaxMb: usage.rssMaxMb,
    sent: all.reduce((n, a) => n + a.sent, 0),
    unacknowledged: all.reduce((n, a) => n + a.unackedCount, 0),
    badFrames: all.reduce((n, a) => n + a.badFrames, 0) + watch.badFrames,
    acked: new Map(all.map((a) => [a.agentId, a.acked])),
  };
}
