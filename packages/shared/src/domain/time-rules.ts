import type { RuleContext, RuleHit } from './cluster-rules';

/*
 * Rules that depend on the passage of time (SPEC.md SA-1, FL-1). `ctx.now` is the only
 * clock: callers re-derive periodically so a silent agent becomes stale without any event.
 */

/** SA-1: an agent whose socket is open but that sent no frame (data or pong) for too long. */
export function agentStale(ctx: RuleContext): RuleHit[] {
  const limit = ctx.thresholds.staleAfterMs;
  return ctx.online
    .filter((n) => n.lastSeen !== undefined && ctx.now - n.lastSeen > limit)
    .map((n) => {
      const silentS = Math.round((ctx.now - (n.lastSeen ?? ctx.now)) / 1000);
      return {
        implies: 'degraded',
        finding: {
          rule: 'AGENT_STALE',
          severity: 'warning',
          message: `no message from the agent on ${n.name} for ${silentS} s (frozen host or agent?)`,
          nodes: [n.name],
          code: 'SA-1',
          args: { node: n.name, seconds: silentS },
        },
      };
    });
}

/** FL-1: one node's instance changed VRRP state flapCount times within flapWindowMs. */
export function flapping(ctx: RuleContext): RuleHit[] {
  const { flapCount, flapWindowMs } = ctx.thresholds;
  const hits: RuleHit[] = [];
  for (const node of ctx.nodes) {
    const counts = new Map<string, number>();
    for (const t of node.transitions ?? []) {
      if (t.at <= ctx.now - flapWindowMs || t.at > ctx.now) continue;
      counts.set(t.instance, (counts.get(t.instance) ?? 0) + 1);
    }
    for (const [instance, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (count < flapCount) continue;
      hits.push({
        implies: 'at_risk',
        finding: {
          rule: 'FLAPPING',
          severity: 'warning',
          message: `${instance} on ${node.name} changed state ${count} times in ${Math.round(flapWindowMs / 60_000)} min`,
          nodes: [node.name],
          code: 'FL-1',
          args: { instance, node: node.name, count, minutes: Math.round(flapWindowMs / 60_000) },
        },
      });
    }
  }
  return hits;
}
