import type { StatusCluster, StatusNode, StatusResponse } from '@keepwatch/shared';

/** Small readers over a StatusResponse for tests and the demo's console output. */
export function clusterOf(status: StatusResponse, id: string): StatusCluster | undefined {
  return status.clusters.find((c) => c.id === id);
}

export function nodeOf(
  status: StatusResponse,
  clusterId: string,
  name: string,
): StatusNode | undefined {
  return clusterOf(status, clusterId)?.nodes.find((n) => n.name === name);
}

export function holdersOf(status: StatusResponse, clusterId: string, vip: string): string[] {
  return [
    ...(clusterOf(status, clusterId)?.vips.find((v) => v.address === vip)?.holders ?? []),
  ].sort();
}

export function vrrpStateOf(
  status: StatusResponse,
  clusterId: string,
  name: string,
  instance = 'VI_1',
): string | undefined {
  return nodeOf(status, clusterId, name)?.vrrp.find((v) => v.instance === instance)?.state;
}

export function serviceHealthy(
  status: StatusResponse,
  clusterId: string,
  name: string,
  service: 'nginx' | 'keepalived' | 'tomcat',
): boolean | undefined {
  return nodeOf(status, clusterId, name)?.services[service]?.healthy;
}
