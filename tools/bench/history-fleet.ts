/*
 * The simulated fleet of `pnpm bench history`: clusters of two load balancers and their
 * backends, what their agents send (hello, snapshots, failovers, Tomcat flips, stub_status
 * every 5 s) and one simulated hour of it pushed into the history store under an injected
 * clock. Deterministic (a seeded PRNG): the same run every time.
 */
import type { AgentDataMessage, AgentHello, AgentSnapshot } from '@keepwatch/shared';
import type { HistoryStore } from '../../apps/server/src/modules/history/history-store';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Deterministic PRNG (mulberry32): the same run every time. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Host {
  agentId: string;
  clusterId: string;
  name: string;
  role: 'lb' | 'backend';
  seq: number;
  master: boolean;
  healthy: boolean;
  requests: number;
}

type SimEvent = { ts: number } & (
  { kind: 'failover'; clusterId: string } | { kind: 'reconnect' | 'flip'; host: Host }
);

export interface HistoryFleetOptions {
  clusters: number;
  backends: number;
  /** The store's injected clock, moved on by hour(). */
  clock: { now: number };
  seed?: number;
}

export interface HistoryFleet {
  hosts: number;
  /** Messages fed so far. */
  counts: { snapshots: number; changes: number; stats: number };
  /** Every agent's hello and first snapshot at `t0`. */
  connect(store: HistoryStore, t0: number): void;
  /** One simulated hour: events at their own times, stats every 5 s, commit, then the job. */
  hour(store: HistoryStore, start: number): Promise<void>;
}

export function historyFleet(o: HistoryFleetOptions): HistoryFleet {
  const { clusters, backends, clock } = o;
  const rand = rng(o.seed ?? 42);
  const fleet: Host[] = [];
  for (let c = 0; c < clusters; c++) {
    const clusterId = `cluster-${c}`;
    for (const [i, name] of ['lb1', 'lb2'].entries())
      fleet.push({
        agentId: `${clusterId}-${name}`,
        clusterId,
        name,
        role: 'lb',
        seq: 0,
        master: i === 0,
        healthy: true,
        requests: 0,
      });
    for (let b = 1; b <= backends; b++)
      fleet.push({
        agentId: `${clusterId}-web${b}`,
        clusterId,
        name: `web${b}`,
        role: 'backend',
        seq: 0,
        master: false,
        healthy: true,
        requests: 0,
      });
  }
  const lbs = fleet.filter((h) => h.role === 'lb');
  const VIP = (h: Host): string => `10.${Number(h.clusterId.split('-')[1]) % 250}.0.50`;

  const helloOf = (h: Host): AgentHello => ({
    type: 'hello',
    protocol: 1,
    agentId: h.agentId,
    token: 'bench',
    node: { name: h.name, role: h.role, cluster: { id: h.clusterId, name: h.clusterId } },
    facts: { hostname: h.name, agentVersion: 'bench' },
    capabilities: {
      observe: h.role === 'lb' ? ['keepalived', 'vip', 'nginx'] : ['tomcat'],
      control: [],
    },
  });

  function snapshotOf(h: Host, ts: number): AgentSnapshot {
    const health = { healthy: h.healthy, checkedAt: ts, latencyMs: 1 + rand() * 3 };
    const base = {
      type: 'snapshot' as const,
      seq: ++h.seq,
      ts,
      addresses: [{ address: `10.0.0.${fleet.indexOf(h) % 250}`, prefix: 24, interface: 'eth0' }],
    };
    if (h.role === 'backend') return { ...base, vrrp: [], services: { tomcat: health } };
    const state = h.master ? 'MASTER' : 'BACKUP';
    const prio = h.master ? 150 : 100;
    return {
      ...base,
      vrrp: [
        {
          instance: 'VI_1',
          state,
          priority: prio,
          effectivePriority: prio,
          vrid: 51,
          interface: 'eth0',
          vips: [VIP(h)],
        },
      ],
      addresses: h.master
        ? [...base.addresses, { address: VIP(h), prefix: 32, interface: 'eth0' }]
        : base.addresses,
      services: { nginx: health, keepalived: { healthy: true, checkedAt: ts } },
      keepalivedRunning: true,
      upstreams: fleet
        .filter((b) => b.clusterId === h.clusterId && b.role === 'backend')
        .map((b) => ({ server: `${b.name}:8080`, health: { healthy: b.healthy, checkedAt: ts } })),
    };
  }

  const counts = { snapshots: 0, changes: 0, stats: 0 };

  function send(store: HistoryStore, h: Host, msg: AgentDataMessage, at: number): void {
    if (msg.type === 'snapshot') counts.snapshots++;
    else counts.changes++;
    store.data(h.agentId, msg, at).catch((err: unknown) => {
      process.stderr.write(`store failed: ${String(err)}\n`);
      process.exitCode = 1;
    });
  }

  /** A failover in one cluster: the MASTER steps down, the BACKUP takes the VIP (4 messages). */
  function failover(store: HistoryStore, clusterId: string, ts: number): void {
    const [a, b] = lbs.filter((h) => h.clusterId === clusterId);
    if (!a || !b) return;
    for (const [h, k] of [
      [a, 0],
      [b, 40],
    ] as const) {
      h.master = !h.master;
      const t = ts + k;
      send(
        store,
        h,
        {
          type: 'vrrp.transition',
          seq: ++h.seq,
          ts: t,
          instance: 'VI_1',
          state: h.master ? 'MASTER' : 'BACKUP',
          effectivePriority: h.master ? 150 : 100,
          source: 'fifo',
        },
        t + 5,
      );
      send(
        store,
        h,
        {
          type: 'vip.change',
          seq: ++h.seq,
          ts: t + 1,
          action: h.master ? 'add' : 'remove',
          address: { address: VIP(h), prefix: 32, interface: 'eth0' },
        },
        t + 6,
      );
    }
  }

  /** A backend's Tomcat flips; both LBs see the upstream flip too. */
  function healthFlip(store: HistoryStore, b: Host, ts: number): void {
    b.healthy = !b.healthy;
    const health = {
      healthy: b.healthy,
      checkedAt: ts,
      latencyMs: b.healthy ? 2 : 400,
      ...(!b.healthy && { detail: 'HTTP 503' }),
    };
    send(store, b, { type: 'service.health', seq: ++b.seq, ts, service: 'tomcat', health }, ts + 3);
    for (const lb of lbs.filter((h) => h.clusterId === b.clusterId)) {
      send(
        store,
        lb,
        {
          type: 'upstream.health',
          seq: ++lb.seq,
          ts: ts + 200,
          upstream: { server: `${b.name}:8080`, health },
        },
        ts + 205,
      );
    }
  }

  /** stub_status every 5 s per LB: the MASTER carries the traffic, with a daily curve. */
  function stats(store: HistoryStore, ts: number): void {
    const day = Math.sin((2 * Math.PI * (ts % DAY)) / DAY);
    for (const lb of lbs) {
      const rps = lb.master ? 200 * (1 + 0.6 * day) * (0.9 + rand() * 0.2) : rand() < 0.5 ? 0 : 1;
      lb.requests += Math.round(rps * 5);
      const active = Math.round(rps * 0.05 + rand() * 3);
      store.stats(lb.agentId, {
        type: 'stats',
        ts,
        nginx: {
          active,
          accepts: lb.requests,
          handled: lb.requests,
          requests: lb.requests,
          reading: 0,
          writing: 1,
          waiting: active,
        },
      });
      counts.stats++;
    }
  }

  /** This hour's random events: ~2 failovers per cluster a day, ~2 Tomcat flips per backend a day, ~1 reconnect per host a day. */
  function plan(start: number): SimEvent[] {
    const at = (): number => Math.round(start + rand() * HOUR);
    const events: SimEvent[] = [];
    for (let c = 0; c < clusters; c++)
      if (rand() < 2 / 24) events.push({ ts: at(), kind: 'failover', clusterId: `cluster-${c}` });
    for (const host of fleet) {
      if (rand() < 1 / 24) events.push({ ts: at(), kind: 'reconnect', host });
      if (host.role === 'backend' && rand() < 2 / 24) events.push({ ts: at(), kind: 'flip', host });
    }
    return events.sort((a, b) => a.ts - b.ts);
  }

  function apply(store: HistoryStore, e: SimEvent): void {
    if (e.kind === 'failover') return failover(store, e.clusterId, e.ts);
    if (e.kind === 'flip') return healthFlip(store, e.host, e.ts);
    store.hello(helloOf(e.host), e.ts);
    send(store, e.host, snapshotOf(e.host, e.ts), e.ts);
  }

  /** One simulated hour: events at their own times, stats every 5 s, commit, then the job. */
  async function hour(store: HistoryStore, start: number): Promise<void> {
    const events = plan(start);
    let next = 0;
    for (let ts = start; ts < start + HOUR; ts += 5000) {
      clock.now = ts;
      for (let e = events[next]; e && e.ts < ts; e = events[++next]) apply(store, e);
      stats(store, ts);
    }
    await store.writer.flush();
    clock.now = start + HOUR;
    await store.maintenance.run();
  }

  return {
    hosts: fleet.length,
    counts,
    connect: (store, t0) => {
      for (const h of fleet) {
        store.hello(helloOf(h), t0);
        send(store, h, snapshotOf(h, t0), t0);
      }
    },
    hour,
  };
}
