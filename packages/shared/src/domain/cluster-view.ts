import type { StatusNode, StatusVip, StatusVrrp } from '../protocol/status';
import type { ClusterInput, NodeView } from './node-view';

/*
 * Reads over NodeViews shared by the rules and the status shape. Only ONLINE nodes count as
 * holders or masters: an offline agent's last view is history, not the kernel's present
 * (see SPEC.md, VH-1 and VH-2).
 */

/** keepalived is known not to be running (agent flag or failed health check). */
export function keepalivedDown(node: NodeView): boolean {
  return node.keepalivedRunning === false || node.services.keepalived?.healthy === false;
}

/** The node's keepalived, if alive, reports MASTER for the instance. */
export function claimsMaster(node: NodeView, instance: string): boolean {
  if (!node.online || keepalivedDown(node)) return false;
  return node.vrrp.some((v) => v.instance === instance && v.state === 'MASTER');
}

/** VH-1, VH-6: online, in the kernel, and on an interface that is up (one that can answer). */
export function holds(node: NodeView, address: string): boolean {
  return (
    node.online &&
    node.addresses.includes(address) &&
    !(node.downLinkAddresses ?? []).includes(address)
  );
}

/** When the node's live keepalived became MASTER of `instance`, on the server clock. */
function masterSince(node: NodeView, instance: string): number | undefined {
  if (!claimsMaster(node, instance)) return undefined;
  const since = node.vrrp.find((v) => v.instance === instance && v.state === 'MASTER')?.since;
  return since === undefined ? undefined : since - (node.clockOffsetMs ?? 0);
}

/**
 * SB-3: of `claimants` (holders of a VIP, or MASTERs of its instance), those whose claim is
 * confirmed: a node not heard from (lastSeen) since another claimant became MASTER of the
 * instance speaks of a time before that takeover (a MASTER cut off by its own link going
 * down cannot report the change), so it does not contradict it until it speaks again.
 */
export function confirmedClaimants(claimants: NodeView[], instance: string): NodeView[] {
  return claimants.filter((n) =>
    claimants.every((o) => {
      if (o === n || n.lastSeen === undefined) return true;
      const since = masterSince(o, instance);
      return since === undefined || n.lastSeen >= since;
    }),
  );
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every VIP of the cluster: remembered ones plus whatever the lbs configure right now. */
export function collectVips(input: ClusterInput): Map<string, string> {
  const vips = new Map<string, string>(
    input.knownVips instanceof Map
      ? input.knownVips
      : (input.knownVips as readonly { address: string; instance: string }[]).map(
          (k) => [k.address, k.instance] as const,
        ),
  );
  for (const node of input.nodes) {
    if (node.role !== 'lb') continue;
    for (const v of node.vrrp) for (const address of v.vips) vips.set(address, v.instance);
  }
  return vips;
}

/** Every VRRP instance name the cluster has (from VIPs and from any node's keepalived). */
export function collectInstances(input: ClusterInput, vips: Map<string, string>): string[] {
  const names = new Set(vips.values());
  for (const node of input.nodes) for (const v of node.vrrp) names.add(v.instance);
  return [...names].sort(byString);
}

export function buildVips(nodes: NodeView[], vips: Map<string, string>): StatusVip[] {
  return [...vips]
    .sort(([a], [b]) => byString(a, b))
    .map(([address, instance]) => ({
      address,
      instance,
      holders: nodes.filter((n) => holds(n, address)).map((n) => n.name),
      masters: nodes.filter((n) => claimsMaster(n, instance)).map((n) => n.name),
    }));
}

/**
 * NL-1: a keepalived that is not running has no VRRP state. Its last report is kept as
 * `lastKnown` (with since when), and the state says UNKNOWN, so no reader of the status
 * (page, API, metrics) takes a dead keepalived's last word for the present.
 */
function buildVrrp(node: NodeView): StatusVrrp[] {
  const dead = keepalivedDown(node);
  return [...node.vrrp]
    .sort((a, b) => byString(a.instance, b.instance))
    .map((v) => ({
      instance: v.instance,
      state: dead ? 'UNKNOWN' : v.state,
      priority: v.priority,
      effectivePriority: v.effectivePriority,
      ...(v.vrid !== undefined && { vrid: v.vrid }),
      ...(v.since !== undefined && { since: v.since }),
      ...(dead && {
        lastKnown: { state: v.state, ...(v.since !== undefined && { since: v.since }) },
      }),
    }));
}

export function buildNode(node: NodeView, vips: Map<string, string>): StatusNode {
  const services: StatusNode['services'] = {};
  for (const key of ['nginx', 'keepalived', 'tomcat'] as const) {
    const s = node.services[key];
    if (!s) continue;
    services[key] = {
      healthy: s.healthy,
      ...(s.detail !== undefined && { detail: s.detail }),
      ...(s.latencyMs !== undefined && { latencyMs: s.latencyMs }),
      ...(s.since !== undefined && { since: s.since }),
    };
  }
  return {
    name: node.name,
    role: node.role,
    online: node.online,
    ...(node.lastSeen !== undefined && { lastSeen: node.lastSeen }),
    vrrp: buildVrrp(node),
    vipsHeld: [...vips.keys()].filter((a) => holds(node, a)).sort(byString),
    services,
    clockOffsetMs: node.clockOffsetMs,
    ...(keepalivedDown(node)
      ? { keepalivedRunning: false }
      : node.keepalivedRunning !== undefined && { keepalivedRunning: node.keepalivedRunning }),
    ...(node.upstreams && {
      upstreams: [...node.upstreams].sort((a, b) => byString(a.server, b.server)),
    }),
    ...(node.outboxError && { agent: { outboxError: { ...node.outboxError } } }),
  };
}

export function sortNodes(nodes: NodeView[]): NodeView[] {
  return [...nodes].sort((a, b) => byString(a.name, b.name));
}

/** "lb1", "lb1 and lb2", "lb1, lb2 and lb3". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}
