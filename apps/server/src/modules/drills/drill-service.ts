import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  DRILL_KIND_INFO,
  type AgentDataMessage,
  type Drill,
  type DrillKind,
  type DrillOptions,
  type DrillPreflight,
  type DrillProof,
  type DrillStatus,
  type DrillSummary,
} from '@keepwatch/shared';
import { busyMessage } from '../cluster-ops/index';
import { DrillRunner, emptyReport, type RunnerPlan, type RunnerTuning } from './drill-runner';
import { bindPorts, followLogs, offsetOf } from './drill-ports';
import { leftovers, type DrillReplica } from './drill-replica';
import { feedRunning, type Running } from './drill-feed';
import { SaveChain } from './drill-saves';
import { clusterWorkMessage } from '../../storage/cluster-work';
import type { DrillRepository, DrillUpdate } from '../../storage/drill-repository';
import { preflight } from './preflight';
import { agentControl, shareClockOffsets } from './preflight-replica';

/*
 * The drills of this server: starts them (preflight, cluster hold, audit), feeds the
 * running ones what agents report, and ends them. SPEC.md has the rules.
 */

export const DEFAULT_PROBE_INTERVAL_MS = 10;
export const DEFAULT_PROBE_TIMEOUT_MS = 200;
export const DEFAULT_ABORT_UNSERVED_MS = 30_000;
export const DEFAULT_CLOCK_LIMIT_MS = 200;
export const DEFAULT_STALE_MS = 30 * 86_400_000;
export const INTERRUPTED_REASON =
  'the server stopped during the drill; the agents restored the faults by their deadlines';

/** Kinds whose pass proves failover (the VIP moved). */
export const FAILOVER_KINDS: readonly DrillKind[] = [
  'nginx-outage',
  'keepalived-stop',
  'keepalived-crash',
  'nginx-hang',
  'link-down',
];

export interface DrillServiceOptions {
  now: () => number;
  clockLimitMs?: number;
  staleMs?: number;
  tuning?: Partial<RunnerTuning>;
  /** Set when this server is one of several replicas (drill-replica.ts, RS-3). */
  replica?: DrillReplica;
}

export type StartResult =
  | { ok: true; id: string }
  | {
      ok: false;
      code: 404 | 409 | 422;
      error: string;
      message: string;
      preflight?: DrillPreflight;
    };

export interface DrillEnded {
  id: string;
  clusterId: string;
  kind: DrillKind;
  status: DrillStatus;
  scheduleId: number | null;
}

export class DrillService {
  private readonly repo: DrillRepository;
  private readonly running = new Map<string, Running>();
  private readonly control = new Map<string, string[]>();
  /** The queued saves of each drill running here (the runner's persist is synchronous). */
  private readonly saves = new Map<string, SaveChain>();
  private readonly endListeners = new Set<(e: DrillEnded) => void>();
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly opts: DrillServiceOptions,
  ) {
    this.repo = app.repos.drills;
    this.offs.push(
      app.bus.on('agent.online', (e) =>
        this.control.set(e.agentId, [...e.hello.capabilities.control]),
      ),
      app.bus.on('agent.data', (e) => this.onData(e.agentId, e.message)),
      // With replicas: the events of agents connected to another replica, from the store.
      app.bus.on('agent.followed', (e) => this.onData(e.agentId, e.message)),
      // PF-5/PF-7 on other replicas for the agents connected here (preflight-replica.ts).
      shareClockOffsets(app),
    );
  }

  /**
   * RS-1/RS-3: drills nobody runs any more (a previous process of this server, a dead replica)
   * are interrupted; the agents restore by their deadlines. `deadOnly`: only dead replicas'
   * (the periodic sweep: modules/status/replica-sweep.ts). The ids this call marked: of
   * replicas sweeping at once, each drill is in one answer (the store's interrupt is
   * conditional), so it is audited once.
   */
  async interruptLeftovers(deadOnly = false): Promise<string[]> {
    const left = await leftovers(
      await this.repo.running(),
      (id) => this.running.has(id),
      this.opts.replica,
      deadOnly,
    );
    const ids = await this.repo.interrupt(left, this.opts.now(), INTERRUPTED_REASON);
    for (const id of ids)
      this.app.audit.record({
        actor: 'system',
        action: 'drill.interrupted',
        target: `drill:${id}`,
        result: 'error',
      });
    return ids;
  }

  onEnded(listener: (e: DrillEnded) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  preflight(clusterId: string, kind: DrillKind, options: DrillOptions): DrillPreflight {
    return preflight({
      clusterId,
      cluster: this.app.clusterStore.cluster(clusterId),
      kind,
      options,
      control: (node) => agentControl(this.app, this.control, clusterId, node),
      busy: this.app.clusterOps.holder(clusterId),
      clockLimitMs: this.opts.clockLimitMs ?? DEFAULT_CLOCK_LIMIT_MS,
    });
  }

  async start(
    clusterId: string,
    kind: DrillKind,
    options: DrillOptions,
    by: string,
    scheduleId: number | null = null,
  ): Promise<StartResult> {
    if (!this.app.clusterStore.hasCluster(clusterId))
      return { ok: false, code: 404, error: 'not_found', message: `unknown cluster ${clusterId}` };
    const busy = this.app.clusterOps.holder(clusterId);
    if (busy) return { ok: false, code: 409, error: 'busy', message: busyMessage(busy) };
    const pf = this.preflight(clusterId, kind, options);
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
    const id = `dr-${randomUUID()}`;
    const hold = this.app.clusterOps.tryAcquire(clusterId, 'drill', id, by);
    if (!hold.ok) return { ok: false, code: 409, error: 'busy', message: busyMessage(hold.busy) };
    const cluster = this.app.clusterStore.cluster(clusterId);
    const vip = cluster?.vips.find((v) => v.address === pf.plan.vip);
    const plan: RunnerPlan = {
      id,
      clusterId,
      kind,
      vip: pf.plan.vip,
      instance: vip?.instance ?? '',
      master: pf.plan.master,
      targets: pf.plan.targets,
      probeFrom: pf.plan.probeFrom,
      holdMs: pf.plan.holdMs,
      probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
      probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      abortUnservedMs: options.abortUnservedMs ?? DEFAULT_ABORT_UNSERVED_MS,
    };
    const startedAt = this.opts.now();
    let stored;
    try {
      stored = await this.repo.insert({
        id,
        clusterId,
        kind,
        options,
        preflight: pf,
        report: emptyReport(plan),
        startedBy: by,
        scheduleId,
        startedAt,
        owner: this.opts.replica?.id ?? null,
      });
    } catch (err) {
      hold.release();
      throw err;
    }
    if (!stored.ok) {
      // RS-2/RS-6: a drill or a push of this cluster runs on another replica (or was left by
      // a dead one).
      hold.release();
      return {
        ok: false,
        code: 409,
        error: 'busy',
        message: clusterWorkMessage(clusterId, stored.holder),
      };
    }
    const saves = new SaveChain(this.repo, id, (err) => this.app.storage.failed(err, 'drill'));
    this.saves.set(id, saves);
    // The ports hand samples to the runner, which is made from the ports: a late binding.
    const ref: { runner?: DrillRunner } = {};
    const deps = {
      app: this.app,
      plan,
      runner: (): DrillRunner => {
        if (!ref.runner) throw new Error('drill runner not bound');
        return ref.runner;
      },
      now: this.opts.now,
      save: (u: DrillUpdate) => saves.push(u),
      path: options.path ?? '/',
    };
    const ports = bindPorts(deps);
    const runner = new DrillRunner(plan, ports, this.opts.tuning);
    ref.runner = runner;
    const agents = new Map<string, string>();
    for (const n of cluster?.nodes ?? []) {
      const a = this.app.clusterStore.agentFor(clusterId, n.name);
      if (a) agents.set(a.agentId, n.name);
      runner.clockOffsets[n.name] = offsetOf(this.app, clusterId, n.name);
    }
    const masterPriority =
      this.app.clusterStore
        .nodeView(clusterId, plan.master)
        ?.keepalivedConfig?.instances.find((i) => i.name === plan.instance)?.priority ??
      cluster?.nodes
        .find((n) => n.name === plan.master)
        ?.vrrp.find((v) => v.instance === plan.instance)?.priority ??
      null;
    this.running.set(id, { runner, agents, masterPriority });
    const stopLogs = followLogs(deps);
    void runner.run().then(async (status) => {
      stopLogs();
      await saves.settled();
      this.saves.delete(id);
      hold.release();
      this.running.delete(id);
      const d = await this.repo.get(id).catch((err: unknown) => {
        this.app.storage.failed(err, 'drill');
        return undefined;
      });
      this.app.audit.record({
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
      for (const l of this.endListeners) l({ id, clusterId, kind, status, scheduleId });
    });
    return { ok: true, id };
  }

  /** The drill as stored, after the saves this server has queued for it. */
  async get(id: string): Promise<Drill | undefined> {
    await this.saves.get(id)?.settled();
    return this.repo.get(id);
  }

  /** Newest first. */
  list(clusterId: string | undefined, limit: number): Promise<DrillSummary[]> {
    return this.repo.list(clusterId, limit);
  }

  abort(id: string, by: string): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    r.runner.abort(`aborted by ${by}`);
    return true;
  }

  /** Waits for a running drill to end (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  async proof(clusterIds: readonly string[]): Promise<DrillProof[]> {
    const staleAfterMs = this.opts.staleMs ?? DEFAULT_STALE_MS;
    const last = await this.repo.lastProven(FAILOVER_KINDS);
    const now = this.opts.now();
    return [...new Set([...clusterIds, ...last.keys()])].sort().map((clusterId) => {
      const l = last.get(clusterId);
      return {
        clusterId,
        lastProvenAt: l?.at ?? null,
        lastProvenKind: l?.kind ?? null,
        drillId: l?.id ?? null,
        stale: !l || now - l.at > staleAfterMs,
        staleAfterMs,
      };
    });
  }

  close(): void {
    for (const off of this.offs) off();
    for (const r of this.running.values()) r.runner.abort('server shutting down');
  }

  private onData(agentId: string, msg: AgentDataMessage): void {
    for (const r of this.running.values()) {
      const node = r.agents.get(agentId);
      if (node === undefined) continue;
      feedRunning(this.app, r, node, msg);
    }
  }
}

export function kindInfoList(): (typeof DRILL_KIND_INFO)[DrillKind][] {
  return Object.values(DRILL_KIND_INFO);
}
