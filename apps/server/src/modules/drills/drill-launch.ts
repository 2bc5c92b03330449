import type { FastifyInstance } from 'fastify';
import type { DrillKind, DrillStatus, StatusCluster } from '@keepwatch/shared';
import type { DrillRepository, DrillUpdate } from '../../storage/drill-repository';
import { DrillRunner, type RunnerPlan, type RunnerTuning } from './drill-runner';
import { bindPorts, followLogs, offsetOf } from './drill-ports';
import type { Running } from './drill-feed';

/*
 * A stored drill made to run: its runner on the server's ports (drill-ports.ts), the agents
 * whose events it is fed (drill-feed.ts), its log lines followed; and the audit of its end.
 * drill-service.ts keeps the running ones and ends them.
 */

export interface LaunchInput {
  app: FastifyInstance;
  plan: RunnerPlan;
  /** The cluster as it was at the start's checks. */
  cluster: StatusCluster | undefined;
  /** The path the probe asks through the VIP. */
  path: string;
  now: () => number;
  tuning: Partial<RunnerTuning> | undefined;
  save: (u: DrillUpdate) => void;
}

/** The runner, not yet run, and the stop of its log follow. */
export function launch(input: LaunchInput): { running: Running; stopLogs: () => void } {
  const { app, plan, cluster, save } = input;
  const { clusterId } = plan;
  // The ports hand samples to the runner, which is made from the ports: a late binding.
  const ref: { runner?: DrillRunner } = {};
  const deps = {
    app,
    plan,
    runner: (): DrillRunner => {
      if (!ref.runner) throw new Error('drill runner not bound');
      return ref.runner;
    },
    now: input.now,
    save,
    path: input.path,
  };
  const ports = bindPorts(deps);
  const runner = new DrillRunner(plan, ports, input.tuning);
  ref.runner = runner;
  const agents = new Map<string, string>();
  for (const n of cluster?.nodes ?? []) {
    const a = app.clusterStore.agentFor(clusterId, n.name);
    if (a) agents.set(a.agentId, n.name);
    runner.clockOffsets[n.name] = offsetOf(app, clusterId, n.name);
  }
  const masterPriority =
    app.clusterStore
      .nodeView(clusterId, plan.master)
      ?.keepalivedConfig?.instances.find((i) => i.name === plan.instance)?.priority ??
    cluster?.nodes
      .find((n) => n.name === plan.master)
      ?.vrrp.find((v) => v.instance === plan.instance)?.priority ??
    null;
  return { running: { runner, agents, masterPriority }, stopLogs: followLogs(deps) };
}

/** The audit row of a drill's end, with its downtime and failed requests as stored. */
export async function auditEnd(
  app: FastifyInstance,
  repo: DrillRepository,
  end: { id: string; by: string; clusterId: string; kind: DrillKind; status: DrillStatus },
): Promise<void> {
  const { id, by, clusterId, kind, status } = end;
  const d = await repo.get(id).catch((err: unknown) => {
    app.storage.failed(err, 'drill');
    return undefined;
  });
  app.audit.record({
    actor: by,
    action: 'drill.end',
    target: `drill:${id}`,
    result: status === 'passed' ? 'ok' : 'error',
    detail: {
      clusterId,
      kind,
      status,
      downtimeMs: d?.report.downtimeMs ?? null,
      failedRequests: d?.report.failedRequests ?? null,
    },
  });
}
