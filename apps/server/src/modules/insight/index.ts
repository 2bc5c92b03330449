import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  AvailabilityResponse,
  ClusterInsightParams,
  type ConfigFile,
  HostInfo,
  HostInsightParams,
  ReadinessResponse,
} from '@keepwatch/shared';
import { vipAvailability, type AvailabilityEvent } from './availability';
import { HostReads } from './host-info';
import { pairReadiness } from './readiness';

/** What the drills module may offer (issue 8); until it does, the last drill is "never". */
/** What readiness reads of the drills module (its proof of failover per cluster). */
interface DrillsProof {
  proof?: (
    clusterIds: readonly string[],
  ) => { clusterId: string; drillId: string | null; lastProvenAt: number | null }[];
}

/**
 * GET /hosts/:cluster/:node, /clusters/:id/readiness, /clusters/:id/availability (viewer):
 * the host page's facts and files, each VRRP pair's failover readiness, each VIP's
 * availability over 24 h / 7 d / 30 d from stored history.
 */
const insightModule: FastifyPluginCallback<{ now: () => number }> = (app, opts, done) => {
  const { now } = opts;
  const reads = new HostReads(app.db);
  const footprint = new Map<string, { rssBytes: number; cpuPercent: number; at: number }>();
  const off = app.bus.on('agent.stats', ({ agentId, sample, at }) => {
    if (sample.agent) footprint.set(agentId, { ...sample.agent, at });
  });
  app.addHook('onClose', (_i, next) => {
    off();
    next();
  });
  const events = app.db.prepare(
    `SELECT ts, node, type, data FROM history_transitions
     WHERE cluster_id = ? AND ts < ? AND type IN ('vip.change', 'service.health', 'snapshot')
     ORDER BY ts, agent_id, seq, part`,
  );
  // The config module's live files (config_live, migration 060), read only.
  const liveNginx = app.db.prepare(
    `SELECT path, content, includes FROM config_live
     WHERE cluster_id = ? AND node = ? AND component = 'nginx'`,
  );
  const nginxFiles = (cluster: string, node: string) => {
    const r = liveNginx.get(cluster, node) as
      { path: string; content: string; includes: string | null } | undefined;
    if (!r) return undefined;
    const includes = r.includes ? (JSON.parse(r.includes) as ConfigFile[]) : [];
    return {
      main: { path: r.path, content: r.content },
      includes: includes.map((f) => ({ path: f.path, content: f.content })),
    };
  };
  const notFound = (what: string) => ({ error: 'not_found', message: `no ${what}` });
  const lastDrill = (cluster: string): { id: string; at: number } | null => {
    const drills = (app as unknown as { drills?: DrillsProof }).drills;
    const p = drills?.proof?.([cluster]).find((x) => x.clusterId === cluster);
    return p?.drillId && p.lastProvenAt !== null ? { id: p.drillId, at: p.lastProvenAt } : null;
  };

  app.get<{ Params: HostInsightParams }>(
    '/hosts/:cluster/:node',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['insight'],
        summary: 'One host: agent facts and footprint, clock offset, config files with sha256',
        params: HostInsightParams,
        response: { 200: HostInfo, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { cluster, node } = request.params;
      const found = app.clusterStore.agentFor(cluster, node);
      const agent = found && reads.agent(found.agentId);
      if (!found || !agent) return reply.code(404).send(notFound(`host ${cluster}/${node}`));
      return {
        cluster,
        node,
        role: agent.role,
        agentId: found.agentId,
        online: found.online,
        lastSeen: agent.lastSeen,
        facts: agent.facts,
        footprint: footprint.get(found.agentId) ?? null,
        configs: reads.configs(cluster, node),
      };
    },
  );

  app.get<{ Params: ClusterInsightParams }>(
    '/clusters/:id/readiness',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['insight'],
        summary: 'Failover readiness of each VRRP pair, check by check',
        params: ClusterInsightParams,
        response: { 200: ReadinessResponse, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const cluster = app.clusterStore.cluster(id);
      if (!cluster) return reply.code(404).send(notFound(`cluster ${id}`));
      const t = now();
      const drill = lastDrill(id);
      const hash = (node: string): string | undefined => {
        const a = app.clusterStore.agentFor(id, node);
        return a && reads.configHash(a.agentId, 'nginx');
      };
      return {
        cluster: id,
        pairs: pairReadiness({
          cluster,
          nginxHash: hash,
          nginxFiles: (node) => nginxFiles(id, node),
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

  app.get<{ Params: ClusterInsightParams }>(
    '/clusters/:id/availability',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['insight'],
        summary: 'Availability of each VIP over 24 h, 7 d and 30 d, from stored history',
        params: ClusterInsightParams,
        response: { 200: AvailabilityResponse, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const cluster = app.clusterStore.cluster(id);
      if (!cluster) return reply.code(404).send(notFound(`cluster ${id}`));
      const t = now();
      const rows = (
        events.all(id, t) as { ts: number; node: string; type: string; data: string }[]
      ).map((r): AvailabilityEvent => ({ ...r, data: JSON.parse(r.data) as unknown }));
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
