import type { UpstreamHealth } from '@keepwatch/shared';
import type { Agent } from 'node:http';
import { probeAgent, probeHttp } from './http-probe';
import type { Emit } from './observations';
import { sleep } from './timing';

/*
 * Every upstream server of nginx.conf as the load balancer sees it: an HTTP GET from the
 * LB to http://host:port/ each interval (all servers in parallel). The server list comes
 * from the config observer whenever nginx.conf changes.
 */

export interface UpstreamCollectorOptions {
  emit: Emit;
  intervalMs?: number;
  timeoutMs?: number;
}

export class UpstreamCollector {
  private servers: string[] = [];
  private loop: Promise<void> | undefined;
  /** One keep-alive connection per server (see probeAgent), dropped with the server. */
  private agents = new Map<string, Agent>();

  constructor(private readonly opts: UpstreamCollectorOptions) {}

  setServers(servers: string[]): void {
    this.servers = [...new Set(servers)];
    const next = new Map(this.servers.map((s) => [s, this.agents.get(s) ?? probeAgent()]));
    for (const [server, agent] of this.agents) if (!next.has(server)) agent.destroy();
    this.agents = next;
  }

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const interval = this.opts.intervalMs ?? 1000;
    const timeout = this.opts.timeoutMs ?? Math.min(800, interval);
    while (!signal.aborted) {
      const started = Date.now();
      const agents = this.agents;
      if (agents.size > 0) {
        const list: UpstreamHealth[] = await Promise.all(
          [...agents].map(async ([server, agent]) => ({
            server,
            health: await probeHttp(`http://${server}/`, timeout, agent),
          })),
        );
        if (signal.aborted) break;
        this.opts.emit({ kind: 'upstreams', ts: Date.now(), list });
      }
      await sleep(Math.max(0, interval - (Date.now() - started)), signal);
    }
    for (const agent of this.agents.values()) agent.destroy();
  }
}
