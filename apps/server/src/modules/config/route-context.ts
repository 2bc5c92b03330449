import type { FastifyReply } from 'fastify';
import { ApiError, type NeighbourInstance } from '@keepwatch/shared';
import type { ConfigRepository } from '../../storage/config-repository';
import type { LiveFiles } from './live-files';
import { PushRefused, type PushService } from './push-service';

/* What the config module's route files share: the store, the push service, reply helpers. */

export interface ConfigRouteContext {
  live: LiveFiles;
  /** Changesets and pushes (app.repos.config). */
  store: ConfigRepository;
  service: PushService;
  /** A cluster the status store knows, or one with live files. */
  known(id: string): Promise<boolean>;
  /** Other clusters' VRRP instances (VR-1 across clusters). */
  neighbours(id: string): Promise<NeighbourInstance[]>;
}

export const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError };
export const tags = ['config'];

export const notFound = (reply: FastifyReply, message: string): FastifyReply =>
  reply.code(404).send({ error: 'not_found', message });

export const noCluster = (reply: FastifyReply, id: string): FastifyReply =>
  notFound(reply, `no cluster ${id}`);

/** A PushRefused as its status and {error, message}; anything else is rethrown. */
export function refused(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof PushRefused)
    return reply.code(err.status).send({ error: err.code, message: err.message });
  throw err;
}
