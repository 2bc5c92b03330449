import type { FindingArgs, FindingCode } from '@keepwatch/shared';

/*
 * Findings (and the alerts made from them) worded per language from their rule ID and facts
 * (SPEC.md NL-2). The server's English `message` is the fallback for a code this build does
 * not know. Names, addresses and VRRP states are never translated.
 */

export type FindingText = (a: FindingReader) => string;

/** Typed access to a finding's args; lists are joined the way the language joins them. */
export interface FindingReader {
  s(key: string): string;
  n(key: string): number;
  list(key: string): string;
}

export const findingsEn: Record<FindingCode, FindingText> = {
  'SB-1': (a) => `split brain: ${a.s('vip')} is held by ${a.list('holders')}`,
  'SB-2': (a) =>
    `split brain: keepalived on ${a.list('masters')} all claim MASTER for ${a.s('instance')}`,
  'VU-1': (a) =>
    `${a.s('vip')} (${a.s('instance')}) is not held by any node: clients cannot reach it`,
  'VU-2': (a) => `${a.s('vip')} was last seen on ${a.list('nodes')}, whose agent is offline`,
  'NM-1': (a) => `no keepalived is MASTER for ${a.s('instance')}`,
  'ST-1': (a) =>
    `keepalived on ${a.s('node')} is not running but its kernel still holds ${a.s('vip')}`,
  'ST-2': (a) =>
    `the kernel of ${a.s('node')} holds ${a.s('vip')} but its keepalived reports ${a.s('instance')} as ${a.s('state')}`,
  'MN-1': (a) =>
    `nginx on ${a.s('node')} is down while it holds ${a.s('vip')}${a.s('detail') ? `: ${a.s('detail')}` : ''}`,
  'NF-1': (a) => `only ${a.s('node')} can serve ${a.s('instance')}: there is no failover peer`,
  'AO-1': (a) => `the agent on ${a.s('node')} is offline`,
  'SD-1': (a) => `nginx on ${a.s('node')} is down${a.s('detail') ? `: ${a.s('detail')}` : ''}`,
  'SD-2': (a) =>
    `keepalived on ${a.s('node')} is not running${a.s('detail') ? `: ${a.s('detail')}` : ''}`,
  'SD-3': (a) => `tomcat on ${a.s('node')} is down${a.s('detail') ? `: ${a.s('detail')}` : ''}`,
  'BD-1': (a) => `every backend is down (${a.list('nodes')})`,
  'CS-1': (a) =>
    `the clock of ${a.s('node')} is ${a.n('ms')} ms ${a.s('dir') === 'ahead' ? 'ahead of' : 'behind'} the server's`,
  'SA-1': (a) =>
    `no message from the agent on ${a.s('node')} for ${a.n('seconds')} s (frozen host or agent?)`,
  'FL-1': (a) =>
    `${a.s('instance')} on ${a.s('node')} changed state ${a.n('count')} times in ${a.n('minutes')} min`,
  'KM-1': (a) =>
    `keepalived on ${a.s('node')} is MASTER for ${a.s('instance')} but its kernel does not hold ${a.s('vip')}`,
  'WT-1': (a) =>
    `${a.s('instance')}: a failed ${a.s('script')} lowers ${a.s('master')} to ${a.n('lowered')} but ${a.s('backup')} has ${a.n('best')}: ${
      a.s('outcome') === 'tie'
        ? `${a.s('backup')} takes over only if its address is higher`
        : `${a.s('backup')} can never take over`
    }`,
  'CM-1': (a) => `${a.s('instance')}: virtual_router_id differs: ${a.list('values')}`,
  'CM-2': (a) =>
    a.list('values')
      ? `${a.s('instance')}: ${a.s('field')} differs: ${a.list('values')}`
      : `${a.s('instance')}: ${a.s('field')} differs between ${a.list('nodes')}`,
  'CM-3': (a) => `${a.s('instance')}: advert_int differs: ${a.list('values')}`,
  'CM-4': (a) => `${a.s('instance')}: virtual_ipaddress differs: ${a.list('values')}`,
  'ND-1': (a) =>
    a.n('reported') ? 'no agent of this cluster is connected' : 'no agent has reported yet',
  'ND-2': () => 'no load balancer agent is connected: VIP ownership is unknown',
};

export const findingsZhCN: Record<FindingCode, FindingText> = {
  'SB-1': (a) => `脑裂：${a.s('vip')} 同时被 ${a.list('holders')} 持有`,
  'SB-2': (a) => `脑裂：${a.list('masters')} 上的 keepalived 都声称是 ${a.s('instance')} 的 MASTER`,
  'VU-1': (a) => `${a.s('vip')}（${a.s('instance')}）没有任何节点持有：客户端无法访问`,
  'VU-2': (a) => `${a.s('vip')} 最后出现在 ${a.list('nodes')} 上，但其 agent 已离线`,
  'NM-1': (a) => `${a.s('instance')} 没有任何 keepalived 处于 MASTER`,
  'ST-1': (a) => `${a.s('node')} 上的 keepalived 没有运行，但其内核仍持有 ${a.s('vip')}`,
  'ST-2': (a) =>
    `${a.s('node')} 的内核持有 ${a.s('vip')}，但其 keepalived 报告 ${a.s('instance')} 为 ${a.s('state')}`,
  'MN-1': (a) =>
    `${a.s('node')} 持有 ${a.s('vip')}，但其 nginx 已宕${a.s('detail') ? `：${a.s('detail')}` : ''}`,
  'NF-1': (a) => `只有 ${a.s('node')} 能承载 ${a.s('instance')}：没有可切换的备机`,
  'AO-1': (a) => `${a.s('node')} 上的 agent 已离线`,
  'SD-1': (a) => `${a.s('node')} 上的 nginx 已宕${a.s('detail') ? `：${a.s('detail')}` : ''}`,
  'SD-2': (a) =>
    `${a.s('node')} 上的 keepalived 没有运行${a.s('detail') ? `：${a.s('detail')}` : ''}`,
  'SD-3': (a) => `${a.s('node')} 上的 tomcat 已宕${a.s('detail') ? `：${a.s('detail')}` : ''}`,
  'BD-1': (a) => `所有后端都已宕（${a.list('nodes')}）`,
  'CS-1': (a) =>
    `${a.s('node')} 的时钟比服务器${a.s('dir') === 'ahead' ? '快' : '慢'} ${a.n('ms')} 毫秒`,
  'SA-1': (a) => `${a.s('node')} 上的 agent 已 ${a.n('seconds')} 秒没有消息（主机或 agent 卡死？）`,
  'FL-1': (a) =>
    `${a.s('node')} 上的 ${a.s('instance')} 在 ${a.n('minutes')} 分钟内切换了 ${a.n('count')} 次状态`,
  'KM-1': (a) =>
    `${a.s('node')} 上的 keepalived 是 ${a.s('instance')} 的 MASTER，但其内核没有 ${a.s('vip')}`,
  'WT-1': (a) =>
    `${a.s('instance')}：${a.s('script')} 失败后 ${a.s('master')} 的优先级降到 ${a.n('lowered')}，而 ${a.s('backup')} 为 ${a.n('best')}：${
      a.s('outcome') === 'tie'
        ? `只有 ${a.s('backup')} 的地址更大时才会接管`
        : `${a.s('backup')} 永远不会接管`
    }`,
  'CM-1': (a) => `${a.s('instance')}：virtual_router_id 不一致：${a.list('values')}`,
  'CM-2': (a) =>
    a.list('values')
      ? `${a.s('instance')}：${a.s('field')} 不一致：${a.list('values')}`
      : `${a.s('instance')}：${a.list('nodes')} 的 ${a.s('field')} 不一致`,
  'CM-3': (a) => `${a.s('instance')}：advert_int 不一致：${a.list('values')}`,
  'CM-4': (a) => `${a.s('instance')}：virtual_ipaddress 不一致：${a.list('values')}`,
  'ND-1': (a) => (a.n('reported') ? '该集群没有任何 agent 在线' : '还没有任何 agent 上报'),
  'ND-2': () => '没有负载均衡的 agent 在线：无法确定 VIP 归属',
};

/** Reads args leniently: a missing or mistyped fact reads as empty, never throws. */
export function findingReader(
  args: FindingArgs | undefined,
  joinList: (items: string[]) => string,
): FindingReader {
  const get = (k: string): unknown => args?.[k];
  const strings = (v: unknown[]): string[] => v.map(String);
  return {
    s: (k) => {
      const v = get(k);
      return typeof v === 'string'
        ? v
        : typeof v === 'number'
          ? String(v)
          : Array.isArray(v)
            ? joinList(strings(v))
            : '';
    },
    n: (k) => {
      const v = get(k);
      return typeof v === 'number' ? v : Number(v ?? 0) || 0;
    },
    list: (k) => {
      const v = get(k);
      return Array.isArray(v) ? joinList(strings(v)) : typeof v === 'string' ? v : '';
    },
  };
}
