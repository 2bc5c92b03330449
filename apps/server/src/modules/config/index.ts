import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import {
  AnalyzeRequest,
  AnalyzeResponse,
  ApiError,
  ChangesetDetail,
  ChangesetList,
  ChangesetParams,
  ClusterConfigResponse,
  ConfigClusterParams,
  DiffQuery,
  DiffResponse,
  DriftResponse,
  PushAccepted,
  PushList,
  PushParams,
  PushRequest,
  PushView,
  RenderRequest,
  RenderResponse,
  RollbackRequest,
  analyseCluster,
  importCluster,
  renderKeepalivedConf,
  renderNginxConf,
} from '@keepwatch/shared';
import { ChangesetStore } from './changeset-store';
import { clusterConfig, draftHosts } from './config-view';
import { fileDrift } from './drift';
import { diffVersions, type VersionFile } from './file-diff';
import { LiveFileStore, observationsOf } from './live-files';
import { PushRefused, PushService } from './push-service';
import type { PushTuning } from './push-runner';
import { PushStore } from './push-store';

/*
 * Configuration management, server side (README.md): live files, analysis of a draft,
 * versions, drift, and the push rollout. REST shapes: packages/shared protocol/config-api.ts.
 */

const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError };
const tags = ['config'];

export interface ConfigModuleOptions {
  now: () => number;
  /** Rollout timings (tests shorten them); see push-runner.ts. */
  pushTuning?: Partial<PushTuning>;
}

const noCluster = (reply: FastifyReply, id: string): FastifyReply =>
  reply.code(404).send({ error: 'not_found', message: `no cluster ${id}` });

const configModule: FastifyPluginCallback<ConfigModuleOptions> = (app, opts, done) => {
  const live = new LiveFileStore(app.db);
  const changesets = new ChangesetStore(app.db);
  const pushes = new PushStore(app.db);
  // PU-9: what a previous process left running is interrupted, said so, never resumed blind.
  for (const p of pushes.interruptRunning(opts.now()))
    app.log.warn({ pushId: p.id, clusterId: p.clusterId }, p.summary);
  const service = new PushService({
    app,
    live,
    changesets,
    pushes,
    now: opts.now,
    ...(opts.pushTuning && { tuning: opts.pushTuning }),
  });
  const refused = (reply: FastifyReply, err: unknown): FastifyReply => {
    if (err instanceof PushRefused)
      return reply.code(err.status).send({ error: err.code, message: err.message });
    throw err;
  };
  const off = app.bus.on('agent.data', (e) => {
    for (const obs of observationsOf(e.message)) live.observe(e.agentId, obs);
  });
  const offOnline = app.bus.on('agent.online', (e) =>
    live.identify(e.agentId, e.hello.node.cluster.id, e.hello.node.name),
  );
  app.addHook('onClose', (_app, next) => {
    off();
    offOnline();
    service.close();
    next();
  });

  const known = (id: string): boolean =>
    app.clusterStore.hasCluster(id) || live.list(id).length > 0;

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
    (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!known(id)) return noCluster(reply, id);
      return clusterConfig(
        id,
        live.list(id),
        changesets.latest(id),
        app.clusterStore.cluster(id),
        app.clusterOps.holder(id)?.kind === 'push' ? app.clusterOps.holder(id)?.id : undefined,
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
    (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!known(id)) return noCluster(reply, id);
      const hosts = draftHosts(live.list(id), (request.body as AnalyzeRequest).changes);
      const imported = importCluster(hosts);
      return {
        findings: analyseCluster(hosts),
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
    (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      const { model } = request.body as RenderRequest;
      const files = live.list(id);
      const pathOf = (host: string, component: 'keepalived' | 'nginx') =>
        files.find((f) => f.node === host && f.component === component)?.path;
      try {
        const hosts = model.loadBalancers.map((lb) => ({
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
        const findings = analyseCluster(
          hosts.map((h) => ({
            node: h.host,
            ...Object.fromEntries(
              h.files.map((f) => [
                f.component,
                { main: { path: f.path ?? `${f.component}.conf`, content: f.content } },
              ]),
            ),
          })),
        );
        return { hosts, findings };
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
    (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      if (!known(id)) return noCluster(reply, id);
      const view = clusterConfig(id, live.list(id), changesets.latest(id), undefined, undefined);
      const last = changesets.latest(id);
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

  app.get(
    '/clusters/:id/changesets',
    {
      schema: {
        tags,
        summary: "A cluster's versions (one per push), newest first",
        params: ConfigClusterParams,
        response: { 200: ChangesetList, ...errors },
      },
    },
    (request) => ({ changesets: changesets.list((request.params as ConfigClusterParams).id) }),
  );

  app.get(
    '/changesets/diff',
    {
      schema: {
        tags,
        summary: 'Unified diff per file between two changesets (to=live: the files now)',
        querystring: DiffQuery,
        response: { 200: DiffResponse, ...errors },
      },
    },
    (request, reply) => {
      const q = request.query as DiffQuery;
      const from = changesets.get(q.from);
      if (!from)
        return reply.code(404).send({ error: 'not_found', message: `no changeset ${q.from}` });
      let to: VersionFile[];
      if (q.to === 'live') {
        to = live.list(from.clusterId).map((f) => ({ ...f, host: f.node }));
      } else {
        const cs = changesets.get(q.to);
        if (!cs || cs.clusterId !== from.clusterId)
          return reply.code(404).send({
            error: 'not_found',
            message: `no changeset ${q.to} in cluster ${from.clusterId}`,
          });
        to = cs.contents;
      }
      return { from: q.from, to: q.to, files: diffVersions(from.contents, to, q) };
    },
  );

  app.get(
    '/changesets/:id',
    {
      schema: {
        tags,
        summary: 'One version with the content of every file',
        params: ChangesetParams,
        response: { 200: ChangesetDetail, ...errors },
      },
    },
    (request, reply) => {
      const { id } = request.params as { id: string };
      return (
        changesets.get(id) ??
        reply.code(404).send({ error: 'not_found', message: `no changeset ${id}` })
      );
    },
  );

  app.post(
    '/clusters/:id/config/push',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Push a changeset: dry run, then BACKUP first, health gate, then the MASTER',
        params: ConfigClusterParams,
        body: PushRequest,
        response: { 202: PushAccepted, ...errors },
      },
    },
    (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      const body = request.body as PushRequest;
      const author = request.user?.username ?? 'unknown';
      try {
        const pushId = service.start(id, body, author);
        app.audit.fromRequest(request, {
          action: body.dryRun ? 'config.push.dry_run' : 'config.push',
          target: id,
          detail: {
            pushId,
            message: body.message,
            files: body.changes.map((c) => `${c.host}:${c.component}`),
          },
        });
        return reply.code(202).send({ pushId });
      } catch (err) {
        if (err instanceof PushRefused)
          app.audit.fromRequest(request, {
            action: 'config.push',
            target: id,
            result: 'denied',
            detail: { reason: err.message },
          });
        return refused(reply, err);
      }
    },
  );

  app.get(
    '/clusters/:id/pushes',
    {
      schema: {
        tags,
        summary: "A cluster's pushes, newest first",
        params: ConfigClusterParams,
        response: { 200: PushList, ...errors },
      },
    },
    (request) => ({ pushes: pushes.list((request.params as ConfigClusterParams).id) }),
  );

  app.get(
    '/pushes/:id',
    {
      schema: {
        tags,
        summary: 'One push with per-host progress',
        params: PushParams,
        response: { 200: PushView, ...errors },
      },
    },
    (request, reply) => {
      const { id } = request.params as { id: string };
      return (
        pushes.get(id) ?? reply.code(404).send({ error: 'not_found', message: `no push ${id}` })
      );
    },
  );

  app.post(
    '/changesets/:id/rollback',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Roll the whole cluster back to a changeset, as a new push',
        params: ChangesetParams,
        body: RollbackRequest,
        response: { 202: PushAccepted, ...errors },
      },
    },
    (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as RollbackRequest;
      const target = changesets.get(id);
      if (!target)
        return reply.code(404).send({ error: 'not_found', message: `no changeset ${id}` });
      const now = live.list(target.clusterId);
      const changes = target.contents
        .filter(
          (f) =>
            now.find((l) => l.node === f.host && l.component === f.component)?.sha256 !== f.sha256,
        )
        .map((f) => ({ host: f.host, component: f.component, content: f.content }));
      if (changes.length === 0)
        return reply
          .code(409)
          .send({ error: 'nothing_to_do', message: `the cluster already runs changeset ${id}` });
      try {
        const pushId = service.start(
          target.clusterId,
          {
            message: body.message ?? `roll back to ${id} (${target.message})`,
            changes,
            ...(body.dryRun !== undefined && { dryRun: body.dryRun }),
          },
          request.user?.username ?? 'unknown',
          id,
        );
        app.audit.fromRequest(request, {
          action: 'config.rollback',
          target: target.clusterId,
          detail: { pushId, changeset: id },
        });
        return reply.code(202).send({ pushId });
      } catch (err) {
        return refused(reply, err);
      }
    },
  );

  done();
};

export default configModule;
