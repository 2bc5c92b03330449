import type { CheckId } from './failover-model';
import type { TimelineKind } from './timeline-model';

type Args = Record<string, string | number>;

/* Text of the cluster page (features/cluster), nested under `cluster` in i18n/dictionary.ts. */

export const clusterEn = {
  crumbs: 'Breadcrumb',
  notFound: (id: string): string => `No cluster "${id}" is known to the server.`,
  lastKnown: 'last known',
  lastKnownState: (state: string, ago: string): string => `last known ${state}, ${ago} ago`,
  keepalivedNotRunning: 'keepalived not running',
  stale: (ago: string): string => `stale: last report ${ago} ago`,
  topology: 'Topology',
  upstreamView: "upstreams as this LB's nginx sees them",
  failoverTitle: 'Will it fail over?',
  failoverNoVip: 'No VIP is known for this cluster yet.',
  failoverYes: 'yes, a failover would work now.',
  failoverNo: 'no, not as things stand:',
  checks: {
    holder: (a: Args): string => `${a['node']} holds the VIP (its kernel has the address).`,
    holderDead: (a: Args): string =>
      `keepalived on ${a['node']} is not a running MASTER, yet its kernel holds the VIP.`,
    split: (a: Args): string => `Split brain: ${a['nodes']} all hold the VIP.`,
    noHolder: (): string => 'No node holds the VIP: clients cannot reach it.',
    peerReady: (a: Args): string =>
      `${a['node']} is BACKUP with keepalived running, ready to take over.`,
    noPeer: (): string =>
      'No BACKUP is ready (agent offline, keepalived not running, or not BACKUP).',
    peerNginx: (a: Args): string => `nginx on ${a['node']} is up.`,
    peerUpstreams: (a: Args): string =>
      `${a['up']} of ${a['total']} upstreams answer from ${a['node']}.`,
    priority: (a: Args): string =>
      `Priorities: ${a['node']} ${a['peer']} below the MASTER's ${a['master']}, as it should be.`,
    weights: (): string =>
      'The configured weights let a failed check move the VIP (no WT-1 finding).',
  } satisfies Record<CheckId, (a: Args) => string>,
  timelineTitle: 'Timeline',
  timelineEmpty: 'Nothing happened in this range.',
  range: 'Time range',
  last: (p: string): string => `last ${p}`,
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  axisLabel: (n: number): string => `${n} events on the time axis`,
  clusterWide: 'cluster',
  kinds: {
    vrrp: 'VRRP',
    vip: 'kernel VIP',
    health: 'health',
    upstream: 'upstream',
    config: 'config',
    action: 'action',
    push: 'config push',
    drill: 'drill',
    alert: 'alert',
    other: 'event',
  } satisfies Record<TimelineKind, string>,
  events: {
    vrrp: (instance: string, state: string, prio: number): string =>
      `${instance} → ${state} (priority ${prio})`,
    vip: (added: boolean, address: string): string =>
      `${added ? 'kernel added' : 'kernel removed'} ${address}`,
    health: (service: string, healthy: boolean, detail: string): string =>
      `${service} ${healthy ? 'healthy' : `unhealthy${detail ? `: ${detail}` : ''}`}`,
    alertFiring: 'alert firing',
    alertResolved: 'alert resolved',
    pushStarted: (message: string, author: string): string =>
      `config push started by ${author}: “${message}”`,
    rollbackStarted: (author: string): string => `rollback started by ${author}`,
    pushHost: (host: string, status: string, error: string): string =>
      `${host}: ${status}${error ? ` (${error})` : ''}`,
    pushFinished: (status: string): string => `config push ${status}`,
    drillStarted: (kind: string, by: string): string => `drill started by ${by}: ${kind}`,
    drillPhase: (phase: string): string =>
      phase === 'fault' ? 'drill: fault injected' : 'drill: fault restored',
    drillResult: (status: string): string => `drill ${status}`,
    drillDowntime: (ms: number, failed: number, total: number): string =>
      `${ms} ms client downtime, ${failed} of ${total} requests failed`,
    open: 'open',
  },
  logsTitle: 'Load balancer logs (keepalived, nginx)',
  logsWaiting: 'Waiting for log lines…',
};

export type ClusterMessages = typeof clusterEn;

export const clusterZhCN: ClusterMessages = {
  crumbs: '导航路径',
  notFound: (id) => `服务器上没有集群“${id}”。`,
  lastKnown: '最后已知',
  lastKnownState: (state, ago) => `最后已知 ${state}，${ago}前`,
  keepalivedNotRunning: 'keepalived 未运行',
  stale: (ago) => `数据已过时：${ago}前最后上报`,
  topology: '拓扑',
  upstreamView: '该负载均衡上 nginx 看到的后端',
  failoverTitle: '能否切换？',
  failoverNoVip: '该集群还没有已知的 VIP。',
  failoverYes: '能，现在切换可以成功。',
  failoverNo: '不能，原因如下：',
  checks: {
    holder: (a) => `${a['node']} 持有 VIP（其内核上有该地址）。`,
    holderDead: (a) => `${a['node']} 上的 keepalived 不是正在运行的 MASTER，但其内核仍持有 VIP。`,
    split: (a) => `脑裂：${a['nodes']} 同时持有 VIP。`,
    noHolder: () => '没有节点持有 VIP：客户端无法访问。',
    peerReady: (a) => `${a['node']} 为 BACKUP 且 keepalived 正在运行，可以接管。`,
    noPeer: () => '没有就绪的 BACKUP（agent 离线、keepalived 未运行或不是 BACKUP）。',
    peerNginx: (a) => `${a['node']} 上的 nginx 正常。`,
    peerUpstreams: (a) => `从 ${a['node']} 看，${a['total']} 个后端中有 ${a['up']} 个可用。`,
    priority: (a) =>
      `优先级：${a['node']} 为 ${a['peer']}，低于 MASTER 的 ${a['master']}，符合预期。`,
    weights: () => '配置的权重能让失败的检查移走 VIP（没有 WT-1 问题）。',
  },
  timelineTitle: '时间线',
  timelineEmpty: '此时间范围内没有事件。',
  range: '时间范围',
  last: (p) => `最近 ${p}`,
  zoomIn: '放大',
  zoomOut: '缩小',
  axisLabel: (n) => `时间轴上共 ${n} 个事件`,
  clusterWide: '集群',
  kinds: {
    vrrp: 'VRRP',
    vip: '内核 VIP',
    health: '健康',
    upstream: '后端',
    config: '配置',
    action: '操作',
    push: '配置推送',
    drill: '演练',
    alert: '告警',
    other: '事件',
  },
  events: {
    vrrp: (instance, state, prio) => `${instance} → ${state}（优先级 ${prio}）`,
    vip: (added, address) => `${added ? '内核添加了' : '内核移除了'} ${address}`,
    health: (service, healthy, detail) =>
      `${service} ${healthy ? '正常' : `异常${detail ? `：${detail}` : ''}`}`,
    alertFiring: '告警触发',
    alertResolved: '告警恢复',
    pushStarted: (message, author) => `${author} 开始配置推送：“${message}”`,
    rollbackStarted: (author) => `${author} 开始回滚`,
    pushHost: (host, status, error) => `${host}：${status}${error ? `（${error}）` : ''}`,
    pushFinished: (status) => `配置推送${status}`,
    drillStarted: (kind, by) => `${by} 开始演练：${kind}`,
    drillPhase: (phase) => (phase === 'fault' ? '演练：已注入故障' : '演练：已恢复故障'),
    drillResult: (status) => `演练${status}`,
    drillDowntime: (ms, failed, total) => `客户端中断 ${ms} ms，${total} 个请求中 ${failed} 个失败`,
    open: '查看',
  },
  logsTitle: '负载均衡日志（keepalived、nginx）',
  logsWaiting: '正在等待日志…',
};
