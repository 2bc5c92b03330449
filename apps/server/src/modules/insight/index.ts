import type { FastifyPluginCallback } from 'fastify';
import {
  AvailabilityResponse,
  ClusterInsightParams,
  HostInfo,
  HostInsightParams,
  ReadinessResponse,
} from '@keepwatch/shared';
import { vipAvailability, type AvailabilityEvent } from './availability';
import { HostReads } from './host-info';
import { insightGet } from './insight-route';
import { pairReadiness } from './readiness';

/** What readiness reads of the drills module (its proof of failover per cluster). */
interface DrillsProof {
  proof?: (
    clusterIds: readonly string[],
  ) => Promise<{ clusterId: string; drillId: string | null; lastProvenAt: number | null }[]>;
}

/**
 * GET /hosts/:cluster/:node, /clusters/:id/readiness, /clusters/:id/availability (viewer):
 * the host page's facts and files, each VRRP pair's failover readiness, each VIP's
 * availability over 24 h / 7 d / 30 d from stored history.
 */
const insightModule: FastifyPluginCallback<{ now: () => number }> = (app, opts, done) => {
  const { now } = opts;
  const reads = new HostReads(app.repos);
  const footprint = new Map<string, { rssBytes: number; cpuPercent: number; at: number }>();
  const off = app.bus.on('agent.stats', ({ agentId, sample, at }) => {
    if (sample.agent) footprint.set(agentId, { ...sample.agent, at });
  });
  app.addHook('onClose', (_i, next) => {
    off();
    next();
  });
  const lastDrill = async (cluster: string): Promise<{ id: string; at: number } | null> => {
    const drills = (app as unknown as { drills?: DrillsProof }).drills;
    const p = (await drills?.proof?.([cluster]))?.find((x) => x.clusterId === cluster);
    return p?.drillId && p.lastProvenAt !== null ? { id: p.drillId, at: p.lastProvenAt } : null;
  };
  const knownCluster = {
    params: ClusterInsightParams,
    find: (p: ClusterInsightParams) => app.clusterStore.cluster(p.id),
    what: (p: ClusterInsightParams) => `cluster ${p.id}`,
  };

  insightGet(
    app,
    {
      url: '/hosts/:cluster/:node',
      summary: 'One host: agent facts and footprint, clock offset, config files with sha256',
      params: HostInsightParams,
      response: HostInfo,
      find: async (p: HostInsightParams) => {
        const found = app.clusterStore.agentFor(p.cluster, p.node);
        const agent = found && (await reads.agent(found.agentId));
        return found && agent ? { ...found, agent } : undefined;
      },
      what: (p) => `host ${p.cluster}/${p.node}`,
    },
    async ({ agentId, online, agent }, { cluster, node }) => ({
      cluster,
      node,
      role: agent.role,
      agentId,
      online,
      lastSeen: agent.lastSeen,
      facts: agent.facts,
      footprint: footprint.get(agentId) ?? null,
      configs: await reads.configs(cluster, node),
    }),
  );

  insightGet(
    app,
    {
      ...knownCluster,
      url: '/clusters/:id/readiness',
      summary: 'Failover readiness of each VRRP pair, check by check',
      response: ReadinessResponse,
    },
    async (cluster, { id }) => {
      const t = now();
      const drill = await lastDrill(id);
      // pairReadiness asks synchronously: every node's last observed hash first.
      const hashes = new Map<string, string | undefined>();
      const nginxFiles = await reads.nginxFilesOf(id);
      for (const n of cluster.nodes) {
        const a = app.clusterStore.agentFor(id, n.name);
        hashes.set(n.name, a && (await reads.configHash(a.agentId, 'nginx')));
      }
      return {
        cluster: id,
        pairs: pairReadiness({
          cluster,
          nginxHash: (node) => hashes.get(node),
          nginxFiles,
          hasKeepalivedConfig: (node, instance) =>
            app.clusterStore.vrrpInterface(id, node, instance) !== undefined,
          lastDrill: drill,
          now: t,
        }),
        lastDrill: drill,
        generatedAt: t,
      };
    },
  );

  insightGet(
    app,
    {
      ...knownCluster,
      url: '/clusters/:id/availability',
      summary: 'Availability of each VIP over 24 h, 7 d and 30 d, from stored history',
      response: AvailabilityResponse,
    },
    async (cluster, { id }) => {
      const t = now();
      const stored = await app.repos.history.transitions({
        cluster: id,
        to: t,
        types: ['vip.change', 'service.health', 'snapshot'],
      });
      const rows = stored.map((r): AvailabilityEvent => ({
        ts: r.ts,
        node: r.node,
        type: r.type,
        data: JSON.parse(r.data) as unknown,
      }));
      return {
        cluster: id,
        vips: cluster.vips.map((v) => ({
          address: v.address,
          instance: v.instance,
          windows: vipAvailability(rows, v.address, t),
        })),
        generatedAt: t,
      };
    },
  );
  done();
};

export default insightModule;
