import { makeFinding, type ConfigFinding } from './findings';
import type { KeepalivedInstance } from './keepalived-config';
import { keepalivedAt as at } from './keepalived-rules';
import { instancesAcross, intendedMaster, locate, type NodeKeepalived } from './pair-rules';

/*
 * The traps measured in the reference lab (keepalived-lab.md) and keepalived's own
 * pitfalls that `keepalived -t` lets through (ANALYSIS.md HP-1, SU-1, SS-1, V2-1, V3-1,
 * WT-2, FP-1).
 */

/** HP-1: without vrrp_higher_prio_send_advert a healed split brain black-holed clients ~38 s. */
export function higherPrioAdvert(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  return configs
    .filter((c) => c.config.instances.length > 0)
    .filter((c) => !('vrrp_higher_prio_send_advert' in c.config.globalDefs))
    .map(({ node }) =>
      makeFinding({
        id: 'HP-1',
        rule: 'NO_HIGHER_PRIO_SEND_ADVERT',
        severity: 'warning',
        nodes: [node],
        at: [at(node)],
        en: `${node}: no vrrp_higher_prio_send_advert: after a full split brain heals, clients can stay black-holed until their ARP entry expires (~38 s measured in 3 of 6 heals)`,
        zh: `${node}：未配置 vrrp_higher_prio_send_advert：完全脑裂恢复后，客户端可能一直被黑洞，直到其 ARP 表项过期（实测 6 次中 3 次约 38 秒）`,
        fixEn: 'Add vrrp_higher_prio_send_advert to global_defs on every load balancer.',
        fixZh: '在所有负载均衡器的 global_defs 中加入 vrrp_higher_prio_send_advert。',
      }),
    );
}

/** SU-1: script_user after the notify fifo: keepalived 2.2.7 drops the check scripts on reload. */
export function scriptUserOrder(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  return configs.flatMap(({ node, config }) => {
    const keys = config.globalKeys;
    const su = keys.indexOf('script_user');
    const fifo = keys.findIndex((k) => k === 'vrrp_notify_fifo' || k === 'notify_fifo');
    if (su < 0 || fifo < 0 || su < fifo) return [];
    return [
      makeFinding({
        id: 'SU-1',
        rule: 'SCRIPT_USER_AFTER_FIFO',
        severity: 'critical',
        nodes: [node],
        at: [at(node)],
        en: `${node}: script_user comes after ${keys[fifo] ?? 'the notify fifo'}: keepalived 2.2.7 then fails to set the script user on reload and silently drops the vrrp_scripts (health tracking lost; measured)`,
        zh: `${node}：script_user 写在 ${keys[fifo] ?? 'notify fifo'} 之后：keepalived 2.2.7 重载时设置脚本用户失败，并悄悄丢弃 vrrp_script（健康检查失效，已实测）`,
        fixEn:
          'Move script_user (and enable_script_security) above the notify fifo lines in global_defs.',
        fixZh:
          '在 global_defs 中把 script_user（和 enable_script_security）移到 notify fifo 相关行之前。',
      }),
    ];
  });
}

/** SS-1: scripts without enable_script_security: `keepalived -t` exits 6 and warns at start. */
export function scriptSecurity(
  configs: readonly NodeKeepalived[],
  commands: ReadonlyMap<string, number>,
): ConfigFinding[] {
  return configs
    .filter(
      ({ node, config }) =>
        (commands.get(node) ?? 0) > 0 && !('enable_script_security' in config.globalDefs),
    )
    .map(({ node }) =>
      makeFinding({
        id: 'SS-1',
        rule: 'NO_SCRIPT_SECURITY',
        severity: 'critical',
        nodes: [node],
        at: [at(node)],
        en: `${node}: scripts are configured but enable_script_security is not: keepalived -t fails (exit 6) and scripts in writable paths could be swapped`,
        zh: `${node}：配置了脚本但没有 enable_script_security：keepalived -t 失败（退出码 6），可写路径中的脚本可能被替换`,
        fixEn:
          'Add enable_script_security and script_user root to global_defs, and keep scripts in root-owned folders.',
        fixZh:
          '在 global_defs 中加入 enable_script_security 和 script_user root，并把脚本放在 root 拥有的目录中。',
      }),
    );
}

const versionOf = (i: KeepalivedInstance, global: string | undefined): number =>
  i.version ?? (global !== undefined ? Number(global) : 2);

/** V2-1: a fractional advert_int with VRRPv2 is rounded. V3-1: VRRPv3 has no authentication. */
export function vrrpVersion(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const { node, config } of configs) {
    for (const i of config.instances) {
      const v = versionOf(i, config.globalDefs['vrrp_version']);
      if (v === 2 && !Number.isInteger(i.advertInt))
        out.push(
          makeFinding({
            id: 'V2-1',
            rule: 'VRRP2_FRACTIONAL_ADVERT',
            severity: 'critical',
            nodes: [node],
            instance: i.name,
            at: [at(node, i.line, i.file)],
            en: `${i.name} on ${node}: advert_int ${i.advertInt} with VRRPv2: v2 adverts are whole seconds (keepalived -t fails, a reload rounds it)`,
            zh: `${node} 上的 ${i.name}：VRRPv2 下 advert_int ${i.advertInt} 无效：v2 的通告间隔只能是整秒（keepalived -t 报错，重载时被取整）`,
            fixEn:
              'Use a whole number of seconds, or vrrp_version 3 for sub-second adverts (on every load balancer).',
            fixZh: '改用整数秒，或在所有负载均衡器上用 vrrp_version 3 以支持亚秒级通告。',
          }),
        );
      if (v === 3 && i.authType !== undefined)
        out.push(
          makeFinding({
            id: 'V3-1',
            rule: 'VRRP3_AUTHENTICATION',
            severity: 'warning',
            nodes: [node],
            instance: i.name,
            at: [at(node, i.line, i.file)],
            en: `${i.name} on ${node}: VRRPv3 has no authentication: the authentication block is ignored`,
            zh: `${node} 上的 ${i.name}：VRRPv3 不支持认证：authentication 配置被忽略`,
            fixEn:
              'Remove the authentication block (protect VRRP with the network: a VLAN, nftables), or stay on VRRPv2.',
            fixZh:
              '删除 authentication 配置（用网络隔离保护 VRRP：VLAN、nftables），或继续使用 VRRPv2。',
          }),
        );
    }
  }
  return out;
}

/** WT-2: a failed fast-path file (the agent writes 1) must bring the MASTER below the BACKUP. */
export function trackFileWeight(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const [name, placed] of instancesAcross(configs)) {
    const master = intendedMaster(placed);
    if (!master || placed.length < 2) continue;
    const best = Math.max(...placed.filter((p) => p !== master).map((p) => p.instance.priority));
    for (const t of master.instance.trackFiles) {
      const w = t.weight ?? master.config.trackFiles.find((f) => f.name === t.name)?.weight ?? 1;
      const lowered = master.instance.priority + w;
      if (w === 0 || lowered < best) continue;
      out.push(
        makeFinding({
          id: 'WT-2',
          rule: 'WEIGHT_TOO_SMALL',
          severity: 'warning',
          nodes: placed.map((p) => p.node),
          instance: name,
          at: [locate(master)],
          en: `${name}: a 1 in track_file ${t.name} takes ${master.node} to ${lowered}, not below ${best}: the fast path never moves the VIP`,
          zh: `${name}：track_file ${t.name} 写入 1 时 ${master.node} 的优先级为 ${lowered}，不低于 ${best}：快速切换不会转移 VIP`,
          fixEn: `Use weight 0 on ${name}'s track_file line (FAULT: fastest takeover) or a weight below ${best - master.instance.priority}.`,
          fixZh: `在 ${name} 的 track_file 中使用 weight 0（进入 FAULT，切换最快），或小于 ${best - master.instance.priority} 的权重。`,
        }),
      );
    }
  }
  return out;
}

/** FP-1: no track_file the agent can drive: an nginx outage costs ~4.7 s (vrrp_script timing). */
export function noFastPath(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  return configs
    .filter((c) => c.config.instances.length > 0 && c.config.trackFiles.length === 0)
    .map(({ node }) =>
      makeFinding({
        id: 'FP-1',
        rule: 'NO_FAST_PATH',
        severity: 'info',
        nodes: [node],
        at: [at(node)],
        en: `${node}: no track_file for the Keepwatch agent's fast path: a vrrp_script runs at most once a second, so an nginx outage on the MASTER costs ~4.7 s (measured)`,
        zh: `${node}：没有供 Keepwatch 代理快速切换使用的 track_file：vrrp_script 每秒最多运行一次，MASTER 上 nginx 故障约中断 4.7 秒（实测）`,
        fixEn:
          'Generate the config with the fast path (a track_file the agent writes within 100 ms, weight 0) and VRRPv3 sub-second adverts.',
        fixZh:
          '使用带快速切换的生成配置（代理在 100 毫秒内写入的 track_file，weight 0）以及 VRRPv3 亚秒级通告。',
      }),
    );
}
