import type { ProbeRunParams, ProbeSampleTuple } from '@keepwatch/shared';
import { ClientProbe, type ProbeSample } from '@keepwatch/probe';
import type { Logger } from '../log';
import type { DataMessageInput } from '../outbox';

/*
 * `probe.run`: the drill's client probe on this host, for panels that cannot reach the VIP
 * themselves. Samples go out as durable `probe.samples` batches (every BATCH_MS, so the
 * drill's progress page draws them as they come; replayed after a cut like any data), and
 * the run ends by itself after durationMs: a server that dies mid-drill leaves no probe
 * behind. One run at a time per agent.
 */

const BATCH_MS = 500;
const MAX_BATCH = 2000;

export type ProbeOutcome = { ok: true } | { ok: false; code: string; message: string };

interface Run {
  probeId: string;
  probes: { name: string; probe: ClientProbe; buffer: ProbeSampleTuple[] }[];
  flushTimer: NodeJS.Timeout;
  endTimer: NodeJS.Timeout;
  ended: Promise<void> | undefined;
}

const tuple = (s: ProbeSample): ProbeSampleTuple => [s.t, s.ms, s.r, s.lb];

export class ProbeRunner {
  private run: Run | undefined;

  constructor(
    private readonly send: (msg: DataMessageInput) => void,
    private readonly log: Logger,
  ) {}

  start(p: ProbeRunParams): ProbeOutcome {
    if (this.run)
      return {
        ok: false,
        code: 'conflict',
        message: `probe ${this.run.probeId} is already running on this agent`,
      };
    let probes: Run['probes'];
    try {
      probes = p.targets.map((t) => {
        const entry = { name: t.name, buffer: [] as ProbeSampleTuple[] };
        const probe = new ClientProbe({
          url: t.url,
          intervalMs: t.intervalMs,
          timeoutMs: t.timeoutMs,
          onSample: (s) => {
            if (entry.buffer.length < MAX_BATCH) entry.buffer.push(tuple(s));
          },
        });
        return { ...entry, probe };
      });
    } catch (err) {
      return { ok: false, code: 'invalid', message: (err as Error).message };
    }
    const run: Run = {
      probeId: p.probeId,
      probes,
      flushTimer: setInterval(() => this.flush(run, false), BATCH_MS),
      endTimer: setTimeout(() => void this.end(run), p.durationMs),
      ended: undefined,
    };
    run.flushTimer.unref();
    run.endTimer.unref();
    this.run = run;
    for (const x of probes) x.probe.start();
    this.log.info('client probe started', {
      probeId: p.probeId,
      targets: p.targets.map((t) => `${t.name}=${t.url}@${t.intervalMs}ms`).join(' '),
      durationMs: p.durationMs,
    });
    return { ok: true };
  }

  async stop(probeId: string): Promise<ProbeOutcome> {
    const run = this.run;
    if (!run || run.probeId !== probeId)
      return { ok: false, code: 'invalid', message: `no probe ${probeId} is running` };
    await this.end(run);
    return { ok: true };
  }

  /** Agent stopping: end the run now (its last samples still go to the outbox). */
  async dispose(): Promise<void> {
    if (this.run) await this.end(this.run);
  }

  private end(run: Run): Promise<void> {
    run.ended ??= (async () => {
      clearInterval(run.flushTimer);
      clearTimeout(run.endTimer);
      await Promise.all(run.probes.map((x) => x.probe.stop()));
      this.flush(run, true);
      if (this.run === run) this.run = undefined;
      this.log.info('client probe ended', {
        probeId: run.probeId,
        requests: run.probes.reduce((n, x) => n + x.probe.sent, 0),
      });
    })();
    return run.ended;
  }

  private flush(run: Run, final: boolean): void {
    for (const x of run.probes) {
      if (x.buffer.length === 0 && !final) continue;
      const samples = x.buffer.splice(0);
      this.send({
        type: 'probe.samples',
        probeId: run.probeId,
        target: x.name,
        samples,
        ...(final && { final: true }),
      });
    }
  }
}
