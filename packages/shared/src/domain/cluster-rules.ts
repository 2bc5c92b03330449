import type { Finding, StatusVip, Verdict } from '../protocol/status';
import type { NodeView } from './node-view';
import type { RuleThresholds } from './rule-thresholds';
import { claimsMaster, confirmedClaimants, holds, keepalivedDown, listNames } from './cluster-view';

/*
 * The detection rules of SPEC.md. Each rule is a pure function of the cluster's nodes and
 * VIPs returning hits; a hit is a Finding plus the verdict it implies. Rule IDs in comments
 * match SPEC.md and the test names.
 */

export interface RuleHit {
  finding: Finding;
  implies: Verdict;
}

export interface RuleContext {
  nodes: NodeView[];
  online: NodeView[];
  lbs: NodeView[];
  onlineLbs: NodeView[];
  vips: StatusVip[];
  instances: string[];
  now: number;
  thresholds: RuleThresholds;
}

/** Default CLOCK_SKEW limit (kept for callers of the first release). */
export const CLOCK_SKEW_MS = 500;

const hit = (implies: Verdict, finding: Finding): RuleHit => ({ implies, finding });

/**
 * SB-1: a VIP in more than one kernel. SB-2: two keepalived MASTERs, VIP in ≤1 kernel. SB-3:
 * only claims confirmed after the other claimant's takeover count.
 */
export function splitBrain(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const sb1Instances = new Set<string>();
  const byName = new Map(ctx.nodes.map((n) => [n.name, n]));
  const confirmed = (names: string[], instance: string): NodeView[] =>
    confirmedClaimants(
      names.map((name) => byName.get(name)).filter((n): n is NodeView => n !== undefined),
      instance,
    );
  for (const vip of ctx.vips) {
    if (vip.holders.length < 2 || confirmed(vip.holders, vip.instance).length < 2) continue;
    sb1Instances.add(vip.instance);
    hits.push(
      hit('at_risk', {
        rule: 'SPLIT_BRAIN',
        severity: 'critical',
        message: `split brain: ${vip.address} is held by ${listNames(vip.holders)}`,
        nodes: vip.holders,
        vip: vip.address,
        code: 'SB-1',
        args: { vip: vip.address, holders: vip.holders },
      }),
    );
  }
  for (const instance of ctx.instances) {
    if (sb1Instances.has(instance)) continue;
    const masters = confirmedClaimants(
      ctx.online.filter((n) => claimsMaster(n, instance)),
      instance,
    ).map((n) => n.name);
    if (masters.length < 2) continue;
    hits.push(
      hit('at_risk', {
        rule: 'SPLIT_BRAIN',
        severity: 'critical',
        message: `split brain: keepalived on ${listNames(masters)} all claim MASTER for ${instance}`,
        nodes: masters,
        code: 'SB-2',
        args: { instance, masters },
      }),
    );
  }
  return hits;
}

/** VU-1: a known VIP in no online kernel while an lb is online. VU-2: only an offline node may hold it. */
export function vipUnserved(ctx: RuleContext): RuleHit[] {
  if (ctx.onlineLbs.length === 0) return [];
  const hits: RuleHit[] = [];
  for (const vip of ctx.vips) {
    if (vip.holders.length > 0) continue;
    const maybe = ctx.nodes
      .filter((n) => !n.online && n.addresses.includes(vip.address))
      .map((n) => n.name);
    if (maybe.length > 0) {
      hits.push(
        hit('unknown', {
          rule: 'VIP_UNVERIFIED',
          severity: 'warning',
          message: `${vip.address} was last seen on ${listNames(maybe)}, whose agent is offline`,
          nodes: maybe,
          vip: vip.address,
          code: 'VU-2',
          args: { vip: vip.address, nodes: maybe },
        }),
      );
      continue;
    }
    hits.push(
      hit('down', {
        rule: 'VIP_UNSERVED',
        severity: 'critical',
        message: `${vip.address} (${vip.instance}) is not held by any node: clients cannot reach it`,
        vip: vip.address,
        code: 'VU-1',
        args: { vip: vip.address, instance: vip.instance },
      }),
    );
  }
  return hits;
}

/** NM-1: no live keepalived is MASTER for an instance while an lb is online. */
export function noMaster(ctx: RuleContext): RuleHit[] {
  if (ctx.onlineLbs.length === 0) return [];
  return ctx.instances
    .filter((instance) => !ctx.online.some((n) => claimsMaster(n, instance)))
    .map((instance) =>
      hit('at_risk', {
        rule: 'NO_MASTER',
        severity: 'critical',
        message: `no keepalived is MASTER for ${instance}`,
        code: 'NM-1',
        args: { instance },
      }),
    );
}

/** ST-1: kernel holds a VIP, keepalived dead. ST-2: kernel holds a VIP, keepalived not MASTER. */
export function staleVip(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const vip of ctx.vips) {
    for (const node of ctx.online.filter((n) => holds(n, vip.address))) {
      if (keepalivedDown(node)) {
        hits.push(
          hit('at_risk', {
            rule: 'STALE_VIP',
            severity: 'critical',
            message: `keepalived on ${node.name} is not running but its kernel still holds ${vip.address}`,
            nodes: [node.name],
            vip: vip.address,
            code: 'ST-1',
            args: { node: node.name, vip: vip.address },
          }),
        );
      } else if (!claimsMaster(node, vip.instance)) {
        const state = node.vrrp.find((v) => v.instance === vip.instance)?.state ?? 'absent';
        hits.push(
          hit('at_risk', {
            rule: 'VIP_WITHOUT_MASTER',
            severity: 'warning',
            message: `the kernel of ${node.name} holds ${vip.address} but its keepalived reports ${vip.instance} as ${state}`,
            nodes: [node.name],
            vip: vip.address,
            code: 'ST-2',
            args: { node: node.name, vip: vip.address, instance: vip.instance, state },
          }),
        );
      }
    }
  }
  return hits;
}

/** KM-1: keepalived says MASTER but the kernel lacks one of the instance's VIPs. */
export function masterWithoutVip(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const vip of ctx.vips) {
    for (const node of ctx.online.filter((n) => claimsMaster(n, vip.instance))) {
      if (holds(node, vip.address)) continue;
      hits.push(
        hit('at_risk', {
          rule: 'MASTER_WITHOUT_VIP',
          severity: 'critical',
          message: `keepalived on ${node.name} is MASTER for ${vip.instance} but its kernel does not hold ${vip.address}`,
          nodes: [node.name],
          vip: vip.address,
          code: 'KM-1',
          args: { node: node.name, instance: vip.instance, vip: vip.address },
        }),
      );
    }
  }
  return hits;
}

/** MN-1: the node holding a VIP has nginx down: traffic to the VIP is refused. */
export function masterNginxDown(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const vip of ctx.vips) {
    for (const node of ctx.online.filter((n) => holds(n, vip.address))) {
      const nginx = node.services.nginx;
      if (nginx?.healthy !== false) continue;
      hits.push(
        hit('down', {
          rule: 'MASTER_NGINX_DOWN',
          severity: 'critical',
          message: `nginx on ${node.name} is down while it holds ${vip.address}${nginx.detail ? `: ${nginx.detail}` : ''}`,
          nodes: [node.name],
          vip: vip.address,
          code: 'MN-1',
          args: { node: node.name, vip: vip.address, detail: nginx.detail ?? '' },
        }),
      );
    }
  }
  return hits;
}

/** An lb that could take (or keep) the instance: keepalived alive in MASTER/BACKUP, nginx not down. */
function canServe(node: NodeView, instance: string): boolean {
  if (!node.online || keepalivedDown(node) || node.services.nginx?.healthy === false) return false;
  const v = node.vrrp.find((x) => x.instance === instance);
  return v?.state === 'MASTER' || v?.state === 'BACKUP';
}

/** NF-1: exactly one lb can serve an instance: the next fault is an outage. */
export function noFailoverPeer(ctx: RuleContext): RuleHit[] {
  return ctx.instances.flatMap((instance) => {
    const able = ctx.lbs.filter((n) => canServe(n, instance)).map((n) => n.name);
    if (able.length !== 1) return [];
    return [
      hit('at_risk', {
        rule: 'NO_FAILOVER_PEER',
        severity: 'warning',
        message: `only ${able.join('')} can serve ${instance}: there is no failover peer`,
        nodes: able,
        code: 'NF-1',
        args: { node: able.join(''), instance },
      }),
    ];
  });
}

/** AO-1: an agent is not connected; what it last said is shown but not trusted. */
export function agentOffline(ctx: RuleContext): RuleHit[] {
  return ctx.nodes
    .filter((n) => !n.online)
    .map((n) =>
      hit('degraded', {
        rule: 'AGENT_OFFLINE',
        severity: 'warning',
        message: `the agent on ${n.name} is offline`,
        nodes: [n.name],
        code: 'AO-1',
        args: { node: n.name },
      }),
    );
}
