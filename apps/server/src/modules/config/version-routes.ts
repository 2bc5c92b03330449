import type { FastifyInstance } from 'fastify';
import {
  ChangesetDetail,
  ChangesetList,
  ChangesetParams,
  ConfigClusterParams,
  DiffQuery,
  DiffResponse,
  PushAccepted,
  RollbackRequest,
} from '@keepwatch/shared';
import { diffVersions, type VersionFile } from './file-diff';
import { errors, notFound, refused, tags, type ConfigRouteContext } from './route-context';

/*
 * Versions (PU-8): the changesets of a cluster, a diff between two of them (or one and the
 * live files), one with every file's content, and a roll back to one as a new push.
 */
export function versionRoutes(app: FastifyInstance, ctx: ConfigRouteContext): void {
  const { live, store, service } = ctx;

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
    async (request) => ({
      changesets: await store.changesets((request.params as ConfigClusterParams).id),
    }),
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
    async (request, reply) => {
      const q = request.query as DiffQuery;
      const from = await store.changeset(q.from);
      if (!from) return notFound(reply, `no changeset ${q.from}`);
      let to: VersionFile[];
      if (q.to === 'live') {
        to = (await live.list(from.clusterId)).map((f) => ({ ...f, host: f.node }));
      } else {
        const cs = await store.changeset(q.to);
        if (!cs || cs.clusterId !== from.clusterId)
          return notFound(reply, `no changeset ${q.to} in cluster ${from.clusterId}`);
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
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return (await store.changeset(id)) ?? notFound(reply, `no changeset ${id}`);
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
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as RollbackRequest;
      const target = await store.changeset(id);
      if (!target) return notFound(reply, `no changeset ${id}`);
      const now = await live.list(target.clusterId);
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
        const pushId = await service.start(
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
}
