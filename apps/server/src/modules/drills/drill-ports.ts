import type { FastifyInstance } from 'fastify';
import {
  type ActionResult,
  type DrillFaultParams,
  type LiveLogLines,
  type LiveToBrowser,
  type ProbeTarget,
} from '@keepwatch/shared';
import { ActionError } from '../actions/index';
import type { DrillRunner, FaultOutcome, RunnerPlan, RunnerPorts } from './drill-runner';
import { serverProbe } from './drill-probe';

/*
 * The runner's ports bound to the server: agent actions, the cluster store, the client
 * probe (here or on an agent), log lines through the relay, persistence and the live feed.
 * Agent timestamps become server time by subtracting the agent's measured clock offset
 * (offset = agent clock − server clock, ClusterStore.clock).
 */

export const LB_PROBE_INTERVAL_MS = 250;

export interface PortDeps {
  app: FastifyInstance;
  plan: RunnerPlan;
  runner: () => DrillRunner;
  now: () => number;
  save: RunnerPorts['save'];
  path: string;
}

/** Offset of a node's agent clock (ms, agent − server); 0 when not measured. */
export function offsetOf(app: FastifyInstance, clusterId: string, node: string): number {
  return app.clusterStore.nodeView(clusterId, node)?.clockOffsetMs ?? 0;
}

/** When the fault took effect: the agent's last non-bookkeeping step start. */
export function faultStepAt(result: ActionResult): number | undefined {
  const steps = result.steps.filter((s) => s.at !== undefined && !s.step.startsWith('record'));
  return steps.at(-1)?.at ?? result.startedAt;
}

/** The probe targets: the VIP every probeIntervalMs, each LB's own address every 250 ms. */
export function probeTargets(app: FastifyInstance, plan: RunnerPlan, path: string): ProbeTarget[] {
  const cluster = app.clusterStore.cluster(plan.clusterId);
  const vips = new Set(cluster?.vips.map((v) => v.address) ?? []);
  const targets: ProbeTarget[] = [
    {
      name: 'vip',
      url: `http://${plan.vip}${path}`,
      intervalMs: plan.probeIntervalMs,
      timeoutMs: plan.probeTimeoutMs,
    },
  ];
  for (const n of cluster?.nodes ?? []) {
    if (n.role !== 'lb') continue;
    const own = app.clusterStore
      .nodeView(plan.clusterId, n.name)
      ?.addresses.find((a) => !vips.has(a) && !a.includes(':'));
    if (own)
      targets.push({
        name: n.name,
        url: `http://${own}${path}`,
        intervalMs: LB_PROBE_INTERVAL_MS,
        timeoutMs: 500,
      });
  }
  return targets.slice(0, 8);
}

function agentProbe(
  deps: PortDeps,
  agentId: string,
): Pick<RunnerPorts, 'startProbe' | 'stopProbe'> {
  const { app, plan } = deps;
  return {
    startProbe: async (durationMs) => {
      const r = await app.actions.request(
        agentId,
        'probe.run',
        { probeId: plan.id, targets: probeTargets(app, plan, deps.path), durationMs },
        { timeoutMs: 10_000 },
      );
      if (!r.ok) throw new Error(`probe on ${plan.probeFrom} refused: ${r.error?.message ?? '?'}`);
    },
    stopProbe: async () => {
      await app.actions
        .request(agentId, 'probe.stop', { probeId: plan.id }, { timeoutMs: 10_000 })
        .catch(() => undefined);
    },
  };
}

async function fault(
  deps: PortDeps,
  node: string,
  params: DrillFaultParams,
): Promise<FaultOutcome> {
  const { app, plan } = deps;
  const agent = app.clusterStore.agentFor(plan.clusterId, node);
  if (!agent?.online) return { ok: false, at: null, error: `${node}: agent offline` };
  const sentAt = deps.now();
  const linkDown = params.fault === 'link-down';
  try {
    const r = await app.actions.request(agent.agentId, 'drill.fault', params, {
      // link-down may cut the agent's own connection: its answer can arrive only later.
      timeoutMs: linkDown ? 3000 : 20_000,
    });
    if (!r.ok) return { ok: false, at: null, error: r.error?.message ?? 'refused' };
    const at = faultStepAt(r);
    return { ok: true, at: at === undefined ? sentAt : at - offsetOf(app, plan.clusterId, node) };
  } catch (err) {
    if (
      linkDown &&
      err instanceof ActionError &&
      (err.code === 'timeout' || err.code === 'disconnected')
    )
      return { ok: true, at: sentAt };
    return { ok: false, at: null, error: err instanceof Error ? err.message : String(err) };
  }
}

async function restore(
  deps: PortDeps,
  node: string,
  drillId: string,
): Promise<{ ok: boolean; error?: string }> {
  const { app, plan } = deps;
  const agent = app.clusterStore.agentFor(plan.clusterId, node);
  if (!agent?.online) return { ok: false, error: 'agent offline' };
  try {
    const r = await app.actions.request(
      agent.agentId,
      'drill.restore',
      { drillId },
      { timeoutMs: 20_000 },
    );
    return r.ok ? { ok: true } : { ok: false, error: r.error?.message ?? 'refused' };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Subscribes the LBs' keepalived and nginx logs for the drill's duration; returns the end. */
export function followLogs(deps: PortDeps): () => void {
  const { app, plan } = deps;
  if (!app.hasDecorator('logRelay')) return () => undefined;
  const lbs = (app.clusterStore.cluster(plan.clusterId)?.nodes ?? [])
    .filter((n) => n.role === 'lb')
    .map((n) => n.name);
  if (lbs.length === 0) return () => undefined;
  const client = {
    send: (msg: LiveToBrowser) => {
      if (msg.type !== 'log.lines') return;
      const m: LiveLogLines = msg;
      const off = offsetOf(app, plan.clusterId, m.node);
      for (const l of m.lines)
        deps.runner().addLog({ at: l.ts - off, node: m.node, source: m.source, text: l.text });
    },
    buffered: () => 0,
  };
  app.logRelay.subscribe(client, {
    type: 'logs.subscribe',
    subscription: `drill-${plan.id}`.slice(0, 64),
    cluster: plan.clusterId,
    nodes: lbs.slice(0, 8),
    sources: ['keepalived', 'nginx'],
    tail: 0,
  });
  return () => app.logRelay.drop(client);
}

export function bindPorts(deps: PortDeps): RunnerPorts {
  const { app, plan } = deps;
  const probeAgent =
    plan.probeFrom === 'server'
      ? undefined
      : app.clusterStore.agentFor(plan.clusterId, plan.probeFrom);
  const probe = probeAgent
    ? agentProbe(deps, probeAgent.agentId)
    : serverProbe(deps, () => probeTargets(app, plan, deps.path));
  return {
    now: deps.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    cluster: () => app.clusterStore.cluster(plan.clusterId),
    fault: (node, params) => fault(deps, node, params),
    restore: (node, drillId) => restore(deps, node, drillId),
    ...probe,
    keepalivedConfig: (node) => app.clusterStore.nodeView(plan.clusterId, node)?.keepalivedConfig,
    vrrpInterface: (node, instance) =>
      app.clusterStore.vrrpInterface(plan.clusterId, node, instance),
    save: deps.save,
    emit: (message) => app.bus.emit('drill.live', { message }),
  };
}
