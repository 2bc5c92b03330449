/* Text of the Agents page (features/agents), nested under `agents` in i18n/dictionary.ts. */

export const agentsEn = {
  nav: 'Agents',
  title: 'Agents',
  add: 'Add an agent',
  loading: 'Loading agents…',
  empty: 'No agents yet. Use "Add an agent" to enroll a host.',
  colName: 'Node',
  colCluster: 'Cluster',
  colHost: 'Host',
  colVersion: 'Version',
  colStatus: 'Status',
  colLastSeen: 'Last reported',
  colAuth: 'Credential',
  online: 'online',
  offline: 'offline',
  revoked: 'revoked',
  enrolled: 'enrolled',
  sharedToken: 'shared lab token',
  never: 'never',
  revoke: 'Revoke',
  revokeConfirm: (name: string): string =>
    `Revoke agent ${name}? Its connection closes now and its credential never works again.`,
  addTitle: 'Add an agent',
  addHelp: (expires: string): string =>
    `Run this on the new host as root. The token works once and expires at ${expires}.`,
  insecureNeedsChoice:
    'This panel speaks plain http: the token, the agent and its credential would cross the network unprotected. Serve it over https (KEEPWATCH_TLS_CERT/KEEPWATCH_TLS_KEY, or a reverse proxy) and open it by its https address.',
  insecureChoice: 'Use plain http anyway (a lab or a trusted network)',
  insecureWarning:
    'Plain http (--allow-insecure): anyone on the path can read the token and swap the agent.',
  copy: 'Copy',
  copied: 'Copied',
  close: 'Close',
  error: (message: string): string => `Could not load agents: ${message}`,
  actionError: (message: string): string => `The server refused: ${message}`,
};

export type AgentsMessages = typeof agentsEn;

export const agentsZhCN: AgentsMessages = {
  nav: 'Agent 管理',
  title: 'Agent 管理',
  add: '添加 Agent',
  loading: '正在加载 Agent…',
  empty: '还没有 Agent。点击“添加 Agent”接入一台主机。',
  colName: '节点',
  colCluster: '集群',
  colHost: '主机',
  colVersion: '版本',
  colStatus: '状态',
  colLastSeen: '最后上报',
  colAuth: '凭据',
  online: '在线',
  offline: '离线',
  revoked: '已吊销',
  enrolled: '已注册',
  sharedToken: '共享实验令牌',
  never: '从未',
  revoke: '吊销',
  revokeConfirm: (name) => `确定吊销 Agent ${name}？它的连接会立即断开，凭据永久失效。`,
  addTitle: '添加 Agent',
  addHelp: (expires) =>
    `在新主机上以 root 身份运行以下命令。令牌只能使用一次，将于 ${expires} 过期。`,
  insecureNeedsChoice:
    '此面板使用明文 http：令牌、Agent 程序及其凭据将以未加密方式在网络上传输。请改用 https（KEEPWATCH_TLS_CERT/KEEPWATCH_TLS_KEY 或反向代理），并通过 https 地址打开面板。',
  insecureChoice: '仍然使用明文 http（实验环境或可信网络）',
  insecureWarning: '明文 http（--allow-insecure）：链路上的任何人都能读取令牌并替换 Agent。',
  copy: '复制',
  copied: '已复制',
  close: '关闭',
  error: (message) => `无法加载 Agent：${message}`,
  actionError: (message) => `服务器拒绝：${message}`,
};
