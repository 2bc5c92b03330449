import fp from 'fastify-plugin';
import {
  agentToServerCodec,
  type NodeRole,
  type RuleThresholds,
  type StatusCluster,
} from '@keepwatch/shared';
import type { IngestRepository } from '../../storage/ingest-repository';
import { ClusterStore } from './cluster-store';
import { linkReplica, type ReplicaLink, type ReplicaOptions } from './replica-wiring';

declare module 'fastify' {
  interface FastifyInstance {
    clusterStore: ClusterStore;
    /** This replica's part in the shared live state; undefined on one server. */
    replicaLink: ReplicaLink | undefined;
  }
}

export interface StatusStorePluginOptions {
  now: () => number;
  thresholds?: Partial<RuleThresholds>;
  /** How often time-based findings (AGENT_STALE, FLAPPING expiry) are re-checked; default 1 s. */
  recheckMs?: number;
  /** Server replicas sharing one store: this one's part in their live state (replica-wiring.ts). */
  replica?: ReplicaOptions;
}

/** Findings fingerprint per cluster: a change without any event (time passing) is announced. */
export function startRecheck(
  store: ClusterStore,
  everyMs: number,
  announce: (ids: string[]) => void,
): NodeJS.Timeout {
  const last = new Map<string, { c: StatusCluster | undefined; key: string }>();
  const timer = setInterval(() => {
    const changed: string[] = [];
    for (const id of store.clusterIds()) {
      const c = store.cluster(id);
      const was = last.get(id);
      // The same cached derivation as last time has the same findings (issue 11: building
      // every cluster's fingerprint each second was ~6 % of the server's steady ingest time).
      if (was && was.c === c) continue;
      const key = c
        ? `${c.verdict}|${c.findings.map((f) => `${f.rule}:${f.message}`).join('|')}`
        : '';
      if (was && was.key !== key) changed.push(id);
      last.set(id, { c, key });
    }
    if (changed.length > 0) announce(changed);
  }, everyMs);
  timer.unref();
  return timer;
}

/**
 * Rebuilds every known node (offline until its agent reconnects) from the stored history,
 * read through the storage contract (app.repos.ingest): its last snapshot plus the events
 * after it. Oldest first: of two agents that were the same node (a replaced one), the one seen
 * last is the node. A restarted server therefore still knows its clusters and their VIPs.
 */
async function restore(repo: IngestRepository, store: ClusterStore): Promise<Map<string, number>> {
  // The seq applied per agent: where a replica's follower goes on from.
  const applied = new Map<string, number>();
  for (const a of await repo.agents()) {
    const identity = {
      name: a.nodeName,
      role: a.role as NodeRole,
      cluster: { id: a.clusterId, name: a.clusterName },
    };
    store.hello(a.agentId, identity, a.lastSeen, false);
    for (const row of await repo.sinceLastSnapshot(a.agentId)) {
      const decoded = agentToServerCodec.decode(row.payload);
      // Only sequenced (data) messages are stored; anything else in the log is skipped.
      if (!decoded.ok || !('seq' in decoded.value)) continue;
      store.apply(a.agentId, decoded.value, row.receivedAt);
      applied.set(a.agentId, decoded.value.seq);
    }
    applied.set(a.agentId, Math.max(applied.get(a.agentId) ?? 0, Number(a.lastSeq)));
  }
  return applied;
}

/**
 * The cluster store, fed by the agent socket's `status` ingest stage; announces changes as
 * status.changed.
 */
export default fp<StatusStorePluginOptions>(
  async (app, opts) => {
    const announce = (clusterIds: string[]): void => app.bus.emit('status.changed', { clusterIds });
    const store = new ClusterStore(opts.now, announce, opts.thresholds);
    const applied = await restore(app.repos.ingest, store);
    const replica: ReplicaLink | undefined = opts.replica
      ? await linkReplica(app, store, applied, opts.replica, opts.now)
      : undefined;
    // The agent socket's `status` stage (modules/agents SPEC.md IH-1): first, in declared order.
    const unsubscribe = [
      app.agentSocket.hooks.add('status', {
        online: (e) => {
          store.hello(e.agentId, e.hello.node, e.at);
          replica?.online(e.agentId, e.at);
        },
        data: (e) => {
          store.apply(e.agentId, e.message, e.at);
          replica?.data(e.agentId, e.message.seq);
        },
        offline: (e) => {
          store.offline(e.agentId, e.at);
          replica?.offline(e.agentId, e.at);
        },
        stats: (e) => store.agentHealth(e.agentId, e.sample.agent?.outboxError),
        clock: (e) => {
          store.seen(e.agentId, opts.now());
          store.clock(e.agentId, e.offsetMs);
          replica?.seen(e.agentId);
        },
      }),
    ];
    const recheck = startRecheck(store, opts.recheckMs ?? 1000, announce);
    app.decorate('clusterStore', store);
    app.decorate('replicaLink', replica);
    app.addHook('onClose', async () => {
      for (const off of unsubscribe) off();
      clearInterval(recheck);
      await replica?.stop();
    });
  },
  { name: 'cluster-store', dependencies: ['db', 'event-bus', 'agent-socket'], fastify: '5.x' },
);
