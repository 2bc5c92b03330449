import type { HttpProbeConfig, ServiceName } from '@keepwatch/shared';
import { HttpProber } from './http-probe';
import type { Logger } from './log';
import type { Emit } from './observations';
import { sleepToBoundary } from './timing';

export interface ProbeCollectorOptions {
  service: ServiceName;
  probe: HttpProbeConfig;
  log: Logger;
  emit: Emit;
}

/** Probes one service forever; the next probe starts only after the previous one ended. */
export class ProbeCollector {
  private loop: Promise<void> | undefined;
  private readonly prober: HttpProber;
  constructor(private readonly opts: ProbeCollectorOptions) {
    this.prober = new HttpProber(opts.probe.url);
  }

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { probe, service } = this.opts;
    let last: boolean | undefined;
    while (!signal.aborted) {
      const health = await this.prober.probe(probe.timeoutMs);
      if (signal.aborted) break;
      if (health.healthy !== last) {
        this.opts.log.info(`${service} is ${health.healthy ? 'healthy' : 'UNHEALTHY'}`, {
          detail: health.detail,
        });
        last = health.healthy;
      }
      this.opts.emit({ kind: 'health', service, health });
      await sleepToBoundary(probe.intervalMs, signal);
    }
    this.prober.close();
  }
}
