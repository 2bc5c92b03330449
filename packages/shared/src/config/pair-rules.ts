import type { KeepalivedConfig, KeepalivedInstance } from './keepalived-config';
import { listNames, type ConfigFinding, type FindingLocation } from './findings';

/*
 * Rules over the load balancers' keepalived.conf files taken together (ANALYSIS.md WT-1,
 * CM-1..CM-4). Input is `{node, config}[]`, so a draft and the live files are analysed the
 * same way; the status rules (domain/config-rules.ts) call these with what the agents
 * observed. A wrong weight is wrong before the failure that would reveal it.
 */

export interface NodeKeepalived {
  node: string;
  config: KeepalivedConfig;
}

export interface Placed {
  node: string;
  config: KeepalivedConfig;
  instance: KeepalivedInstance;
}

/** instance name → every config that defines it, in input order. */
export function instancesAcross(configs: readonly NodeKeepalived[]): Map<string, Placed[]> {
  const byName = new Map<string, Placed[]>();
  for (const { node, config } of configs) {
    for (const instance of config.instances) {
      const list = byName.get(instance.name) ?? [];
      list.push({ node, config, instance });
      byName.set(instance.name, list);
    }
  }
  return byName;
}

export const locate = (p: Placed): FindingLocation => ({
  node: p.node,
  component: 'keepalived',
  ...(p.instance.file !== undefined && { file: p.instance.file }),
  line: p.instance.line,
});

/** A tracked script's weight: the track_script override, else the vrrp_script's own. */
function trackWeights(p: Placed): { name: string; weight: number }[] {
  return p.instance.trackScripts.map((t) => ({
    name: t.name,
    weight: t.weight ?? p.config.scripts.find((s) => s.name === t.name)?.weight ?? 0,
  }));
}

const positiveSum = (ws: { weight: number }[]): number =>
  ws.reduce((sum, w) => sum + (w.weight > 0 ? w.weight : 0), 0);

/** The intended MASTER: `state MASTER`, else the highest configured priority. */
export function intendedMaster(placed: Placed[]): Placed | undefined {
  const byPriority = [...placed].sort((a, b) => b.instance.priority - a.instance.priority);
  return placed.find((p) => p.instance.state?.toUpperCase() === 'MASTER') ?? byPriority[0];
}

function weightFinding(
  name: string,
  master: Placed,
  backup: Placed,
  failed: { name: string; weight: number },
  lowered: number,
  best: number,
): ConfigFinding {
  const tie = lowered === best;
  const [m, b, s] = [master.node, backup.node, failed.name];
  // The weight that brings the MASTER strictly below the BACKUP's best.
  const suggest = Math.min(failed.weight, 0) - (lowered - best) - 1;
  return {
    id: 'WT-1',
    rule: 'WEIGHT_TOO_SMALL',
    severity: 'warning',
    nodes: [m, b],
    instance: name,
    at: [locate(master), locate(backup)],
    message: {
      en: `${name}: a failed ${s} lowers ${m} to ${lowered} but ${b} has ${best}: ${
        tie ? `${b} takes over only if its address is higher` : `${b} can never take over`
      }`,
      'zh-CN': `${name}：${s} 检查失败时 ${m} 的优先级降到 ${lowered}，而 ${b} 为 ${best}：${
        tie ? `只有 ${b} 的 IP 地址更大时才会接管` : `${b} 永远不会接管`
      }`,
    },
    fix: {
      en: `Give ${s} a weight of ${suggest} or lower (vrrp_script or track_script line), so a failed check puts ${m} below ${best}; or use weight 0 (FAULT on failure).`,
      'zh-CN': `把 ${s} 的 weight 设为 ${suggest} 或更小（vrrp_script 或 track_script 中），使检查失败时 ${m} 低于 ${best}；或用 weight 0（失败即进入 FAULT）。`,
    },
  };
}

/**
 * WT-1: when one tracked script of the intended MASTER fails (the others passing), its
 * effective priority must drop below the best a healthy BACKUP reaches; otherwise the
 * failure never moves the VIP. Weight 0 means FAULT on failure, which always fails over.
 */
export function weightTooSmall(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const [name, placed] of instancesAcross(configs)) {
    const master = intendedMaster(placed);
    if (!master || placed.length < 2) continue;
    const weights = trackWeights(master);
    for (const backup of placed.filter((p) => p !== master)) {
      const best = backup.instance.priority + positiveSum(trackWeights(backup));
      for (const failed of weights.filter((w) => w.weight !== 0)) {
        const others = weights.filter((w) => w !== failed);
        const lowered = master.instance.priority + Math.min(failed.weight, 0) + positiveSum(others);
        if (lowered < best) continue;
        out.push(weightFinding(name, master, backup, failed, lowered, best));
      }
    }
  }
  return out;
}

interface Field {
  id: string;
  label: string;
  read: (i: KeepalivedInstance) => string;
  /** false: the values are secrets and stay out of the message. */
  show: boolean;
  severity: 'critical' | 'warning';
  zh: string;
}

/** CM-1 vrid, CM-2 auth type/pass, CM-3 advert_int, CM-4 VIP list. */
const FIELDS: Field[] = [
  {
    id: 'CM-1',
    label: 'virtual_router_id',
    read: (i) => String(i.vrid ?? '-'),
    show: true,
    severity: 'critical',
    zh: '两台机器不会把对方当成同一组 VRRP，都会成为 MASTER（脑裂）',
  },
  {
    id: 'CM-2',
    label: 'auth_type',
    read: (i) => i.authType ?? 'none',
    show: true,
    severity: 'critical',
    zh: '对方的通告会被丢弃，两台都会成为 MASTER（脑裂）',
  },
  {
    id: 'CM-2',
    label: 'auth_pass',
    read: (i) => i.authPass ?? '',
    show: false,
    severity: 'critical',
    zh: '对方的通告会被丢弃，两台都会成为 MASTER（脑裂）',
  },
  {
    id: 'CM-3',
    label: 'advert_int',
    read: (i) => String(i.advertInt),
    show: true,
    severity: 'critical',
    zh: 'keepalived 会丢弃通告间隔不同的通告，两台都会成为 MASTER（脑裂）',
  },
  {
    id: 'CM-4',
    label: 'virtual_ipaddress',
    read: (i) => [...i.vips].sort().join(' '),
    show: true,
    severity: 'warning',
    zh: '故障切换后，一部分 VIP 会丢失或只在一台机器上存在',
  },
];

function mismatchFinding(name: string, field: Field, placed: Placed[]): ConfigFinding {
  const values = placed.map((p) => field.read(p.instance));
  const nodes = placed.map((p) => p.node);
  const detail = field.show
    ? placed.map((p, i) => `${p.node} ${values[i] || '(none)'}`).join(', ')
    : `differs between ${nodes.join(' and ')}`;
  const zhDetail = field.show
    ? placed.map((p, i) => `${p.node} 为 ${values[i] || '（无）'}`).join('，')
    : `${listNames(nodes, 'zh-CN')} 不一致`;
  return {
    id: field.id,
    rule: 'CONFIG_MISMATCH',
    severity: field.severity,
    nodes,
    instance: name,
    at: placed.map(locate),
    message: {
      en: `${name}: ${field.label} ${field.show ? 'differs: ' : ''}${detail}`,
      'zh-CN': `${name}：${field.label} ${field.show ? '不一致：' : ''}${zhDetail}。${field.zh}`,
    },
    fix: {
      en: `Use the same ${field.label} for ${name} on ${listNames(nodes)}.`,
      'zh-CN': `让 ${listNames(nodes, 'zh-CN')} 上 ${name} 的 ${field.label} 保持一致。`,
    },
  };
}

/** CM-*: the load balancers' definitions of one instance disagree: they will not act as one pair. */
export function configMismatch(configs: readonly NodeKeepalived[]): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  for (const [name, placed] of instancesAcross(configs)) {
    if (placed.length < 2) continue;
    for (const field of FIELDS) {
      const values = placed.map((p) => field.read(p.instance));
      if (new Set(values).size >= 2) out.push(mismatchFinding(name, field, placed));
    }
  }
  return out;
}
