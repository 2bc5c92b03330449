import { Type, type Static } from '@sinclair/typebox';
import type { DrillFaultKind } from './actions';

/*
 * The drill kinds: what is broken, on which host, what we expect clients to see
 * (hypothesis) and what must hold for the drill to pass (criteria). The text is shown on
 * the dashboard before the confirm and printed in the report; the runner evaluates the
 * criteria by their ids (apps/server/src/modules/drills/SPEC.md, rules EV-*).
 */

export const DrillKind = Type.Union([
  Type.Literal('nginx-outage'),
  Type.Literal('keepalived-stop'),
  Type.Literal('keepalived-crash'),
  Type.Literal('backend-outage'),
  Type.Literal('backend-blackhole'),
  Type.Literal('nginx-hang'),
  Type.Literal('link-down'),
  Type.Literal('all-backends-down'),
  Type.Literal('vrrp-partition'),
]);
export type DrillKind = Static<typeof DrillKind>;

export const DRILL_KINDS: readonly DrillKind[] = [
  'nginx-outage',
  'keepalived-stop',
  'keepalived-crash',
  'backend-outage',
  'backend-blackhole',
  'nginx-hang',
  'link-down',
  'all-backends-down',
  'vrrp-partition',
];

/** A sentence in both dashboard languages. */
export interface DrillText {
  en: string;
  'zh-CN': string;
}

export const DrillTextSchema = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });

/**
 * Which hosts get the fault: the MASTER of the VIP, one backend, every backend, or both
 * load balancers (a partition cuts VRRP on each side).
 */
export type DrillTarget = 'master' | 'backend' | 'backends' | 'lbs';

/**
 * A criterion the runner checks after the drill (ids are stable; the report lists each
 * with ok/not ok):
 *   failover        the VIP moved to another load balancer (kernel view) during the fault
 *   no-failover     the VIP stayed on the MASTER (backend drills: nginx must handle them)
 *   served          clients were served again before the fault ended (a new master answered)
 *   downtime-bound  the measured downtime is within the theoretical bound from the config + margin
 *   no-failures     no client request failed
 *   failures-seen   clients did fail (all-backends-down: the report must say so plainly)
 *   split-flagged   two kernels held the VIP during the fault and the drill saw it
 *   no-split        never two kernel holders (a split brain is a failure)
 *   restored        after restore: VIP back on the original MASTER only, every service up
 */
export type DrillCriterionId =
  | 'failover'
  | 'no-failover'
  | 'served'
  | 'downtime-bound'
  | 'no-failures'
  | 'failures-seen'
  | 'split-flagged'
  | 'no-split'
  | 'restored';

export interface DrillKindInfo {
  kind: DrillKind;
  target: DrillTarget;
  /** The agent fault kind sent to each target host. */
  fault: DrillFaultKind;
  /** How long the fault is held by default before the server restores it (ms). */
  defaultHoldMs: number;
  hypothesis: DrillText;
  criteria: { id: DrillCriterionId; text: DrillText }[];
}

const C: Record<DrillCriterionId, DrillText> = {
  failover: {
    en: 'The VIP moves to the BACKUP (kernel view).',
    'zh-CN': 'VIP 漂移到 BACKUP（以内核地址为准）。',
  },
  'no-failover': {
    en: 'The VIP stays on the MASTER: nginx handles it without a failover.',
    'zh-CN': 'VIP 保持在 MASTER 上：由 nginx 自己处理，不发生切换。',
  },
  served: {
    en: 'Clients are served again before the fault ends.',
    'zh-CN': '故障结束前客户端已恢复访问。',
  },
  'downtime-bound': {
    en: 'Client downtime stays within the bound computed from the live config.',
    'zh-CN': '客户端中断时间不超过根据当前配置计算出的理论上限。',
  },
  'no-failures': {
    en: 'No client request fails.',
    'zh-CN': '客户端请求没有任何失败。',
  },
  'failures-seen': {
    en: 'Clients get errors for the whole fault (no HA layer can help): reported plainly.',
    'zh-CN': '故障期间客户端持续报错（高可用层无法挽救），报告中如实说明。',
  },
  'split-flagged': {
    en: 'The split brain (VIP in two kernels) is detected and flagged.',
    'zh-CN': '检测并标出脑裂（两个内核同时持有 VIP）。',
  },
  'no-split': {
    en: 'The VIP is never held by two kernels at once.',
    'zh-CN': 'VIP 从未同时出现在两个内核中。',
  },
  restored: {
    en: 'After the restore the VIP is back on the original MASTER only and every service is up.',
    'zh-CN': '恢复后 VIP 仅回到原 MASTER，所有服务正常运行。',
  },
};

const crit = (...ids: DrillCriterionId[]): DrillKindInfo['criteria'] =>
  ids.map((id) => ({ id, text: C[id] }));

export const DRILL_KIND_INFO: Record<DrillKind, DrillKindInfo> = {
  'nginx-outage': {
    kind: 'nginx-outage',
    target: 'master',
    fault: 'stop-nginx',
    defaultHoldMs: 12_000,
    hypothesis: {
      en: 'nginx stops on the MASTER; the check script lowers its priority, the BACKUP takes the VIP within interval × fall + master-down time, and clients are served by the BACKUP.',
      'zh-CN':
        'MASTER 上的 nginx 停止；检查脚本降低其优先级，BACKUP 在 检查间隔 × fall + master-down 时间内接管 VIP，客户端改由 BACKUP 提供服务。',
    },
    criteria: crit('failover', 'served', 'downtime-bound', 'no-split', 'restored'),
  },
  'keepalived-stop': {
    kind: 'keepalived-stop',
    target: 'master',
    fault: 'stop-keepalived',
    defaultHoldMs: 8_000,
    hypothesis: {
      en: 'keepalived stops gracefully on the MASTER (priority-0 advert); the BACKUP takes the VIP after its skew time, well under a second with 1 s adverts.',
      'zh-CN':
        'MASTER 上的 keepalived 正常停止（发送优先级 0 通告）；BACKUP 在 skew 时间后接管 VIP，1 秒通告间隔下不到 1 秒。',
    },
    criteria: crit('failover', 'served', 'downtime-bound', 'no-split', 'restored'),
  },
  'keepalived-crash': {
    kind: 'keepalived-crash',
    target: 'master',
    fault: 'kill-keepalived',
    defaultHoldMs: 10_000,
    hypothesis: {
      en: 'Every keepalived process on the MASTER is killed (no goodbye advert); the BACKUP takes over after its master-down time. The dead node keeps the VIP in its kernel, so two kernels hold it until keepalived starts again: reported as a finding, never a clean pass.',
      'zh-CN':
        'MASTER 上所有 keepalived 进程被强制杀死（不发送告别通告）；BACKUP 在 master-down 时间后接管。已死节点的内核仍保留 VIP，在 keepalived 重启前两个内核同时持有 VIP：作为发现报告，绝不算干净通过。',
    },
    criteria: crit('failover', 'served', 'downtime-bound', 'no-split', 'restored'),
  },
  'backend-outage': {
    kind: 'backend-outage',
    target: 'backend',
    fault: 'stop-backend',
    defaultHoldMs: 8_000,
    hypothesis: {
      en: 'One backend stops (connections refused); nginx retries the next upstream at once, clients see nothing and the VIP stays put.',
      'zh-CN': '一个后端停止（连接被拒绝）；nginx 立即重试下一个上游，客户端无感知，VIP 不动。',
    },
    criteria: crit('no-failover', 'no-failures', 'no-split', 'restored'),
  },
  'backend-blackhole': {
    kind: 'backend-blackhole',
    target: 'backend',
    fault: 'blackhole-backend',
    defaultHoldMs: 8_000,
    hypothesis: {
      en: "One backend's port is dropped by a firewall (connects hang); nginx gives up after proxy_connect_timeout and marks it down. With the default 60 s timeout the requests sent to it fail.",
      'zh-CN':
        '一个后端端口被防火墙丢弃（连接挂起）；nginx 在 proxy_connect_timeout 后放弃并将其标记为下线。默认 60 秒超时下，发往它的请求会失败。',
    },
    criteria: crit('no-failover', 'served', 'no-split', 'restored'),
  },
  'nginx-hang': {
    kind: 'nginx-hang',
    target: 'master',
    fault: 'freeze-nginx',
    defaultHoldMs: 12_000,
    hypothesis: {
      en: 'nginx on the MASTER freezes (SIGSTOP): the process is alive but connections hang. Only a timed health check catches it; the BACKUP then takes the VIP.',
      'zh-CN':
        'MASTER 上的 nginx 被冻结（SIGSTOP）：进程仍在但连接挂起。只有带超时的健康检查能发现它，随后 BACKUP 接管 VIP。',
    },
    criteria: crit('failover', 'served', 'downtime-bound', 'no-split', 'restored'),
  },
  'link-down': {
    kind: 'link-down',
    target: 'master',
    fault: 'link-down',
    defaultHoldMs: 10_000,
    hypothesis: {
      en: "The MASTER's VRRP interface goes down; the BACKUP hears no adverts and takes the VIP after its master-down time. The kernel keeps the VIP configured on the downed link, where it cannot answer: that copy is no split brain. The agent's dead-man timer brings the link back even if its own connection went with it.",
      'zh-CN':
        'MASTER 的 VRRP 网卡被关闭；BACKUP 收不到通告，在 master-down 时间后接管 VIP。内核仍把 VIP 留在已断开的网卡上，但在那里无法应答：这不算脑裂。即使 agent 自身连接随之中断，其定时恢复机制也会把网卡拉起。',
    },
    criteria: crit('failover', 'served', 'downtime-bound', 'no-split', 'restored'),
  },
  'all-backends-down': {
    kind: 'all-backends-down',
    target: 'backends',
    fault: 'stop-backend',
    defaultHoldMs: 6_000,
    hypothesis: {
      en: 'Every backend stops. The VIP stays where it is, but clients get 502s for the whole fault: no load-balancer failover can help.',
      'zh-CN':
        '所有后端停止。VIP 保持不变，但故障期间客户端持续收到 502：负载均衡层的切换无济于事。',
    },
    criteria: crit('no-failover', 'failures-seen', 'no-split', 'restored'),
  },
  'vrrp-partition': {
    kind: 'vrrp-partition',
    target: 'lbs',
    fault: 'block-vrrp',
    defaultHoldMs: 10_000,
    hypothesis: {
      en: 'VRRP is dropped between the load balancers for a bounded time: both become MASTER and both kernels hold the VIP (a controlled split brain that detection must flag), then it heals to one holder.',
      'zh-CN':
        '在限定时间内丢弃负载均衡器之间的 VRRP：双方都成为 MASTER，两个内核同时持有 VIP（受控脑裂，检测必须标出），随后恢复为单一持有者。',
    },
    criteria: crit('split-flagged', 'restored'),
  },
};
