import type { FastifyInstance } from 'fastify';
import {
  AnalyzeRequest,
  AnalyzeResponse,
  ClusterConfigResponse,
  ConfigClusterParams,
  DriftResponse,
  RenderRequest,
  RenderResponse,
  analyseCluster,
  importCluster,
  renderKeepalivedConf,
  renderNginxConf,
  type ClusterModel,
  type HostConfigFiles,
} from '@keepwatch/shared';
import { clusterConfig, draftHosts } from './config-view';
import { fileDrift } from './drift';
import type { LiveFile } from './live-files';
import { errors, noCluster, tags, type ConfigRouteContext } from './route-context';

/*
 * The read side and the drafts: the live files with drift and findings, the analysis and
 * import of a draft, a model rendered to files, drift per file. Nothing here changes a host.
 */

/** Each load balancer's files rendered from `model`, at the paths the live files have. */
function renderHosts(model: ClusterModel, files: readonly LiveFile[]) {
  const pathOf = (host: string, component: 'keepalived' | 'nginx') =>
    files.find((f) => f.node === host && f.component === component)?.path;
  return model.loadBalancers.map((lb) => ({
    host: lb.name,
    files: [
      { component: 'keepalived' as const, content: renderKeepalivedConf(model, lb.name) },
      ...(lb.nginx || model.nginx
        ? [{ component: 'nginx' as const, content: renderNginxConf(model, lb.name) }]
        : []),
    ].map((f) => {
      const path = pathOf(lb.name, f.component);
      return { ...f, ...(path !== undefined && { path }) };
    }),
  }));
}

export function draftRoutes(app: FastifyInstance, ctx: ConfigRouteContext): void {
  const { live, store } = ctx;

  app.get(
    '/clusters/:id/config',
    {
      schema: {
        tags,
        summary: "The live keepalived and nginx files of a cluster's load balancers, with drift",
        params: ConfigClusterParams,
        response: { 200: ClusterConfigResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!(await ctx.known(id))) return noCluster(reply, id);
      const holder = app.clusterOps.holder(id);
      return clusterConfig(
        id,
        await live.list(id),
        await store.latestChangeset(id),
        app.clusterStore.cluster(id),
        holder?.kind === 'push' ? holder.id : undefined,
        await ctx.neighbours(id),
      );
    },
  );

  app.post(
    '/clusters/:id/config/analyze',
    {
      schema: {
        tags,
        summary: 'Analysis and import of a draft: the live files with the changes laid over them',
        params: ConfigClusterParams,
        body: AnalyzeRequest,
        response: { 200: AnalyzeResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!(await ctx.known(id))) return noCluster(reply, id);
      const hosts = draftHosts(await live.list(id), (request.body as AnalyzeRequest).changes);
      const imported = importCluster(hosts);
      return {
        findings: analyseCluster(hosts, { neighbours: await ctx.neighbours(id) }),
        ...(imported.model && { model: imported.model }),
        notes: imported.notes,
      };
    },
  );

  app.post(
    '/clusters/:id/config/render',
    {
      schema: {
        tags,
        summary: "Each load balancer's keepalived.conf and nginx.conf rendered from a model",
        params: ConfigClusterParams,
        body: RenderRequest,
        response: { 200: RenderResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      const { model } = request.body as RenderRequest;
      const liveFiles = await live.list(id);
      const neighbours = await ctx.neighbours(id);
      try {
        const hosts = renderHosts(model, liveFiles);
        const files: HostConfigFiles[] = hosts.map((h) => ({
          node: h.host,
          ...Object.fromEntries(
            h.files.map((f) => [
              f.component,
              { main: { path: f.path ?? `${f.component}.conf`, content: f.content } },
            ]),
          ),
        }));
        return { hosts, findings: analyseCluster(files, { neighbours }) };
      } catch (err) {
        return reply.code(400).send({ error: 'bad_model', message: (err as Error).message });
      }
    },
  );

  app.get(
    '/clusters/:id/config/drift',
    {
      schema: {
        tags,
        summary: 'Per host and file: does the live file still match the last push?',
        params: ConfigClusterParams,
        response: { 200: DriftResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!(await ctx.known(id))) return noCluster(reply, id);
      const last = await store.latestChangeset(id);
      const view = clusterConfig(id, await live.list(id), last, undefined, undefined);
      return {
        clusterId: id,
        ...(last && { currentChangesetId: last.id }),
        hosts: view.hosts.map((h) => ({
          host: h.host,
          files: (['keepalived', 'nginx'] as const).flatMap((component) => {
            const f = h.files.find((x) => x.component === component);
            if (!f && !last?.files.some((x) => x.host === h.host && x.component === component))
              return [];
            return [
              {
                component,
                ...(f && { path: f.path }),
                ...(f ? f.drift : fileDrift(undefined, last, h.host, component)),
              },
            ];
          }),
        })),
      };
    },
  );
}
