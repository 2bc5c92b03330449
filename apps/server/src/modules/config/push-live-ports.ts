import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ConfigComponentKind, PushView } from '@keepwatch/shared';
import type { LiveFiles } from './live-files';
import type { DropFacts, GateFacts, PushPorts } from './push-ports';
import type { PushAgents } from './push-replica';

/*
 * The ports of a rollout (push-ports.ts) from the live app: the gate's facts from the cluster
 * store, config.apply through the actions (to the agent's home replica if it is connected to
 * another), what is known after a drop (PU-10), requests on fresh connections (PU-6).
 */

/** One request on a fresh connection: served means an HTTP status below 500 within timeoutMs. */
export function served(url: string, timeoutMs = 1000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code > 0 && code < 500, detail: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, detail: err.message }));
    req.end();
  });
}

export interface LivePortsDeps {
  app: FastifyInstance;
  live: LiveFiles;
  agents: PushAgents;
  now: () => number;
  served?: (url: string) => Promise<{ ok: boolean; detail: string }>;
  update: (view: PushView) => void;
}

export function livePorts(d: LivePortsDeps, clusterId: string): PushPorts {
  const { app, now } = d;
  const facts = (host: string): GateFacts => {
    const cluster = app.clusterStore.cluster(clusterId);
    const node = cluster?.nodes.find((n) => n.name === host);
    const vips = cluster?.vips.map((v) => v.address) ?? [];
    const lbs = cluster?.nodes.filter((n) => n.role === 'lb') ?? [];
    const since = lbs.flatMap((n) => n.vrrp.map((v) => v.since ?? 0));
    const address = app.clusterStore
      .nodeView(clusterId, host)
      ?.addresses.find((a) => !vips.includes(a) && !a.includes(':'));
    return {
      online: node?.online ?? false,
      ...(node?.services.nginx && { nginxHealthy: node.services.nginx.healthy }),
      holders: [...new Set(cluster?.vips.flatMap((v) => v.holders) ?? [])].sort(),
      ...(since.length > 0 && { lastTransitionAt: Math.max(...since) }),
      vrrp: lbs.flatMap((n) =>
        n.vrrp.map((v) => ({
          node: n.name,
          instance: v.instance,
          state: v.state,
          effectivePriority: v.effectivePriority,
        })),
      ),
      ...(address !== undefined && { address }),
      vips,
    };
  };
  return {
    now,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    apply: (host, params) => {
      const agent = app.clusterStore.agentFor(clusterId, host);
      if (!agent) return Promise.reject(new Error(`no agent reports ${host}`));
      const id = `act-${randomUUID()}`;
      d.agents.applying(agent.agentId, id);
      return app.actions.request(agent.agentId, 'config.apply', params, {
        timeoutMs: 90_000,
        id,
      });
    },
    afterDrop: async (host: string, component: ConfigComponentKind): Promise<DropFacts> => {
      const agent = app.clusterStore.agentFor(clusterId, host);
      const since = agent?.online ? d.agents.onlineSince(agent.agentId) : undefined;
      const late = agent ? d.agents.late(agent.agentId) : undefined;
      const file = await d.live.get(clusterId, host, component);
      return {
        ...(since !== undefined && { onlineSince: since }),
        ...(late && { late }),
        ...(file && { liveHash: file.sha256 }),
      };
    },
    facts,
    served: d.served ?? ((url: string) => served(url)),
    update: d.update,
  };
}
