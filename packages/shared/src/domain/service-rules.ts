import type { NodeView } from './node-view';
import type { RuleContext, RuleHit } from './cluster-rules';
import { holds, keepalivedDown, listNames } from './cluster-view';

const withDetail = (text: string, detail: string | undefined): string =>
  detail ? `${text}: ${detail}` : text;

function holdsAnyVip(ctx: RuleContext, node: NodeView): boolean {
  return ctx.vips.some((v) => holds(node, v.address));
}

/**
 * SD-1: nginx down on an lb that holds no VIP. SD-2: keepalived down on an lb that holds no
 * VIP. SD-3: a backend's tomcat down. (A VIP holder's failures are MN-1 and ST-1.)
 */
export function serviceDown(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const node of ctx.online) {
    const { nginx, keepalived, tomcat } = node.services;
    const idle = node.role === 'lb' && !holdsAnyVip(ctx, node);
    const push = (code: string, service: string, detail: string | undefined): void => {
      hits.push({
        implies: 'degraded',
        finding: {
          rule: 'SERVICE_DOWN',
          severity: 'warning',
          message: withDetail(`${service} on ${node.name} is down`, detail),
          nodes: [node.name],
          code,
          args: { service, node: node.name, detail: detail ?? '' },
        },
      });
    };
    if (idle && nginx?.healthy === false) push('SD-1', 'nginx', nginx.detail);
    if (idle && keepalivedDown(node))
      push('SD-2', 'keepalived', keepalived?.detail ?? 'not running');
    if (node.role === 'backend' && tomcat?.healthy === false) push('SD-3', 'tomcat', tomcat.detail);
  }
  return hits;
}

/** BD-1: every online backend that reports tomcat reports it down: nothing behind nginx. */
export function backendsDown(ctx: RuleContext): RuleHit[] {
  const backends = ctx.online.filter((n) => n.role === 'backend' && n.services.tomcat);
  if (backends.length === 0 || backends.some((n) => n.services.tomcat?.healthy)) return [];
  const names = backends.map((n) => n.name);
  return [
    {
      implies: 'down',
      finding: {
        rule: 'BACKENDS_DOWN',
        severity: 'critical',
        message: `every backend is down (${listNames(names)})`,
        nodes: names,
        code: 'BD-1',
        args: { nodes: names },
      },
    },
  ];
}

/** CS-1: an online agent's clock is more than thresholds.clockSkewMs away from the server's. */
export function clockSkew(ctx: RuleContext): RuleHit[] {
  const limit = ctx.thresholds.clockSkewMs;
  return ctx.online
    .filter((n) => n.clockOffsetMs !== null && Math.abs(n.clockOffsetMs) > limit)
    .map((n) => {
      const offset = Math.round(n.clockOffsetMs ?? 0);
      const dir = offset > 0 ? 'ahead of' : 'behind';
      return {
        implies: 'degraded',
        finding: {
          rule: 'CLOCK_SKEW',
          severity: 'warning',
          message: `the clock of ${n.name} is ${Math.abs(offset)} ms ${dir} the server's`,
          nodes: [n.name],
          code: 'CS-1',
          args: { node: n.name, ms: Math.abs(offset), dir: offset > 0 ? 'ahead' : 'behind' },
        },
      };
    });
}
