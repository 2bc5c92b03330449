/* Text of the app shell (nav, header, banners, themes) and of the shared page states. */

export const shellEn = {
  skipToContent: 'Skip to content',
  mainNav: 'Main',
  nav: {
    overview: 'Clusters',
    alerts: 'Alerts',
    agents: 'Agents',
    users: 'Users',
    tokens: 'API tokens',
    audit: 'Audit log',
    maintenance: 'Maintenance',
  },
  theme: {
    label: 'Theme',
    system: 'System',
    light: 'Light',
    dark: 'Dark',
  },
  role: { viewer: 'viewer', operator: 'operator', admin: 'admin' } as Record<string, string>,
  bannerLost: (since: string): string =>
    `Live connection lost ${since} ago. Reconnecting… What you see may be out of date.`,
  bannerConnecting: 'Connecting to the live feed…',
  timeZone: (zone: string): string => `Times in ${zone}`,
  loading: 'Loading…',
  retry: 'Try again',
  loadFailed: (message: string): string => `Could not load: ${message}`,
  notFoundTitle: 'Nothing here',
  notFoundText: 'This address does not match any page.',
  forbiddenTitle: 'Not for your role',
  forbiddenText: (role: string): string => `Your role (${role}) cannot open this page.`,
  backToOverview: 'Back to the overview',
  pageFailed: 'This page failed to load. Reload the browser tab to try again.',
  confirmTitle: 'Are you sure?',
  cancel: 'Cancel',
};

export type ShellMessages = typeof shellEn;

export const shellZhCN: ShellMessages = {
  skipToContent: '跳到正文',
  mainNav: '主导航',
  nav: {
    overview: '集群',
    alerts: '告警',
    agents: 'Agent 管理',
    users: '用户',
    tokens: 'API 令牌',
    audit: '审计日志',
    maintenance: '维护窗口',
  },
  theme: {
    label: '主题',
    system: '跟随系统',
    light: '浅色',
    dark: '深色',
  },
  role: { viewer: '只读', operator: '操作员', admin: '管理员' },
  bannerLost: (since) => `实时连接已断开 ${since}，正在重连…当前显示的数据可能已过时。`,
  bannerConnecting: '正在连接实时数据…',
  timeZone: (zone) => `时间均为 ${zone}`,
  loading: '加载中…',
  retry: '重试',
  loadFailed: (message) => `加载失败：${message}`,
  notFoundTitle: '页面不存在',
  notFoundText: '这个地址没有对应的页面。',
  forbiddenTitle: '无权访问',
  forbiddenText: (role) => `你的角色（${role}）不能打开此页面。`,
  backToOverview: '返回总览',
  pageFailed: '页面加载失败。请刷新浏览器标签页重试。',
  confirmTitle: '确定吗？',
  cancel: '取消',
};
