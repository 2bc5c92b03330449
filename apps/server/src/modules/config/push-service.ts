import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ConfigChangeInput, PushHost, PushView } from '@keepwatch/shared';
import { hostRole } from './config-view';
import type { ConfigRepository } from '../../storage/config-repository';
import type { LiveFiles } from './live-files';
import { criticalFindingsMessage, newCriticalFindings } from './push-checks';
import { recordChangeset } from './push-changeset';
import { livePorts } from './push-live-ports';
import { PushRefused } from './push-refused';
import { claimPush, PushAgents } from './push-replica';
import { PushRunner, type PlannedChange, type PushTuning } from './push-runner';

export { PushRefused } from './push-refused';

/*
 * Starts pushes: checks the request against the live files (PU-1 a stale baseHash is a
 * 409), takes the cluster (no push during a drill, nor a drill during a push; PU-14 one push
 * per cluster across replicas), orders the hosts (PU-3), runs the rollout in the background
 * and records the changeset when it succeeds (PU-8). The ports the runner needs come from the
 * live app (push-live-ports.ts); what a push keeps track of across replicas is
 * push-replica.ts.
 */

export interface PushServiceDeps {
  app: FastifyInstance;
  live: LiveFiles;
  /** Changesets and pushes (app.repos.config). */
  store: ConfigRepository;
  now: () => number;
  tuning?: Partial<PushTuning>;
  served?: (url: string) => Promise<{ ok: boolean; detail: string }>;
}

export class PushService {
  private readonly running = new Map<string, Promise<PushView>>();
  /** PU-10: the agents' connections and late config.apply results. */
  private readonly agents: PushAgents;
  /** The progress writes, one after another (update()). */
  private saved: Promise<void> = Promise.resolve();
  constructor(private readonly deps: PushServiceDeps) {
    this.agents = new PushAgents(deps.app.bus, deps.now);
  }

  /** Stops listening and waits for the progress still being written. */
  async close(): Promise<void> {
    this.agents.close();
    await this.saved;
  }

  /** The background rollout of a push, for tests. */
  done(pushId: string): Promise<PushView> | undefined {
    return this.running.get(pushId);
  }

  async start(
    clusterId: string,
    body: { message: string; changes: ConfigChangeInput[]; dryRun?: boolean },
    author: string,
    rollbackOf?: string,
  ): Promise<string> {
    const { app, live, now } = this.deps;
    const cluster = app.clusterStore.cluster(clusterId);
    const before = await live.list(clusterId);
    if (!cluster && before.length === 0)
      throw new PushRefused(404, 'not_found', `no cluster ${clusterId}`);
    const planned: PlannedChange[] = body.changes.map((c) => {
      const file = before.find((f) => f.node === c.host && f.component === c.component);
      if (!cluster?.nodes.some((n) => n.name === c.host && n.role === 'lb') && !file)
        throw new PushRefused(
          400,
          'unknown_host',
          `${c.host} is no load balancer of cluster ${clusterId}`,
        );
      if (c.baseHash !== undefined && file && c.baseHash !== file.sha256)
        throw new PushRefused(
          409,
          'conflict',
          `${c.host} ${c.component}: the live file changed since the editor loaded it (live ${file.sha256.slice(0, 12)}, base ${c.baseHash.slice(0, 12)}); reload and apply your change again`,
        );
      return {
        host: c.host,
        component: c.component,
        content: c.content,
        ...(file && { baseHash: file.sha256, previous: file.content }),
      };
    });
    const dup = planned.find(
      (c, i) => planned.findIndex((x) => x.host === c.host && x.component === c.component) !== i,
    );
    if (dup)
      throw new PushRefused(400, 'duplicate', `${dup.host} ${dup.component} is listed twice`);
    // PU-11: no new critical finding reaches a host (a dry run only validates; a roll back
    // returns to files the cluster ran).
    if (!body.dryRun && rollbackOf === undefined) {
      const found = await newCriticalFindings(live, clusterId, body.changes);
      if (found.length > 0)
        throw new PushRefused(409, 'critical_findings', criticalFindingsMessage(found));
    }
    const id = `push-${randomUUID()}`;
    const hold = app.clusterOps.tryAcquire(clusterId, 'push', id, author);
    if (!hold.ok)
      throw new PushRefused(
        409,
        'busy',
        `cluster ${clusterId} is busy: a ${hold.busy.kind} (${hold.busy.id}) started by ${hold.busy.by} is running`,
      );
    const hostsNamed = [...new Set(planned.map((c) => c.host))];
    const rank = (h: string): number => (hostRole(cluster, h) === 'master' ? 1 : 0);
    const order = [...hostsNamed].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const view: PushView = {
      id,
      clusterId,
      status: 'running',
      hosts: order.map((host, i): PushHost => ({
        host,
        status: 'pending',
        role: hostRole(cluster, host),
        order: i,
        components: planned.filter((c) => c.host === host).map((c) => c.component),
        steps: [],
      })),
      summary: body.dryRun
        ? 'dry run: validating on every host'
        : 'validating on every host, then rolling out BACKUP first',
      message: body.message,
      author,
      dryRun: body.dryRun === true,
      createdAt: now(),
      ...(rollbackOf !== undefined && { rollbackOf }),
    };
    try {
      // PU-12: the replica running it, so the others can tell when it died; PU-14: one
      // running push per cluster across replicas.
      await claimPush(this.deps.store, view, body.changes, app.replica?.id ?? null);
    } catch (err) {
      hold.release();
      throw err;
    }
    const ports = livePorts(
      {
        app,
        live,
        agents: this.agents,
        now,
        ...(this.deps.served && { served: this.deps.served }),
        update: (v) => this.update(v),
      },
      clusterId,
    );
    const runner = new PushRunner(view, planned, ports, this.deps.tuning);
    const run = runner
      .run()
      .then(async (final) => {
        if (final.status === 'succeeded' && !final.dryRun) {
          final.changesetId = await recordChangeset(
            this.deps.store,
            now,
            clusterId,
            final,
            planned,
            before,
            author,
            rollbackOf,
          );
          this.update(final);
        }
        await this.saved;
        return final;
      })
      .catch(async (err: unknown) => {
        app.log.error({ err, pushId: id }, 'config push crashed');
        view.status = 'failed';
        view.summary = `the push stopped on an internal error: ${(err as Error).message}`;
        view.finishedAt = now();
        this.update(view);
        await this.saved;
        return view;
      })
      .finally(() => {
        hold.release();
        this.running.delete(id);
      });
    this.running.set(id, run);
    return id;
  }

  /**
   * Stores the view's progress, then broadcasts it. Writes go one after another, in the
   * order of the changes (a copy of the view as it is now), so the store never goes back to
   * an older step.
   */
  private update(view: PushView): void {
    const copy = structuredClone(view);
    this.saved = this.saved.then(async () => {
      try {
        await this.deps.store.savePush(copy);
      } catch (err) {
        // A closing server (or a failing disk) must not crash a rollout mid-step; on the next
        // start the push is marked interrupted from what was last written (PU-9).
        this.deps.app.log.warn({ err, pushId: view.id }, 'config push: could not store progress');
        return;
      }
      this.deps.app.bus.emit('push.live', {
        message: { type: 'push.progress', at: this.deps.now(), push: copy },
      });
    });
  }
}
