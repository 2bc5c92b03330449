import type { FastifyInstance } from 'fastify';
import type { AgentDataMessage } from '@keepwatch/shared';
import { offsetOf } from './drill-ports';
import type { DrillRunner } from './drill-runner';

/*
 * What the agents report, handed to a running drill: VRRP and check-script changes, VIP
 * moves (SB-2's link reports with them), service health, probe samples, snapshots. Agent
 * times are moved to the server clock by the agent's measured offset.
 */

export interface Running {
  runner: DrillRunner;
  /** agentId → node name, for every node of the cluster at start. */
  agents: Map<string, string>;
  masterPriority: number | null;
}

/** One agent message of `node` to the drill `r`. */
export function feedRunning(
  app: FastifyInstance,
  r: Running,
  node: string,
  msg: AgentDataMessage,
): void {
  const { plan } = r.runner;
  const off = offsetOf(app, plan.clusterId, node);
  const at = msg.ts - off;
  switch (msg.type) {
    case 'vrrp.transition':
      if (msg.instance !== plan.instance) return;
      r.runner.addTransition({
        at,
        node,
        kind: 'vrrp',
        detail: `${msg.state} ${msg.effectivePriority}`,
      });
      // ME-6: the MASTER's effective priority falling is its tracked check script firing.
      if (
        node === plan.master &&
        r.masterPriority !== null &&
        msg.state !== 'STOP' &&
        msg.effectivePriority < r.masterPriority
      )
        r.runner.addTransition({
          at,
          node,
          kind: 'check-script',
          detail: `priority ${r.masterPriority} → ${msg.effectivePriority}`,
        });
      return;
    case 'vip.change':
      if (msg.address.address !== plan.vip) return;
      if (msg.action === 'add') r.runner.linkReport(node, msg.address.linkDown === true, at);
      r.runner.addTransition({
        at,
        node,
        kind: msg.action === 'add' ? 'vip-add' : 'vip-del',
        detail: plan.vip,
      });
      return;
    case 'service.health':
      r.runner.addTransition({
        at,
        node,
        kind: 'service',
        detail: `${msg.service} ${msg.health.healthy ? 'up' : `down${msg.health.detail ? ` (${msg.health.detail})` : ''}`}`,
      });
      return;
    case 'probe.samples':
      if (msg.probeId !== plan.id) return;
      r.runner.addSamples(
        msg.target,
        msg.samples.map(([t, ms, res, lb]) => [t - off, ms, res, lb]),
      );
      return;
    case 'snapshot': {
      // SB-2: the agent's word on the link under its VIP copy (VH-6), when it gets through.
      const copies = msg.addresses.filter((a) => a.address === plan.vip);
      if (copies.length > 0)
        r.runner.linkReport(
          node,
          copies.every((a) => a.linkDown === true),
          at,
        );
      return;
    }
    case 'action.result':
    case 'config.observed':
    case 'upstream.health':
    case 'vrrp.group':
      return;
  }
}
