import { listNames, makeFinding, type ConfigFinding, type FindingLocation } from './findings';
import type { NginxConfig } from './nginx-config';

/* nginx rules (ANALYSIS.md PT-1, NB-1): the traps measured in the reference lab. */

export interface NodeNginx {
  node: string;
  config: NginxConfig;
  /** net.ipv4.ip_nonlocal_bind on the host; undefined when the agent did not say. */
  ipNonlocalBind?: boolean;
}

const at = (node: string, line: number, file?: string): FindingLocation => ({
  node,
  component: 'nginx',
  line,
  ...(file !== undefined && { file }),
});

/**
 * PT-1: proxy_pass with nginx's default proxy_connect_timeout (60 s): a black-holed backend
 * is never marked down in time, and about half the requests fail (48 of 293 measured with
 * two backends; 0 of 1191 with 100 ms).
 */
export function defaultConnectTimeout(hosts: readonly NodeNginx[]): ConfigFinding[] {
  return hosts.flatMap(({ node, config }) => {
    const bare = config.servers
      .flatMap((s) => s.locations)
      .filter((l) => l.proxyPass !== undefined && l.connectTimeout === undefined);
    if (bare.length === 0) return [];
    const where = bare.map((l) => `location ${l.match}`);
    return [
      makeFinding({
        id: 'PT-1',
        rule: 'DEFAULT_CONNECT_TIMEOUT',
        severity: 'warning',
        nodes: [node],
        at: bare.map((l) => at(node, l.line, l.file)),
        en: `${node}: ${listNames(where)} proxies with nginx's default proxy_connect_timeout (60 s): a black-holed backend keeps failing requests instead of being marked down (about half failed in the reference lab)`,
        zh: `${node}：${listNames(where, 'zh-CN')} 使用 nginx 默认的 proxy_connect_timeout（60 秒）：后端被黑洞时不会及时标记为故障，请求持续失败（参考实验中约一半失败）`,
        fixEn:
          'Set proxy_connect_timeout to 100ms-1s in http {} (or in each proxying location), with proxy_next_upstream error timeout.',
        fixZh:
          '在 http {}（或每个代理的 location）中设置 proxy_connect_timeout 为 100ms 到 1s，并配合 proxy_next_upstream error timeout。',
      }),
    ];
  });
}

/** NB-1: `listen <VIP>:port` on a host without ip_nonlocal_bind: nginx -t fails where the VIP is absent. */
export function listenOnVip(
  hosts: readonly NodeNginx[],
  vips: ReadonlySet<string>,
): ConfigFinding[] {
  return hosts.flatMap(({ node, config, ipNonlocalBind }) => {
    if (ipNonlocalBind === true) return [];
    const onVip = config.servers
      .flatMap((s) => s.listens)
      .filter((l) => l.address !== undefined && vips.has(l.address));
    if (onVip.length === 0) return [];
    const known = ipNonlocalBind === false;
    const list = onVip.map((l) => l.raw);
    return [
      makeFinding({
        id: 'NB-1',
        rule: 'LISTEN_ON_VIP',
        severity: known ? 'critical' : 'warning',
        nodes: [node],
        at: onVip.map((l) => at(node, l.line, l.file)),
        en: `${node}: nginx listens on the VIP (${list.join(', ')}) ${known ? 'and' : 'but it is unknown whether'} net.ipv4.ip_nonlocal_bind is ${known ? '0' : '1'}: while ${node} is BACKUP the address is absent, so nginx -t and a restart fail (bind errno 99)`,
        zh: `${node}：nginx 监听 VIP（${list.join('、')}），${known ? '而 net.ipv4.ip_nonlocal_bind 为 0' : '但不确定 net.ipv4.ip_nonlocal_bind 是否为 1'}：${node} 作为 BACKUP 时没有该地址，nginx -t 和重启都会失败（bind 错误 99）`,
        fixEn:
          'Set net.ipv4.ip_nonlocal_bind=1 on every load balancer (sysctl.d), or listen on the port without an address.',
        fixZh:
          '在所有负载均衡器上设置 net.ipv4.ip_nonlocal_bind=1（sysctl.d），或只监听端口、不指定地址。',
      }),
    ];
  });
}
