import { Agent, request } from 'node:http';
import type { HttpProbeConfig, ServiceHealth, ServiceName } from '@keepwatch/shared';
import type { Logger } from './log';
import type { Emit } from './observations';
import { sleep } from './timing';

/**
 * A keep-alive agent for probing one target every interval: one reused connection instead
 * of a connect/close per probe (~⅓ less CPU per probe, measured). It still sees a dead
 * listener promptly: a stopped server closes the idle connection, the agent drops it, and
 * the next probe connects afresh (ECONNREFUSED); a timed-out probe destroys its socket.
 */
export function probeAgent(): Agent {
  // `timeout` closes a connection idle for 2 s ourselves, before servers with short
  // keep-alive timeouts (Node's 5 s, Apache's 5 s) could close it just as a probe reuses it.
  return new Agent({
    keepAlive: true,
    maxSockets: 1,
    maxFreeSockets: 1,
    scheduling: 'lifo',
    timeout: 2000,
  });
}

/**
 * One GET with a hard deadline. Healthy = 2xx/3xx. Latency is time to response headers.
 * Never rejects: failures are described ("connect ECONNREFUSED", "HTTP 502", "timeout after 400 ms").
 * Without `agent`, a fresh connection (one-off probes, e.g. after a config apply).
 */
export function probeHttp(url: string, timeoutMs: number, agent?: Agent): Promise<ServiceHealth> {
  const started = performance.now();
  const checkedAt = Date.now();
  const latency = (): number => Math.round((performance.now() - started) * 100) / 100;
  return new Promise((resolve) => {
    let settled = false;
    const done = (h: Omit<ServiceHealth, 'checkedAt'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...h, checkedAt });
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(url, {
        method: 'GET',
        agent: agent ?? false,
        headers: { 'user-agent': 'keepwatch-agent' },
      });
    } catch (err) {
      done({ healthy: false, detail: `bad probe url: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      done({ healthy: false, detail: `timeout after ${timeoutMs} ms`, latencyMs: latency() });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const healthy = status >= 200 && status < 400;
      done({ healthy, detail: `HTTP ${status}`, latencyMs: latency() });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const detail =
        err.syscall && err.code ? `${err.syscall} ${err.code}` : (err.code ?? err.message);
      done({ healthy: false, detail, latencyMs: latency() });
    });
    req.end();
  });
}

export interface ProbeCollectorOptions {
  service: ServiceName;
  probe: HttpProbeConfig;
  log: Logger;
  emit: Emit;
}

/** Probes one service forever; the next probe starts only after the previous one ended. */
export class ProbeCollector {
  private loop: Promise<void> | undefined;
  private readonly agent = probeAgent();
  constructor(private readonly opts: ProbeCollectorOptions) {}

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
      const started = Date.now();
      const health = await probeHttp(probe.url, probe.timeoutMs, this.agent);
      if (signal.aborted) break;
      if (health.healthy !== last) {
        this.opts.log.info(`${service} is ${health.healthy ? 'healthy' : 'UNHEALTHY'}`, {
          detail: health.detail,
        });
        last = health.healthy;
      }
      this.opts.emit({ kind: 'health', service, health });
      await sleep(Math.max(0, probe.intervalMs - (Date.now() - started)), signal);
    }
    this.agent.destroy();
  }
}
