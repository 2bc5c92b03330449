/* Text of the overview (features/overview), nested under `overview` in i18n/dictionary.ts. */

export const overviewEn = {
  title: 'Clusters',
  summary: (shown: number, total: number): string =>
    shown === total ? `${total} clusters` : `${shown} of ${total} clusters`,
  search: 'Search',
  searchPlaceholder: 'Cluster, host or VIP',
  status: 'Status',
  statusAll: 'All',
  statusProblems: 'Any problem',
  colCluster: 'Cluster',
  colVerdict: 'Verdict',
  colReasons: 'Why',
  colVips: 'VIPs and holders',
  colNodes: 'Nodes',
  colAlerts: 'Alerts',
  colFailover: 'Last failover',
  nodesOnline: (online: number, total: number): string => `${online}/${total} online`,
  noHolder: 'no holder',
  moreFindings: (n: number): string => `+${n} more`,
  alertsOpen: (n: number): string => (n === 0 ? 'none' : `${n} firing`),
  never: 'none seen',
  ago: (d: string): string => `${d} ago`,
  noMatch: 'No cluster matches the filter.',
  inMaintenance: 'in maintenance',
};

export type OverviewMessages = typeof overviewEn;

export const overviewZhCN: OverviewMessages = {
  title: '集群',
  summary: (shown, total) =>
    shown === total ? `共 ${total} 个集群` : `${shown} / ${total} 个集群`,
  search: '搜索',
  searchPlaceholder: '集群、主机或 VIP',
  status: '状态',
  statusAll: '全部',
  statusProblems: '有问题的',
  colCluster: '集群',
  colVerdict: '结论',
  colReasons: '原因',
  colVips: 'VIP 与持有者',
  colNodes: '节点',
  colAlerts: '告警',
  colFailover: '最近切换',
  nodesOnline: (online, total) => `${online}/${total} 在线`,
  noHolder: '无持有者',
  moreFindings: (n) => `另有 ${n} 项`,
  alertsOpen: (n) => (n === 0 ? '无' : `${n} 条告警中`),
  never: '未发生',
  ago: (d) => `${d}前`,
  noMatch: '没有符合筛选条件的集群。',
  inMaintenance: '维护中',
};
