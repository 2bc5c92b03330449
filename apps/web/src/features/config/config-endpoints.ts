import {
  ChangesetDetail,
  ChangesetList,
  ClusterConfigResponse,
  PushAccepted,
  PushView,
  type PushRequest,
  type RollbackRequest,
} from '@keepwatch/shared';
import type { Requester } from '../../lib/api-request';

/*
 * The config calls of the one API client (spread into endpoints() of lib/api-client.ts),
 * each checked against its schema in packages/shared/src/protocol/config-api.ts. Progress
 * of a push comes on the live socket (push.progress), after one GET for where it stands.
 */

const enc = encodeURIComponent;

export function configEndpoints(request: Requester) {
  return {
    /** The live files per host, with drift and the running push. */
    clusterConfig: (id: string) =>
      request('GET', `/clusters/${enc(id)}/config`, ClusterConfigResponse),
    /** Operator: a dry run (`dryRun: true`) or a real push. */
    pushConfig: (id: string, body: PushRequest) =>
      request('POST', `/clusters/${enc(id)}/config/push`, PushAccepted, { body }),
    push: (id: string) => request('GET', `/pushes/${enc(id)}`, PushView),
    /** A cluster's versions, newest first. */
    changesets: (clusterId: string) =>
      request('GET', `/clusters/${enc(clusterId)}/changesets`, ChangesetList),
    changeset: (id: string) => request('GET', `/changesets/${enc(id)}`, ChangesetDetail),
    /** Operator: the whole cluster back to that version, as a new push. */
    rollback: (id: string, body: RollbackRequest) =>
      request('POST', `/changesets/${enc(id)}/rollback`, PushAccepted, { body }),
  };
}
