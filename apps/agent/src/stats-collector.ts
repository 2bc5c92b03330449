import type { NginxStats, StatsSample } from '@keepwatch/shared';
import { fetchText } from './http-probe';
import { parseStubStatus } from './nginx-parsers';
import { sleepToBoundary } from './timing';

/*
 * Periodic, non-durable samples: nginx stub_status counters and the agent's own RSS and
 * CPU. Losing one costs nothing, so they bypass the outbox.
 */

export interface StatsCollectorOptions {
  /** stub_status URL, e.g. http://127.0.0.1/nginx_status; none = agent figures only. */
  stubStatusUrl?: string;
  send: (msg: StatsSample) => void;
  intervalMs?: number;
  /** The outbox's write error, if any, carried in every sample (the panel shows it). */
  outboxError?: () => { message: string; since: number } | undefined;
}

type AgentFigures = NonNullable<StatsSample['agent']>;

export class StatsCollector {
  private loop: Promise<void> | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(private readonly opts: StatsCollectorOptions) {}

  start(signal: AbortSignal): void {
    this.loop = (async () => {
      while (await sleepToBoundary(this.opts.intervalMs ?? 5000, signal)) {
        let nginx: NginxStats | undefined;
        if (this.opts.stubStatusUrl) {
          const text = await fetchText(this.opts.stubStatusUrl, 1000);
          nginx = text !== undefined ? parseStubStatus(text) : undefined;
        }
        if (signal.aborted) break;
        this.opts.send({
          type: 'stats',
          ts: Date.now(),
          ...(nginx ? { nginx } : {}),
          agent: this.self(),
        });
      }
    })();
  }

  /** A sample of the agent's own figures now (the outbox's condition changed). */
  sendNow(): void {
    this.opts.send({ type: 'stats', ts: Date.now(), agent: this.self() });
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private self(): AgentFigures {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const wallUs = (now - this.lastAt) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const cpuPercent =
      wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 10_000) / 100 : 0;
    const outboxError = this.opts.outboxError?.();
    return { rssBytes: process.memoryUsage.rss(), cpuPercent, ...(outboxError && { outboxError }) };
  }
}
