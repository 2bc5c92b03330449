import type { Severity, Verdict } from '@keepwatch/shared';

/*
 * Text shared by every page (login, verdicts, severities, node cards, durations). Feature
 * text lives beside each feature (features/<name>/<name>-i18n.ts) and is merged in
 * dictionary.ts. VRRP state names (MASTER, BACKUP…) are protocol terms, never translated.
 */

export interface DurationUnits {
  d: string;
  h: string;
  m: string;
  s: string;
  /** Between two parts: a space in English, nothing in Chinese. */
  sep: string;
}

export const coreEn = {
  appName: 'Keepwatch',
  langName: 'English',
  langSwitchLabel: 'Language',

  loginTitle: 'Sign in',
  loginSubtitle: 'nginx + keepalived control panel',
  loginUsername: 'Username',
  loginPassword: 'Password',
  loginSubmit: 'Sign in',
  loginSubmitting: 'Signing in…',
  loginBadCredentials: 'Wrong username or password.',
  loginRateLimited: (seconds: number | null): string =>
    seconds === null
      ? 'Too many attempts. Wait a moment and try again.'
      : `Too many attempts. Try again in ${seconds} s.`,
  loginUnreachable: 'Cannot reach the Keepwatch server. Check that it is running.',
  loginServerError: (status: number): string =>
    `The server answered with an error (HTTP ${status}).`,
  loginSessionExpired: 'Your session has ended. Please sign in again.',
  loginChecking: 'Checking session…',

  logout: 'Sign out',
  signedInAs: (user: string): string => `Signed in as ${user}`,

  liveLive: 'Live',
  liveConnecting: 'Connecting…',
  liveReconnecting: 'Reconnecting…',
  liveOffline: 'Offline, retrying',
  liveStaleNote: (time: string): string => `Not live: showing data from ${time}`,

  clustersEmpty: 'No clusters yet. Start an agent on each host to see them here.',
  clustersLoading: 'Waiting for the first snapshot…',

  verdict: {
    healthy: 'Healthy',
    degraded: 'Degraded',
    at_risk: 'At risk',
    down: 'Down',
    unknown: 'Unknown',
  } satisfies Record<Verdict, string>,
  verdictHint: {
    healthy: 'Failover is ready.',
    degraded: 'Serving traffic, with problems.',
    at_risk: 'Serving traffic, but a failover would not work.',
    down: 'The service is not reachable.',
    unknown: 'Not enough information.',
  } satisfies Record<Verdict, string>,
  severity: {
    critical: 'Critical',
    warning: 'Warning',
    info: 'Info',
  } satisfies Record<Severity, string>,
  noFindings: 'No findings.',

  roleLb: 'Load balancer',
  roleBackend: 'Backend',
  vip: 'VIP',
  vipHeldBy: (names: string): string => `held by ${names}`,
  vipNoHolder: 'No node holds this VIP',
  vipSplitBrain: (names: string): string => `Split brain: held by ${names}`,
  vipMastersDiffer: (names: string): string => `keepalived MASTER: ${names}`,
  holdsVip: 'holds VIP',
  noVip: 'no VIP',

  agentOnline: 'agent online',
  agentOffline: 'agent offline',
  lastSeen: (ago: string): string => `last seen ${ago} ago`,
  priority: 'priority',
  effective: 'effective',
  priorityLowered: (delta: number): string => `lowered by ${delta}`,
  stateFor: (state: string, duration: string): string => `${state} for ${duration}`,
  noVrrp: 'No VRRP instance reported',
  serviceHealthy: 'healthy',
  serviceUnhealthy: 'unhealthy',
  serviceUnknown: 'no data',
  clock: 'clock',
  clockUnknown: 'unknown',
  latency: 'latency',

  durationUnits: { d: 'd', h: 'h', m: 'm', s: 's', sep: ' ' } satisfies DurationUnits,
};

export type CoreMessages = typeof coreEn;

export const coreZhCN: CoreMessages = {
  appName: 'Keepwatch',
  langName: '中文',
  langSwitchLabel: '语言',

  loginTitle: '登录',
  loginSubtitle: 'nginx + keepalived 控制面板',
  loginUsername: '用户名',
  loginPassword: '密码',
  loginSubmit: '登录',
  loginSubmitting: '正在登录…',
  loginBadCredentials: '用户名或密码错误。',
  loginRateLimited: (seconds) =>
    seconds === null ? '尝试次数过多，请稍后再试。' : `尝试次数过多，请在 ${seconds} 秒后重试。`,
  loginUnreachable: '无法连接 Keepwatch 服务器，请确认它正在运行。',
  loginServerError: (status) => `服务器返回错误（HTTP ${status}）。`,
  loginSessionExpired: '会话已结束，请重新登录。',
  loginChecking: '正在检查会话…',

  logout: '退出登录',
  signedInAs: (user) => `当前用户：${user}`,

  liveLive: '实时',
  liveConnecting: '正在连接…',
  liveReconnecting: '正在重连…',
  liveOffline: '已断开，正在重试',
  liveStaleNote: (time) => `非实时：显示的是 ${time} 的数据`,

  clustersEmpty: '还没有集群。在每台主机上启动 agent 后会显示在这里。',
  clustersLoading: '正在等待第一份快照…',

  verdict: {
    healthy: '正常',
    degraded: '降级',
    at_risk: '有风险',
    down: '中断',
    unknown: '未知',
  },
  verdictHint: {
    healthy: '可以正常故障切换。',
    degraded: '仍在提供服务，但存在问题。',
    at_risk: '仍在提供服务，但故障切换将无法成功。',
    down: '服务不可达。',
    unknown: '信息不足。',
  },
  severity: {
    critical: '严重',
    warning: '警告',
    info: '提示',
  },
  noFindings: '没有发现问题。',

  roleLb: '负载均衡',
  roleBackend: '后端',
  vip: 'VIP',
  vipHeldBy: (names) => `持有者：${names}`,
  vipNoHolder: '没有节点持有此 VIP',
  vipSplitBrain: (names) => `脑裂：${names} 同时持有`,
  vipMastersDiffer: (names) => `keepalived 认为的 MASTER：${names}`,
  holdsVip: '持有 VIP',
  noVip: '未持有 VIP',

  agentOnline: 'agent 在线',
  agentOffline: 'agent 离线',
  lastSeen: (ago) => `${ago}前最后上报`,
  priority: '优先级',
  effective: '有效',
  priorityLowered: (delta) => `已降低 ${delta}`,
  stateFor: (state, duration) => `${state} 已持续 ${duration}`,
  noVrrp: '未上报 VRRP 实例',
  serviceHealthy: '正常',
  serviceUnhealthy: '异常',
  serviceUnknown: '无数据',
  clock: '时钟偏差',
  clockUnknown: '未知',
  latency: '延迟',

  durationUnits: { d: '天', h: '小时', m: '分', s: '秒', sep: '' },
};
