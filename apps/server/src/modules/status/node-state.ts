import type {
  AgentDataMessage,
  AgentSnapshot,
  KernelAddress,
  ServiceHealth,
  ServiceName,
  ServiceView,
  VrrpView,
} from '@keepwatch/shared';
import type { NodeView } from '@keepwatch/shared';
import { parseKeepalivedConfig, type ConfigObservation } from '@keepwatch/shared';

/*
 * Every list a node keeps is bounded by the schema's limit for one snapshot: change messages
 * (a transition for an unknown instance, a VIP added, a new upstream) cannot grow it past that.
 */
export const NODE_LIMITS = { vrrp: 256, addresses: 1024, upstreams: 256 } as const;

/** FLAPPING needs minutes of history; an hour, at most 64 changes, bounds the memory. */
const TRANSITION_KEEP_MS = 60 * 60_000;
const TRANSITION_KEEP_MAX = 64;

function noteTransition(node: NodeView, instance: string, at: number): void {
  const kept = (node.transitions ?? []).filter((t) => t.at > at - TRANSITION_KEEP_MS);
  kept.push({ instance, at });
  node.transitions = kept.slice(-TRANSITION_KEEP_MAX);
}

/** A keepalived.conf observation with content replaces the parsed config (C-1). */
function applyConfig(node: NodeView, config: ConfigObservation): void {
  if (config.component !== 'keepalived' || config.content === undefined) return;
  node.keepalivedConfig = parseKeepalivedConfig(config.content);
}

/*
 * How one agent's data messages change the server's view of its node. Kept apart from the
 * store so the transition rules read in one place:
 *   snapshot        → replaces vrrp, addresses, services, keepalivedRunning
 *   vrrp.transition → one instance's state + effective priority (+ since if state changed)
 *   vip.change      → add/remove one kernel address
 *   service.health  → one service (+ since if healthy flipped)
 *   upstream.health → one upstream of an lb (+ since if healthy flipped)
 */

function toService(health: ServiceHealth, prev: ServiceView | undefined): ServiceView {
  const since = prev && prev.healthy === health.healthy ? prev.since : health.checkedAt;
  return {
    healthy: health.healthy,
    ...(health.detail !== undefined && { detail: health.detail }),
    ...(health.latencyMs !== undefined && { latencyMs: health.latencyMs }),
    ...(since !== undefined && { since }),
  };
}

/** VH-6: the addresses whose every copy is on an interface that is down. */
function downLinkOnly(addresses: readonly KernelAddress[]): string[] {
  const up = new Set(addresses.filter((a) => !a.linkDown).map((a) => a.address));
  return [
    ...new Set(addresses.filter((a) => a.linkDown && !up.has(a.address)).map((a) => a.address)),
  ];
}

function setDownLinks(node: NodeView, down: string[]): void {
  if (down.length > 0) node.downLinkAddresses = down;
  else delete node.downLinkAddresses;
}

function applySnapshot(node: NodeView, msg: AgentSnapshot): void {
  const previous = new Map(node.vrrp.map((v) => [v.instance, v]));
  node.vrrp = msg.vrrp.map((v): VrrpView => {
    const prev = previous.get(v.instance);
    const since =
      prev?.state === v.state ? (prev.since ?? v.lastTransition) : (v.lastTransition ?? msg.ts);
    if (prev && prev.state !== v.state) noteTransition(node, v.instance, msg.ts);
    return {
      instance: v.instance,
      state: v.state,
      priority: v.priority,
      effectivePriority: v.effectivePriority,
      ...(v.vrid !== undefined && { vrid: v.vrid }),
      vips: [...v.vips],
      ...(since !== undefined && { since }),
    };
  });
  node.addresses = [...new Set(msg.addresses.map((a) => a.address))];
  setDownLinks(node, downLinkOnly(msg.addresses));
  const services: NodeView['services'] = {};
  for (const name of ['nginx', 'keepalived', 'tomcat'] as const satisfies ServiceName[]) {
    const health = msg.services[name];
    if (health) services[name] = toService(health, node.services[name]);
  }
  node.services = services;
  if (msg.keepalivedRunning === undefined) delete node.keepalivedRunning;
  else node.keepalivedRunning = msg.keepalivedRunning;
  for (const config of msg.configs ?? []) applyConfig(node, config);
  if (msg.upstreams) {
    const before = new Map((node.upstreams ?? []).map((u) => [u.server, u]));
    node.upstreams = msg.upstreams.map((u) => ({
      server: u.server,
      ...toService(u.health, before.get(u.server)),
    }));
  }
}

/** upstream.health: one upstream as this lb probes it (added if new). */
function applyUpstream(node: NodeView, server: string, health: ServiceHealth): void {
  const list = node.upstreams ?? [];
  const prev = list.find((u) => u.server === server);
  const next = { server, ...toService(health, prev) };
  // A new upstream past the limit replaces the oldest one (the next snapshot corrects the list).
  node.upstreams = prev
    ? list.map((u) => (u === prev ? next : u))
    : [...list, next].slice(-NODE_LIMITS.upstreams);
}

/** Applies one data message to a node view in place. */
export function applyToNode(node: NodeView, msg: AgentDataMessage): void {
  switch (msg.type) {
    case 'snapshot':
      applySnapshot(node, msg);
      return;
    case 'vrrp.transition': {
      const v = node.vrrp.find((x) => x.instance === msg.instance);
      if (!v) {
        // A transition for an instance the snapshot did not list: keep it, priority unknown.
        if (node.vrrp.length >= NODE_LIMITS.vrrp) return;
        node.vrrp.push({
          instance: msg.instance,
          state: msg.state,
          priority: msg.effectivePriority,
          effectivePriority: msg.effectivePriority,
          vips: [],
          since: msg.ts,
        });
        return;
      }
      if (v.state !== msg.state) {
        v.since = msg.ts;
        noteTransition(node, msg.instance, msg.ts);
      }
      v.state = msg.state;
      v.effectivePriority = msg.effectivePriority;
      return;
    }
    case 'vip.change': {
      const rest = node.addresses.filter((a) => a !== msg.address.address);
      node.addresses =
        msg.action === 'add' ? [...rest, msg.address.address].slice(-NODE_LIMITS.addresses) : rest;
      const down = (node.downLinkAddresses ?? []).filter((a) => a !== msg.address.address);
      setDownLinks(
        node,
        msg.action === 'add' && msg.address.linkDown ? [...down, msg.address.address] : down,
      );
      return;
    }
    case 'service.health':
      node.services[msg.service] = toService(msg.health, node.services[msg.service]);
      return;
    case 'config.observed':
      applyConfig(node, msg.config);
      return;
    case 'upstream.health':
      applyUpstream(node, msg.upstream.server, msg.upstream.health);
      return;
    case 'vrrp.group':
    case 'action.result':
    case 'probe.samples':
      // Not part of the status picture: sync groups, actions and drill probes have their own views.
      return;
  }
}
