import type { FastifyInstance } from 'fastify';
import type { DrillKind, DrillOptions, DrillPreflight, StatusCluster } from '@keepwatch/shared';
import { busyMessage } from '../cluster-ops/index';
import type { RunnerPlan } from './drill-runner';

/*
 * Before a drill starts: the refusals that need nothing held (unknown cluster, the cluster
 * busy here, a preflight that failed: SPEC PF-*), and the runner's plan made from the
 * preflight's. drill-service.ts holds the cluster, stores the drill and runs it.
 */

export const DEFAULT_PROBE_INTERVAL_MS = 10;
export const DEFAULT_PROBE_TIMEOUT_MS = 200;
export const DEFAULT_ABORT_UNSERVED_MS = 30_000;
export const DEFAULT_CLOCK_LIMIT_MS = 200;

export type StartResult =
  | { ok: true; id: string }
  | {
      ok: false;
      code: 404 | 409 | 422;
      error: string;
      message: string;
      preflight?: DrillPreflight;
    };

export type StartRefusal = Extract<StartResult, { ok: false }>;

/** A preflight that passed and found the VIP to probe and its MASTER. */
export interface Cleared {
  ok: true;
  pf: DrillPreflight;
  vip: string;
  master: string;
}

/**
 * The checks in order: the cluster is known, nothing holds it here, then the preflight
 * (`preflight` is only called when the first two pass).
 */
export function checkStart(
  app: FastifyInstance,
  clusterId: string,
  preflight: () => DrillPreflight,
): StartRefusal | Cleared {
  if (!app.clusterStore.hasCluster(clusterId))
    return { ok: false, code: 404, error: 'not_found', message: `unknown cluster ${clusterId}` };
  const busy = app.clusterOps.holder(clusterId);
  if (busy) return { ok: false, code: 409, error: 'busy', message: busyMessage(busy) };
  const pf = preflight();
  if (!pf.ok || !pf.plan.vip || !pf.plan.master)
    return {
      ok: false,
      code: 422,
      error: 'preflight_failed',
      message: `preflight refused the drill: ${pf.checks
        .filter((c) => !c.ok)
        .map((c) => c.text.en)
        .join('; ')}`,
      preflight: pf,
    };
  return { ok: true, pf, vip: pf.plan.vip, master: pf.plan.master };
}

/** The runner's plan: the preflight's, the VIP's VRRP instance, the probe's timings. */
export function runnerPlan(
  id: string,
  clusterId: string,
  kind: DrillKind,
  options: DrillOptions,
  cleared: Cleared,
  cluster: StatusCluster | undefined,
): RunnerPlan {
  const { pf } = cleared;
  const vip = cluster?.vips.find((v) => v.address === cleared.vip);
  return {
    id,
    clusterId,
    kind,
    vip: cleared.vip,
    instance: vip?.instance ?? '',
    master: cleared.master,
    targets: pf.plan.targets,
    probeFrom: pf.plan.probeFrom,
    holdMs: pf.plan.holdMs,
    probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
    probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    abortUnservedMs: options.abortUnservedMs ?? DEFAULT_ABORT_UNSERVED_MS,
  };
}
