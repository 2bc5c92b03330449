/* Text of the cluster page (features/cluster), nested under `cluster` in i18n/dictionary.ts. */

export const clusterEn = {
  crumbs: 'Breadcrumb',
  notFound: (id: string): string => `No cluster "${id}" is known to the server.`,
  lastKnown: 'last known',
  lastKnownState: (state: string, ago: string): string => `last known ${state}, ${ago} ago`,
  keepalivedNotRunning: 'keepalived not running',
  stale: (ago: string): string => `stale: last report ${ago} ago`,
};

export type ClusterMessages = typeof clusterEn;

export const clusterZhCN: ClusterMessages = {
  crumbs: '导航路径',
  notFound: (id) => `服务器上没有集群“${id}”。`,
  lastKnown: '最后已知',
  lastKnownState: (state, ago) => `最后已知 ${state}，${ago}前`,
  keepalivedNotRunning: 'keepalived 未运行',
  stale: (ago) => `数据已过时：${ago}前最后上报`,
};
