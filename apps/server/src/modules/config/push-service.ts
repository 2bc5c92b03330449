import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type {
  ActionResult,
  ConfigChangeInput,
  ConfigComponentKind,
  PushHost,
  PushView,
} from '@keepwatch/shared';
import { hostRole } from './config-view';
import type { ChangesetFile, ConfigRepository } from '../../storage/config-repository';
import type { LiveFile, LiveFiles } from './live-files';
import { criticalFindingsMessage, newCriticalFindings } from './push-checks';
import {
  PushRunner,
  type DropFacts,
  type GateFacts,
  type PlannedChange,
  type PushTuning,
} from './push-runner';

/*
 * Starts pushes: checks the request against the live files (PU-1 a stale baseHash is a
 * 409), takes the cluster (no push during a drill, nor a drill during a push), orders the
 * hosts (PU-3), runs the rollout in the background and records the changeset when it
 * succeeds (PU-8). The ports the runner needs come from the live app here.
 */

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class PushRefused extends Error {
  constructor(
    readonly status: 404 | 409 | 400,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One request on a fresh connection: served means an HTTP status below 500 within timeoutMs. */
export function served(url: string, timeoutMs = 1000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code > 0 && code < 500, detail: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, detail: err.message }));
    req.end();
  });
}

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
  /** PU-10: when each agent's current connection began. */
  private readonly onlineAt = new Map<string, number>();
  /** PU-10: the id of each agent's latest config.apply request, and its result if it came late. */
  private readonly lastApply = new Map<string, { id: string; late?: ActionResult }>();
  private readonly offs: (() => void)[];
  /** The progress writes, one after another (update()). */
  private saved: Promise<void> = Promise.resolve();
  constructor(private readonly deps: PushServiceDeps) {
    const { bus } = deps.app;
    this.offs = [
      bus.on('agent.online', (e) => this.onlineAt.set(e.agentId, deps.now())),
      ...(['agent.data', 'agent.followed'] as const).map((name) =>
        // agent.followed: an agent connected to another replica (its late result from the store).
        bus.on(name, (e) => {
          const m = e.message;
          if (m.type !== 'action.result') return;
          const last = this.lastApply.get(e.agentId);
          if (last?.id === m.id) last.late = m;
        }),
      ),
    ];
  }

  /** Stops listening and waits for the progress still being written. */
  async close(): Promise<void> {
    for (const off of this.offs) off();
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
    let created;
    try {
      // PU-12: the replica running it, so the others can tell when it died.
      created = await this.deps.store.createPush(view, body.changes, app.replica?.id ?? null);
    } catch (err) {
      hold.release();
      throw err;
    }
    if (!created.ok) {
      // PU-14: a push of this cluster runs on another replica (or was left by a dead one).
      hold.release();
      const { holder } = created;
      const where = holder.owner !== null ? ` on replica ${holder.owner}` : '';
      throw new PushRefused(
        409,
        'busy',
        `cluster ${clusterId} is busy: a push (${holder.id}) started by ${holder.author} is running${where}`,
      );
    }
    const runner = new PushRunner(view, planned, this.ports(clusterId), this.deps.tuning);
    const run = runner
      .run()
      .then(async (final) => {
        if (final.status === 'succeeded' && !final.dryRun) {
          final.changesetId = await this.record(
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

  /** PU-8: the cluster's files after the push; a baseline first when it is the first one. */
  private async record(
    clusterId: string,
    view: PushView,
    planned: readonly PlannedChange[],
    before: readonly LiveFile[],
    author: string,
    rollbackOf: string | undefined,
  ): Promise<string> {
    const { store, now } = this.deps;
    const files: ChangesetFile[] = before.map((f) => ({
      host: f.node,
      component: f.component,
      path: f.path,
      sha256: f.sha256,
      content: f.content,
      changed: false,
    }));
    if (!(await store.latestChangeset(clusterId)))
      await store.addChangeset({
        id: `cs-${randomUUID()}`,
        clusterId,
        createdAt: view.createdAt - 1,
        author: 'system',
        message: 'as found before the first push',
        files,
      });
    const after = files.map((f) => {
      const c = planned.find((x) => x.host === f.host && x.component === f.component);
      return c ? { ...f, content: c.content, sha256: sha256(c.content), changed: true } : f;
    });
    for (const c of planned)
      if (!after.some((f) => f.host === c.host && f.component === c.component))
        after.push({
          host: c.host,
          component: c.component,
          path: `${c.component}.conf`,
          content: c.content,
          sha256: sha256(c.content),
          changed: true,
        });
    const id = `cs-${randomUUID()}`;
    await store.addChangeset({
      id,
      clusterId,
      createdAt: now(),
      author,
      message: view.message,
      pushId: view.id,
      ...(rollbackOf !== undefined && { rollbackOf }),
      files: after,
    });
    return id;
  }

  private ports(clusterId: string) {
    const { app, now } = this.deps;
    const facts = (host: string): GateFacts => {
      const cluster = app.clusterStore.cluster(clusterId);
      const node = cluster?.nodes.find((n) => n.name === host);
      const vips = cluster?.vips.map((v) => v.address) ?? [];
      const lbs = cluster?.nodes.filter((n) => n.role === 'lb') ?? [];
      const since = lbs.flatMap((n) => n.vrrp.map((v) => v.since ?? 0));
      const address = app.clusterStore
        .nodeView(clusterId, host)
        ?.addresses.find((a) => !vips.includes(a) && !a.includes(':'));
      return {
        online: node?.online ?? false,
        ...(node?.services.nginx && { nginxHealthy: node.services.nginx.healthy }),
        holders: [...new Set(cluster?.vips.flatMap((v) => v.holders) ?? [])].sort(),
        ...(since.length > 0 && { lastTransitionAt: Math.max(...since) }),
        vrrp: lbs.flatMap((n) =>
          n.vrrp.map((v) => ({
            node: n.name,
            instance: v.instance,
            state: v.state,
            effectivePriority: v.effectivePriority,
          })),
        ),
        ...(address !== undefined && { address }),
        vips,
      };
    };
    return {
      now,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      apply: (host: string, params: Parameters<FastifyInstance['actions']['request']>[2]) => {
        const agent = app.clusterStore.agentFor(clusterId, host);
        if (!agent) return Promise.reject(new Error(`no agent reports ${host}`));
        const id = `act-${randomUUID()}`;
        this.lastApply.set(agent.agentId, { id });
        return app.actions.request(agent.agentId, 'config.apply', params as never, {
          timeoutMs: 90_000,
          id,
        });
      },
      afterDrop: async (host: string, component: ConfigComponentKind): Promise<DropFacts> => {
        const agent = app.clusterStore.agentFor(clusterId, host);
        const since = agent?.online ? this.onlineAt.get(agent.agentId) : undefined;
        const late = agent ? this.lastApply.get(agent.agentId)?.late : undefined;
        const file = await this.deps.live.get(clusterId, host, component);
        return {
          ...(since !== undefined && { onlineSince: since }),
          ...(late && { late }),
          ...(file && { liveHash: file.sha256 }),
        };
      },
      facts,
      served: this.deps.served ?? ((url: string) => served(url)),
      update: (v: PushView) => this.update(v),
    };
  }
}
