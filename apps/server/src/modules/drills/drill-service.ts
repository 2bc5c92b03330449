import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type {
  AgentDataMessage,
  Drill,
  DrillKind,
  DrillOptions,
  DrillPreflight,
  DrillProof,
  DrillStatus,
  DrillSummary,
} from '@keepwatch/shared';
import { busyMessage } from '../cluster-ops/index';
import { emptyReport, type RunnerTuning } from './drill-runner';
import { leftovers, type DrillReplica } from './drill-replica';
import { feedRunning, type Running } from './drill-feed';
import { SaveChain } from './drill-saves';
import { clusterWorkMessage } from '../../storage/cluster-work';
import type { DrillRepository } from '../../storage/drill-repository';
import { preflight } from './preflight';
import { agentControl, shareClockOffsets } from './preflight-replica';
import { checkStart, DEFAULT_CLOCK_LIMIT_MS, runnerPlan, type StartResult } from './drill-start';
import { auditEnd, launch } from './drill-launch';
import { drillProof } from './drill-proof';

export {
  DEFAULT_ABORT_UNSERVED_MS,
  DEFAULT_CLOCK_LIMIT_MS,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  type StartResult,
} from './drill-start';
export { DEFAULT_STALE_MS, FAILOVER_KINDS, kindInfoList } from './drill-proof';

/*
 * The drills of this server: starts them (the checks and the plan: drill-start.ts; then the
 * cluster hold, the store, audit), keeps the running ones (drill-launch.ts makes them), feeds
 * them what agents report, and ends them. SPEC.md has the rules.
 */

export const INTERRUPTED_REASON =
  'the server stopped during the drill; the agents restored the faults by their deadlines';

export interface DrillServiceOptions {
  now: () => number;
  clockLimitMs?: number;
  staleMs?: number;
  tuning?: Partial<RunnerTuning>;
  /** Set when this server is one of several replicas (drill-replica.ts, RS-3). */
  replica?: DrillReplica;
}

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
    const cleared = checkStart(this.app, clusterId, () => this.preflight(clusterId, kind, options));
    if (!cleared.ok) return cleared;
    const pf = cleared.pf;
    const id = `dr-${randomUUID()}`;
    const hold = this.app.clusterOps.tryAcquire(clusterId, 'drill', id, by);
    if (!hold.ok) return { ok: false, code: 409, error: 'busy', message: busyMessage(hold.busy) };
    const cluster = this.app.clusterStore.cluster(clusterId);
    const plan = runnerPlan(id, clusterId, kind, options, cleared, cluster);
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
    const { running, stopLogs } = launch({
      app: this.app,
      plan,
      cluster,
      path: options.path ?? '/',
      now: this.opts.now,
      tuning: this.opts.tuning,
      save: (u) => saves.push(u),
    });
    this.running.set(id, running);
    void running.runner.run().then(async (status) => {
      stopLogs();
      await saves.settled();
      this.saves.delete(id);
      hold.release();
      this.running.delete(id);
      await auditEnd(this.app, this.repo, { id, by, clusterId, kind, status });
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

  proof(clusterIds: readonly string[]): Promise<DrillProof[]> {
    return drillProof(this.repo, clusterIds, this.opts.now, this.opts.staleMs);
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
