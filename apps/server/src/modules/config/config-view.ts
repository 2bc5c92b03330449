import {
  analyseCluster,
  type ChangesetDetail,
  type ClusterConfigResponse,
  type ConfigChangeInput,
  type HostConfig,
  type HostConfigFiles,
  type NeighbourInstance,
  type StatusCluster,
} from '@keepwatch/shared';
import { fileDrift } from './drift';
import type { LiveFile } from './live-files';

/* What GET /clusters/:id/config and the analysis of a draft are made of. Pure. */

export type HostRole = HostConfig['role'];

/**
 * A load balancer's VRRP role now: the kernel's VIP holder is the MASTER whatever keepalived
 * claims; then keepalived's states; unknown when neither says.
 */
export function hostRole(cluster: StatusCluster | undefined, host: string): HostRole {
  const node = cluster?.nodes.find((n) => n.name === host);
  if (!node) return 'unknown';
  if (node.vipsHeld.length > 0) return 'master';
  if (node.vrrp.some((v) => v.state === 'MASTER')) return 'master';
  if (node.vrrp.some((v) => v.state === 'BACKUP')) return 'backup';
  return 'unknown';
}

/** The analysis/import input: each host's live files, with `changes` laid over them. */
export function draftHosts(
  live: readonly LiveFile[],
  changes: readonly ConfigChangeInput[],
): HostConfigFiles[] {
  const hosts = [...new Set([...live.map((f) => f.node), ...changes.map((c) => c.host)])].sort();
  return hosts.map((host) => {
    const out: HostConfigFiles = { node: host };
    for (const component of ['keepalived', 'nginx'] as const) {
      const file = live.find((f) => f.node === host && f.component === component);
      const change = changes.find((c) => c.host === host && c.component === component);
      if (!file && !change) continue;
      out[component] = {
        main: {
          path: file?.path ?? (component === 'keepalived' ? 'keepalived.conf' : 'nginx.conf'),
          content: change?.content ?? file?.content ?? '',
        },
        includes: (file?.includes ?? []).map((i) => ({ path: i.path, content: i.content })),
      };
    }
    return out;
  });
}

export function clusterConfig(
  clusterId: string,
  live: readonly LiveFile[],
  last: ChangesetDetail | undefined,
  cluster: StatusCluster | undefined,
  runningPushId: string | undefined,
  neighbours: readonly NeighbourInstance[] = [],
): ClusterConfigResponse {
  const names = [
    ...new Set([
      ...live.map((f) => f.node),
      ...(cluster?.nodes.filter((n) => n.role === 'lb').map((n) => n.name) ?? []),
    ]),
  ].sort();
  const hosts: HostConfig[] = names.map((host) => ({
    host,
    online: cluster?.nodes.find((n) => n.name === host)?.online ?? false,
    role: hostRole(cluster, host),
    files: live
      .filter((f) => f.node === host)
      .map((f) => ({
        component: f.component,
        path: f.path,
        sha256: f.sha256,
        content: f.content,
        ...(f.includes.length > 0 && { includes: f.includes }),
        ...(f.test !== undefined && { test: f.test }),
        observedAt: f.observedAt,
        drift: fileDrift(f, last, host, f.component),
      })),
  }));
  return {
    clusterId,
    hosts,
    ...(last && { currentChangesetId: last.id }),
    drifted: hosts.some((h) => h.files.some((f) => f.drift.state === 'drifted')),
    findings: analyseCluster(draftHosts(live, []), { neighbours }),
    ...(neighbours.length > 0 && { neighbours: [...neighbours] }),
    ...(runningPushId !== undefined && { runningPushId }),
  };
}
