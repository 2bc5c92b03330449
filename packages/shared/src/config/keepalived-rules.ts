import { Type, type Static } from '@sinclair/typebox';
import { listNames, makeFinding, type ConfigFinding, type FindingLocation } from './findings';
import {
  instancesAcross,
  intendedMaster,
  locate,
  type NodeKeepalived,
  type Placed,
} from './pair-rules';

/*
 * keepalived rules beyond the status ones (ANALYSIS.md): each host's file on its own, the
 * pair, and the traps measured in the reference lab (keepalived-lab.md).
 */

const at = (node: string, line?: number, file?: string): FindingLocation => ({
  node,
  component: 'keepalived',
  ...(file !== undefined && { file }),
  ...(line !== undefined && { line }),
});

/** NP-1: `nopreempt` only works with `state BACKUP`; with `state MASTER` it preempts anyway. */
export function nopreemptMaster(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  return configs.flatMap(({ node, config }) =>
    config.instances
      .filter((i) => i.nopreempt && i.state?.toUpperCase() === 'MASTER')
      .map((i) =>
        makeFinding({
          id: 'NP-1',
          rule: 'NOPREEMPT_WITH_MASTER',
          severity: 'warning',
          nodes: [node],
          instance: i.name,
          at: [at(node, i.line, i.file)],
          en: `${i.name} on ${node}: nopreempt is ignored with state MASTER: ${node} takes the VIP back whenever it starts`,
          zh: `${node} 上的 ${i.name}：state MASTER 时 nopreempt 不生效，${node} 每次启动都会抢回 VIP`,
          fixEn: `Set state BACKUP on every load balancer of ${i.name} (priority still decides the first MASTER).`,
          fixZh: `把 ${i.name} 在所有负载均衡器上都设为 state BACKUP（首个 MASTER 仍由优先级决定）。`,
        }),
      ),
  );
}

/** The address a node sends adverts from, as its peers must list it. */
function sourceOf(p: Placed, addresses: ReadonlyMap<string, string>): string | undefined {
  return p.instance.unicastSrcIp ?? addresses.get(p.node);
}

/** UC-1: unicast peers that do not list each other (adverts then go one way only). */
export function asymmetricUnicast(
  configs: readonly NodeKeepalived[],
  addresses: ReadonlyMap<string, string> = new Map(),
): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const [name, placed] of instancesAcross(configs)) {
    if (placed.length < 2 || !placed.some((p) => p.instance.unicastPeers.length > 0)) continue;
    for (const a of placed) {
      for (const b of placed.filter((x) => x !== a)) {
        const src = sourceOf(b, addresses);
        if (src !== undefined && a.instance.unicastPeers.includes(src)) continue;
        out.push(
          makeFinding({
            id: 'UC-1',
            rule: 'UNICAST_ASYMMETRIC',
            severity: 'critical',
            nodes: [a.node, b.node],
            instance: name,
            at: [locate(a), locate(b)],
            en: `${name}: ${a.node}'s unicast_peer list lacks ${b.node}${src ? ` (${src})` : ''}: ${a.node} never sends its adverts to ${b.node}, which will also become MASTER`,
            zh: `${name}：${a.node} 的 unicast_peer 中没有 ${b.node}${src ? `（${src}）` : ''}：${a.node} 的通告发不到 ${b.node}，后者也会成为 MASTER`,
            fixEn: `List every other load balancer's address in unicast_peer on each host, and set unicast_src_ip to the host's own address${src ? ` (add ${src} on ${a.node})` : ''}.`,
            fixZh: `在每台主机的 unicast_peer 中列出其他所有负载均衡器的地址，并把 unicast_src_ip 设为本机地址${src ? `（在 ${a.node} 上加入 ${src}）` : ''}。`,
          }),
        );
      }
    }
  }
  return out;
}

/** HC-1: nothing tracked: an nginx outage never moves the VIP. HC-2: a tracked script that does not exist. */
export function healthChecks(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const { node, config } of configs) {
    for (const i of config.instances) {
      if (i.trackScripts.length === 0 && i.trackFiles.length === 0)
        out.push(
          makeFinding({
            id: 'HC-1',
            rule: 'NO_HEALTH_CHECK',
            severity: 'warning',
            nodes: [node],
            instance: i.name,
            at: [at(node, i.line, i.file)],
            en: `${i.name} on ${node} tracks no check: if nginx stops, ${node} keeps the VIP and clients are refused`,
            zh: `${node} 上的 ${i.name} 没有跟踪任何检查：nginx 停止后 ${node} 仍持有 VIP，客户端连接被拒绝`,
            fixEn: `Add a vrrp_script that checks nginx (e.g. curl http://127.0.0.1/healthz) and list it in ${i.name}'s track_script.`,
            fixZh: `添加检查 nginx 的 vrrp_script（例如 curl http://127.0.0.1/healthz），并写入 ${i.name} 的 track_script。`,
          }),
        );
      for (const t of i.trackScripts.filter((t) => !config.scripts.some((s) => s.name === t.name)))
        out.push(
          makeFinding({
            id: 'HC-2',
            rule: 'UNKNOWN_TRACK_SCRIPT',
            severity: 'critical',
            nodes: [node],
            instance: i.name,
            at: [at(node, i.line, i.file)],
            en: `${i.name} on ${node} tracks ${t.name}, which no vrrp_script defines: keepalived ignores it ("track script ${t.name} not found")`,
            zh: `${node} 上的 ${i.name} 跟踪了 ${t.name}，但没有定义这个 vrrp_script：keepalived 会忽略它`,
            fixEn: `Define vrrp_script ${t.name} { … } or fix the name in track_script.`,
            fixZh: `定义 vrrp_script ${t.name} { … }，或改正 track_script 中的名字。`,
          }),
        );
    }
  }
  return out;
}

/** The network of an address/prefix as "a.b.c.d/p" (VIPs written /32 count as their /24). */
function network(address: string, prefix: number | undefined): string {
  const p = prefix === undefined || prefix === 32 ? 24 : prefix;
  const n = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const masked = p === 0 ? 0 : Math.floor(n / 2 ** (32 - p)) * 2 ** (32 - p);
  const octets = [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256);
  return `${octets.join('.')}/${p}`;
}

/** Another cluster's VRRP instance on the same machines' networks (for VR-1). */
export const NeighbourInstance = Type.Object({
  cluster: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  vrid: Type.Integer(),
  vips: Type.Array(Type.Object({ address: Type.String(), prefix: Type.Optional(Type.Integer()) })),
});
export type NeighbourInstance = Static<typeof NeighbourInstance>;

/** VR-1: one VRID for two different instances on one segment: they answer each other's adverts. */
export function vridCollisions(
  configs: readonly NodeKeepalived[],
  neighbours: readonly NeighbourInstance[] = [],
): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  const mine = [...instancesAcross(configs)].flatMap(([name, placed]) => {
    const first = placed[0];
    if (!first || first.instance.vrid === undefined) return [];
    const nets = new Set(first.instance.virtualAddresses.map((v) => network(v.address, v.prefix)));
    return [{ name, vrid: first.instance.vrid, nets, placed }];
  });
  const overlaps = (a: Set<string>, vips: NeighbourInstance['vips']): boolean =>
    vips.some((v) => a.has(network(v.address, v.prefix)));
  for (const [k, a] of mine.entries()) {
    for (const b of mine.slice(k + 1)) {
      if (a.vrid !== b.vrid || ![...b.nets].some((n) => a.nets.has(n))) continue;
      out.push(
        collision(a.name, a.vrid, a.placed, `${b.name} of this cluster`, `本集群的 ${b.name}`),
      );
    }
    for (const n of neighbours.filter((x) => x.vrid === a.vrid && overlaps(a.nets, x.vips)))
      out.push(
        collision(
          a.name,
          a.vrid,
          a.placed,
          `${n.instance} of cluster ${n.cluster} (${n.node})`,
          `集群 ${n.cluster} 的 ${n.instance}（${n.node}）`,
        ),
      );
  }
  return out;
}

function collision(
  name: string,
  vrid: number,
  placed: Placed[],
  otherEn: string,
  otherZh: string,
): ConfigFinding {
  return makeFinding({
    id: 'VR-1',
    rule: 'VRID_COLLISION',
    severity: 'critical',
    nodes: placed.map((p) => p.node),
    instance: name,
    at: placed.map(locate),
    en: `${name} uses virtual_router_id ${vrid}, like ${otherEn}, on the same network: their adverts mix (VIPs flap, "ip address associated with VRID not present" errors)`,
    zh: `${name} 使用 virtual_router_id ${vrid}，与同一网段上的${otherZh}相同：双方的通告会互相干扰（VIP 抖动，日志报 VRID 地址不符）`,
    fixEn: `Give ${name} a virtual_router_id (1-255) no other VRRP instance on this network uses.`,
    fixZh: `为 ${name} 选择一个本网段其他 VRRP 实例都未使用的 virtual_router_id（1-255）。`,
  });
}

/** PR-1: two load balancers with one priority: the higher address wins, not the config. */
export function priorityTies(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const [name, placed] of instancesAcross(configs)) {
    const master = intendedMaster(placed);
    const tied = placed.filter(
      (p) => p !== master && p.instance.priority === master?.instance.priority,
    );
    if (!master || tied.length === 0) continue;
    const nodes = [master.node, ...tied.map((t) => t.node)];
    out.push(
      makeFinding({
        id: 'PR-1',
        rule: 'PRIORITY_TIE',
        severity: 'warning',
        nodes,
        instance: name,
        at: [master, ...tied].map(locate),
        en: `${name}: ${listNames(nodes)} all have priority ${master.instance.priority}: keepalived picks the MASTER by the higher IP address`,
        zh: `${name}：${listNames(nodes, 'zh-CN')} 的优先级都是 ${master.instance.priority}：keepalived 会按 IP 地址大小选出 MASTER`,
        fixEn: `Give the intended MASTER of ${name} a higher priority than the others (e.g. 100 and 90).`,
        fixZh: `让 ${name} 预期的 MASTER 优先级高于其他机器（例如 100 与 90）。`,
      }),
    );
  }
  return out;
}

export { at as keepalivedAt };
