import type { Contradiction } from './truth-model';

type Args = Record<string, string | number>;

/** Readiness check ids the server sends (apps/server/src/modules/insight/readiness.ts). */
export const READINESS_CHECKS = [
  'backup-healthy',
  'config-same',
  'upstreams-healthy',
  'weights-move',
  'drill-recent',
] as const;
export type ReadinessCheckId = (typeof READINESS_CHECKS)[number];

/** Why a BACKUP is not healthy (`problem` of backup-healthy). */
type Problem = 'offline' | 'keepalived-stopped' | 'nginx-down' | 'nginx-unknown' | 'no-backup';

interface CheckWords {
  ok: (a: Args) => string;
  bad: (a: Args) => string;
  unknown: (a: Args) => string;
}

/* Text of the truth table, failover readiness and availability (features/truth). */

export const truthEn = {
  title: 'Truth and readiness',
  tableLabel: "Per node: keepalived's claim beside the kernel and the probes",
  colNode: 'Node',
  colClaim: "keepalived's claim",
  colKernel: 'Kernel holds',
  colNginx: 'nginx',
  colBackends: 'Backends',
  colProbe: 'Client probe',
  colFlags: 'Contradictions',
  none: 'none',
  up: 'up',
  down: 'down',
  unknown: 'unknown',
  noProbe: 'only during drills',
  probeOwnNone: 'own address: no answer yet',
  probeOwn: (result: string, ms: number): string => `own address: ${result} in ${ms} ms`,
  probeViaVip: (answered: number, total: number): string =>
    `answered ${answered} of the VIP's last ${total} requests`,
  lastKnown: (state: string): string => `last known ${state}`,
  backends: (up: number, total: number): string => `${up}/${total} up`,
  flags: {
    'master-without-vip': (a: Args): string =>
      `MASTER for ${a['instance']} but its kernel lacks the VIP`,
    'vip-in-two-kernels': (a: Args): string =>
      `${a['vip']} is also in the kernel of ${a['others']}`,
    'backup-nginx-down': (a: Args): string => `BACKUP for ${a['instance']} with nginx down`,
    'vip-without-master': (a: Args): string =>
      `holds ${a['vip']} without being a running MASTER of ${a['instance']}`,
    stale: (): string => 'agent offline: last report, not the present',
  } satisfies Record<Contradiction, (a: Args) => string>,
  readinessTitle: 'Failover readiness',
  readinessLoading: 'Checking readiness…',
  pair: (instance: string, master: string, backup: string): string =>
    `${instance}: ${master} → ${backup}`,
  ready: 'ready: the BACKUP would take over and serve.',
  notReady: 'not ready:',
  lastDrill: (when: string): string => `Last proven by a drill: ${when}`,
  never: 'never',
  diffLine: (where: string, m: string, master: string, b: string, backup: string): string =>
    `${where}: ${m} ${master || '(absent)'}; ${b} ${backup || '(absent)'}`,
  moreDiffs: (n: number): string => `… and ${n} more (see the config page's diff).`,
  problems: {
    offline: 'its agent is offline',
    'keepalived-stopped': 'its keepalived is not running',
    'nginx-down': 'its nginx is down',
    'nginx-unknown': 'its nginx health is unknown',
    'no-backup': 'there is no BACKUP',
  } satisfies Record<Problem, string>,
  checks: {
    'backup-healthy': {
      ok: (a) => `${a['node']} is BACKUP, keepalived running, nginx healthy.`,
      bad: (a) => `The BACKUP ${a['node']} is not healthy.`,
      unknown: () => 'The BACKUP cannot be judged.',
    },
    'config-same': {
      ok: (a) =>
        a['compared'] === 'structure'
          ? a['identical'] === 1
            ? `${a['backup']} runs the same nginx file as ${a['master']} (sha256 ${a['masterHash']}…).`
            : `${a['backup']}'s nginx serves what ${a['master']}'s does: the same upstreams, servers, listen addresses and proxy settings (the files differ only in comments, whitespace or each host's own lines).`
          : `${a['backup']} runs the same nginx config as ${a['master']} (sha256 ${a['masterHash']}…).`,
      bad: (a) =>
        a['compared'] === 'structure'
          ? `${a['backup']}'s nginx does not serve what ${a['master']}'s does (${a['differences']} ${a['differences'] === 1 ? 'difference' : 'differences'}):`
          : `${a['backup']}'s nginx config differs from ${a['master']}'s (${a['backupHash']}… vs ${a['masterHash']}…; the text is not known, so only the hashes were compared).`,
      unknown: () => 'An nginx config hash is not known yet.',
    },
    'upstreams-healthy': {
      ok: (a) => `All ${a['total']} upstreams answer from ${a['node']}.`,
      bad: (a) => `From ${a['node']}, these upstreams fail: ${a['unhealthy']}.`,
      unknown: (a) => `${a['node']} reports no upstreams.`,
    },
    'weights-move': {
      ok: () => 'The weights let a failed check move the VIP.',
      bad: () => 'The weights cannot move the VIP (WT-1): a failed check leaves it where it is.',
      unknown: () => "A keepalived.conf has not been observed: the weights can't be checked.",
    },
    'drill-recent': {
      ok: (a) => `A drill proved the failover within ${a['maxDays']} days.`,
      bad: (a) => `No drill proved the failover within ${a['maxDays']} days.`,
      unknown: () => 'The drills cannot tell.',
    },
  } satisfies Record<ReadinessCheckId, CheckWords>,
  availabilityTitle: 'Availability of each VIP',
  availabilityNote:
    'From stored history: down = no kernel holds the VIP, or its holder’s nginx is down.',
  colVip: 'VIP',
  ranges: { '24h': '24 h', '7d': '7 days', '30d': '30 days' } as Record<string, string>,
  noData: 'no data',
  known: (p: string): string => `known for ${p}`,
  downFor: (d: string): string => `down ${d}`,
  splitFor: (d: string): string => `split ${d}`,
};

export type TruthMessages = typeof truthEn;

export const truthZhCN: TruthMessages = {
  title: '真实状态与就绪',
  tableLabel: '每个节点：keepalived 的声明与内核、探测结果对照',
  colNode: '节点',
  colClaim: 'keepalived 声明',
  colKernel: '内核持有',
  colNginx: 'nginx',
  colBackends: '后端',
  colProbe: '客户端探测',
  colFlags: '矛盾',
  none: '无',
  up: '正常',
  down: '故障',
  unknown: '未知',
  noProbe: '仅演练期间',
  probeOwnNone: '自身地址：尚无应答',
  probeOwn: (result, ms) => `自身地址：${result}，${ms} ms`,
  probeViaVip: (answered, total) => `VIP 最近 ${total} 个请求中应答 ${answered} 个`,
  lastKnown: (state) => `最后已知 ${state}`,
  backends: (up, total) => `${up}/${total} 正常`,
  flags: {
    'master-without-vip': (a) => `${a['instance']} 为 MASTER，但内核中没有 VIP`,
    'vip-in-two-kernels': (a) => `${a['vip']} 同时在 ${a['others']} 的内核中`,
    'backup-nginx-down': (a) => `${a['instance']} 为 BACKUP，但 nginx 已故障`,
    'vip-without-master': (a) => `持有 ${a['vip']}，却不是运行中的 ${a['instance']} MASTER`,
    stale: () => 'agent 离线：显示的是最后一次上报，不是现在',
  },
  readinessTitle: '故障切换就绪检查',
  readinessLoading: '正在检查就绪状态…',
  pair: (instance, master, backup) => `${instance}：${master} → ${backup}`,
  ready: '就绪：BACKUP 能接管并提供服务。',
  notReady: '未就绪：',
  lastDrill: (when) => `最近一次演练证明：${when}`,
  never: '从未',
  diffLine: (where, m, master, b, backup) =>
    `${where}：${m} ${master || '（没有）'}；${b} ${backup || '（没有）'}`,
  moreDiffs: (n) => `……另有 ${n} 处（见配置页的差异）。`,
  problems: {
    offline: '其 agent 离线',
    'keepalived-stopped': '其 keepalived 未运行',
    'nginx-down': '其 nginx 已故障',
    'nginx-unknown': '其 nginx 健康状态未知',
    'no-backup': '没有 BACKUP',
  },
  checks: {
    'backup-healthy': {
      ok: (a) => `${a['node']} 为 BACKUP，keepalived 运行中，nginx 正常。`,
      bad: (a) => `BACKUP ${a['node']} 不健康。`,
      unknown: () => '无法判断 BACKUP 的状态。',
    },
    'config-same': {
      ok: (a) =>
        a['compared'] === 'structure'
          ? a['identical'] === 1
            ? `${a['backup']} 的 nginx 文件与 ${a['master']} 完全相同（sha256 ${a['masterHash']}…）。`
            : `${a['backup']} 的 nginx 与 ${a['master']} 提供相同的服务：上游、server、监听地址和代理设置都一致（文件只在注释、空白或各主机自己的行上不同）。`
          : `${a['backup']} 的 nginx 配置与 ${a['master']} 相同（sha256 ${a['masterHash']}…）。`,
      bad: (a) =>
        a['compared'] === 'structure'
          ? `${a['backup']} 的 nginx 与 ${a['master']} 提供的服务不同（${a['differences']} 处差异）：`
          : `${a['backup']} 的 nginx 配置与 ${a['master']} 不同（${a['backupHash']}… 对 ${a['masterHash']}…；不知道文件内容，只比较了哈希）。`,
      unknown: () => '尚不知道 nginx 配置的哈希。',
    },
    'upstreams-healthy': {
      ok: (a) => `从 ${a['node']} 访问，全部 ${a['total']} 个上游正常。`,
      bad: (a) => `从 ${a['node']} 访问，这些上游失败：${a['unhealthy']}。`,
      unknown: (a) => `${a['node']} 没有上报上游。`,
    },
    'weights-move': {
      ok: () => '权重设置能让失败的检查移动 VIP。',
      bad: () => '权重无法移动 VIP（WT-1）：检查失败时 VIP 不会切换。',
      unknown: () => '尚未观察到 keepalived.conf，无法检查权重。',
    },
    'drill-recent': {
      ok: (a) => `${a['maxDays']} 天内有演练证明了故障切换。`,
      bad: (a) => `${a['maxDays']} 天内没有演练证明故障切换。`,
      unknown: () => '演练无法判断。',
    },
  },
  availabilityTitle: '各 VIP 的可用性',
  availabilityNote: '根据存储的历史计算：没有内核持有 VIP，或持有者的 nginx 故障，即为不可用。',
  colVip: 'VIP',
  ranges: { '24h': '24 小时', '7d': '7 天', '30d': '30 天' },
  noData: '无数据',
  known: (p) => `已知 ${p}`,
  downFor: (d) => `不可用 ${d}`,
  splitFor: (d) => `脑裂 ${d}`,
};
