import type { ProbeSampleTuple, ProbeTarget } from '@keepwatch/shared';
import { ProbeGroup } from '@keepwatch/probe';
import type { RunnerPorts } from './drill-runner';
import type { PortDeps } from './drill-ports';

/*
 * The client probe run by the server itself (`probeFrom: 'server'`): the VIP and each load
 * balancer's own address on one timer (ProbeGroup), their samples handed to the runner (and
 * so to the live feed) in batches of at least 250 ms from that same timer. One wakeup per VIP
 * slot serves everything: no timer per load balancer nor for the batches (`pnpm bench drill`
 * holds the server to 5 % of one core while it probes).
 */

const SAMPLE_BATCH_MS = 250;

/** `targets`: the VIP first (its interval is the timer's), then the load balancers. */
export function serverProbe(
  deps: Pick<PortDeps, 'runner'>,
  targets: () => ProbeTarget[],
): Pick<RunnerPorts, 'startProbe' | 'stopProbe'> {
  let group: ProbeGroup | undefined;
  let bufs = new Map<string, ProbeSampleTuple[]>();
  let flushedAt = 0;
  let stopTimer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    flushedAt = performance.now();
    const full = [...bufs].filter(([, b]) => b.length > 0);
    for (const [name] of full) bufs.set(name, []);
    for (const [name, batch] of full) deps.runner().addSamples(name, batch);
  };
  const stop = async (): Promise<void> => {
    clearTimeout(stopTimer);
    const g = group;
    group = undefined;
    await g?.stop();
    flush();
    bufs = new Map();
  };
  return {
    startProbe: (durationMs) => {
      const list = targets();
      bufs = new Map(list.map((t) => [t.name, []]));
      flushedAt = performance.now();
      group = new ProbeGroup({
        targets: list,
        onSample: (name, s) => bufs.get(name)?.push([s.t, s.ms, s.r, s.lb]),
        onTick: () => {
          if (performance.now() - flushedAt >= SAMPLE_BATCH_MS) flush();
        },
      });
      group.start();
      // RN-9: bounded: the probe stops by itself after the drill's longest possible run.
      stopTimer = setTimeout(() => void stop(), durationMs);
      stopTimer.unref();
      return Promise.resolve();
    },
    stopProbe: stop,
  };
}
