import type { UpstreamHealth } from '@keepwatch/shared';
import { HttpProber } from './http-probe';
import type { Emit } from './observations';
import { sleepToBoundary } from './timing';

/*
 * Every upstream server of nginx.conf as the load balancer sees it: an HTTP GET from the
 * LB to http://host:port/ (all servers in parallel). The server list comes from the config
 * observer whenever nginx.conf changes.
 *
 * Every 2 s by default, and every 1 s while any server is unhealthy (so a recovery is seen
 * as fast as a failure). Each backend's own agent probes it at its configured interval
 * (≤ 1 s); this is the LB's view of the same thing, and on a pool of dozens of servers a
 * 1 s cadence would make the agent the busiest process on an idle load balancer.
 */

export const UPSTREAM_INTERVAL_MS = 2000;
export const UPSTREAM_FAST_INTERVAL_MS = 1000;

export interface UpstreamCollectorOptions {
  emit: Emit;
  intervalMs?: number;
  fastIntervalMs?: number;
  timeoutMs?: number;
}

export class UpstreamCollector {
  private servers: string[] = [];
  private loop: Promise<void> | undefined;
  /** One kept-alive prober per server, dropped with the server. */
  private probers = new Map<string, HttpProber>();

  constructor(private readonly opts: UpstreamCollectorOptions) {}

  setServers(servers: string[]): void {
    this.servers = [...new Set(servers)];
    const next = new Map(
      this.servers.map((s) => [s, this.probers.get(s) ?? new HttpProber(`http://${s}/`)]),
    );
    for (const [server, prober] of this.probers) if (!next.has(server)) prober.close();
    this.probers = next;
  }

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const slow = this.opts.intervalMs ?? UPSTREAM_INTERVAL_MS;
    const fast = Math.min(slow, this.opts.fastIntervalMs ?? UPSTREAM_FAST_INTERVAL_MS);
    const timeout = this.opts.timeoutMs ?? Math.min(800, fast);
    let allHealthy = true;
    while (!signal.aborted) {
      const probers = this.probers;
      if (probers.size > 0) {
        const list: UpstreamHealth[] = await Promise.all(
          [...probers].map(async ([server, prober]) => ({
            server,
            health: await prober.probe(timeout),
          })),
        );
        if (signal.aborted) break;
        allHealthy = list.every((u) => u.health.healthy);
        this.opts.emit({ kind: 'upstreams', ts: Date.now(), list });
      }
      await sleepToBoundary(allHealthy ? slow : fast, signal);
    }
    for (const prober of this.probers.values()) prober.close();
  }
}
