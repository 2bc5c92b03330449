import type { Finding, Severity, StatusCluster, Verdict } from '../protocol/status';
import type { ClusterInput } from './node-view';
import {
  agentOffline,
  masterNginxDown,
  masterWithoutVip,
  noFailoverPeer,
  noMaster,
  splitBrain,
  staleVip,
  vipUnserved,
  type RuleContext,
  type RuleHit,
} from './cluster-rules';
import { backendsDown, clockSkew, serviceDown } from './service-rules';
import { configMismatch, weightTooSmall } from './config-rules';
import { DEFAULT_THRESHOLDS } from './rule-thresholds';
import { agentStale, flapping } from './time-rules';
import { buildNode, buildVips, collectInstances, collectVips, sortNodes } from './cluster-view';

/**
 * Verdict ranking (V-1): worse wins. `unknown` ranks above `degraded` because "we cannot
 * see the lbs" is worse than a known minor fault, and below `at_risk`/`down`, which are
 * positive evidence.
 */
const VERDICT_RANK: Record<Verdict, number> = {
  healthy: 0,
  degraded: 1,
  unknown: 2,
  at_risk: 3,
  down: 4,
};

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

const RULES: ReadonlyArray<(ctx: RuleContext) => RuleHit[]> = [
  splitBrain,
  vipUnserved,
  noMaster,
  staleVip,
  masterWithoutVip,
  masterNginxDown,
  noFailoverPeer,
  agentOffline,
  agentStale,
  serviceDown,
  backendsDown,
  clockSkew,
  flapping,
  weightTooSmall,
  configMismatch,
];

function compareFindings(a: Finding, b: Finding): number {
  const keyA = `${SEVERITY_RANK[a.severity]}|${a.rule}|${a.vip ?? ''}|${a.message}`;
  const keyB = `${SEVERITY_RANK[b.severity]}|${b.rule}|${b.vip ?? ''}|${b.message}`;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

/** ND-1: nothing online, or (ND-2) lbs exist but none is online: we cannot see the VIP. */
function noData(ctx: RuleContext): RuleHit[] {
  if (ctx.online.length === 0) {
    const reported = ctx.nodes.length > 0;
    const message = reported
      ? 'no agent of this cluster is connected'
      : 'no agent has reported yet';
    const finding = { rule: 'NO_DATA', severity: 'warning' as const, message, code: 'ND-1' };
    return [{ implies: 'unknown', finding: { ...finding, args: { reported: reported ? 1 : 0 } } }];
  }
  if (ctx.lbs.length > 0 && ctx.onlineLbs.length === 0) {
    const message = 'no load balancer agent is connected: VIP ownership is unknown';
    const finding = { rule: 'NO_DATA', severity: 'warning' as const, message, code: 'ND-2' };
    return [{ implies: 'unknown', finding }];
  }
  return [];
}

/**
 * Derives one cluster's status from what its agents reported. Pure: same input, same output
 * (nodes sorted by name, VIPs by address, findings by severity then rule).
 */
export function deriveCluster(input: ClusterInput): StatusCluster {
  const nodes = sortNodes(input.nodes);
  const vipMap = collectVips(input);
  const vips = buildVips(nodes, vipMap);
  const online = nodes.filter((n) => n.online);
  const lbs = nodes.filter((n) => n.role === 'lb');
  const ctx: RuleContext = {
    nodes,
    online,
    lbs,
    onlineLbs: lbs.filter((n) => n.online),
    vips,
    instances: collectInstances(input, vipMap),
    now: input.now,
    thresholds: { ...DEFAULT_THRESHOLDS, ...input.thresholds },
  };
  const hits = [...noData(ctx), ...RULES.flatMap((rule) => rule(ctx))];
  const verdict = hits.reduce<Verdict>(
    (worst, h) => (VERDICT_RANK[h.implies] > VERDICT_RANK[worst] ? h.implies : worst),
    'healthy',
  );
  return {
    id: input.id,
    name: input.name,
    verdict,
    findings: hits.map((h) => h.finding).sort(compareFindings),
    vips,
    nodes: nodes.map((n) => buildNode(n, vipMap)),
  };
}
