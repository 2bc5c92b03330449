import type { AgentDataMessage, AgentSnapshot, ServiceHealth } from '@keepwatch/shared';

/*
 * Turns agent data messages into the changes history keeps. Change messages (transitions,
 * VIP changes, health flips, …) are kept as they are; a snapshot is kept only as the
 * differences from what the node was last known to be, so periodic or reconnect snapshots
 * cost nothing when nothing changed. Pure: the caller persists the mirror.
 */

/** What history last knew about one node; updated by every message, compared on snapshots. */
export interface NodeMirror {
  vrrp: Record<string, { state: string; prio: number }>;
  services: Record<string, boolean>;
  upstreams: Record<string, boolean>;
  groups: Record<string, string>;
  configs: Record<string, string>;
  vips: string[];
}

export interface DerivedChange {
  type: string;
  summary: string;
  data: unknown;
}

export const emptyMirror = (): NodeMirror => ({
  vrrp: {},
  services: {},
  upstreams: {},
  groups: {},
  configs: {},
  vips: [],
});

const healthWord = (h: ServiceHealth): string =>
  h.healthy ? 'healthy' : `unhealthy${h.detail ? `: ${h.detail}` : ''}`;

/** The payload without envelope fields (and without config file contents: they are large). */
function dataOf(msg: AgentDataMessage): unknown {
  const rest: Record<string, unknown> = { ...msg };
  delete rest['type'];
  delete rest['seq'];
  delete rest['ts'];
  if (msg.type === 'config.observed') {
    const config: Record<string, unknown> = { ...msg.config };
    delete config['content'];
    return { config };
  }
  return rest;
}

function direct(
  mirror: NodeMirror,
  msg: Exclude<AgentDataMessage, AgentSnapshot | { type: 'probe.samples' }>,
): string {
  switch (msg.type) {
    case 'vrrp.transition': {
      const before = mirror.vrrp[msg.instance];
      mirror.vrrp[msg.instance] = { state: msg.state, prio: msg.effectivePriority };
      if (before?.state === msg.state)
        return `${msg.instance} priority ${before.prio} → ${msg.effectivePriority}`;
      return `${msg.instance} → ${msg.state} (priority ${msg.effectivePriority})`;
    }
    case 'vip.change': {
      const key = msg.address.address;
      mirror.vips =
        msg.action === 'add'
          ? [...new Set([...mirror.vips, key])]
          : mirror.vips.filter((v) => v !== key);
      const verb = msg.action === 'add' ? 'added' : 'removed';
      return `${verb} ${key}/${msg.address.prefix} on ${msg.address.interface}`;
    }
    case 'service.health':
      mirror.services[msg.service] = msg.health.healthy;
      return `${msg.service} ${healthWord(msg.health)}`;
    case 'vrrp.group':
      mirror.groups[msg.group.name] = msg.group.state;
      return `sync group ${msg.group.name} → ${msg.group.state}`;
    case 'upstream.health':
      mirror.upstreams[msg.upstream.server] = msg.upstream.health.healthy;
      return `upstream ${msg.upstream.server} ${healthWord(msg.upstream.health)}`;
    case 'config.observed':
      mirror.configs[msg.config.component] = msg.config.hash ?? '';
      return `${msg.config.component} config ${msg.config.hash?.slice(0, 12) ?? 'unreadable'}${
        msg.config.test ? (msg.config.test.ok ? ', test ok' : ', test failed') : ''
      }`;
    case 'action.result':
      return `${msg.action} ${msg.ok ? 'succeeded' : `failed${msg.error ? `: ${msg.error.code}` : ''}`}`;
  }
}

type Diff = (before: NodeMirror, snap: AgentSnapshot, out: DerivedChange[]) => void;

const diffVrrp: Diff = (before, snap, out) => {
  for (const v of snap.vrrp) {
    const old = before.vrrp[v.instance];
    if (old?.state === v.state && old.prio === v.effectivePriority) continue;
    const summary =
      old?.state === v.state
        ? `${v.instance} priority ${old.prio} → ${v.effectivePriority}`
        : `${v.instance} → ${v.state} (priority ${v.effectivePriority})`;
    out.push({
      type: 'vrrp.transition',
      summary,
      data: {
        instance: v.instance,
        state: v.state,
        effectivePriority: v.effectivePriority,
        source: 'snapshot',
      },
    });
  }
};

const diffServices: Diff = (before, snap, out) => {
  for (const [service, health] of Object.entries(snap.services)) {
    if (!health || before.services[service] === health.healthy) continue;
    out.push({
      type: 'service.health',
      summary: `${service} ${healthWord(health)}`,
      data: { service, health, source: 'snapshot' },
    });
  }
};

const diffVips: Diff = (before, snap, out) => {
  const vipSet = new Set(snap.vrrp.flatMap((v) => v.vips));
  const now = snap.addresses.filter((a) => vipSet.has(a.address));
  const nowKeys = new Set(now.map((a) => a.address));
  for (const a of now) {
    if (before.vips.includes(a.address)) continue;
    out.push({
      type: 'vip.change',
      summary: `added ${a.address}/${a.prefix} on ${a.interface}`,
      data: { action: 'add', address: a, source: 'snapshot' },
    });
  }
  for (const old of before.vips) {
    if (nowKeys.has(old) || !vipSet.has(old)) continue;
    out.push({
      type: 'vip.change',
      summary: `removed ${old}`,
      data: { action: 'remove', address: { address: old }, source: 'snapshot' },
    });
  }
};

const diffRest: Diff = (before, snap, out) => {
  for (const g of snap.syncGroups ?? []) {
    if (before.groups[g.name] === g.state) continue;
    out.push({
      type: 'vrrp.group',
      summary: `sync group ${g.name} → ${g.state}`,
      data: { group: g, source: 'snapshot' },
    });
  }
  for (const u of snap.upstreams ?? []) {
    if (before.upstreams[u.server] === u.health.healthy) continue;
    out.push({
      type: 'upstream.health',
      summary: `upstream ${u.server} ${healthWord(u.health)}`,
      data: { upstream: u, source: 'snapshot' },
    });
  }
  for (const c of snap.configs ?? []) {
    const hash = c.hash ?? '';
    if (before.configs[c.component] === hash) continue;
    out.push({
      type: 'config.observed',
      summary: `${c.component} config ${hash.slice(0, 12) || 'unreadable'}`,
      data: { config: { ...c, content: undefined }, source: 'snapshot' },
    });
  }
};

function mirrorOf(snap: AgentSnapshot): NodeMirror {
  const vipSet = new Set(snap.vrrp.flatMap((v) => v.vips));
  const m = emptyMirror();
  for (const v of snap.vrrp) m.vrrp[v.instance] = { state: v.state, prio: v.effectivePriority };
  for (const [s, h] of Object.entries(snap.services)) if (h) m.services[s] = h.healthy;
  for (const g of snap.syncGroups ?? []) m.groups[g.name] = g.state;
  for (const u of snap.upstreams ?? []) m.upstreams[u.server] = u.health.healthy;
  for (const c of snap.configs ?? []) m.configs[c.component] = c.hash ?? '';
  m.vips = snap.addresses.filter((a) => vipSet.has(a.address)).map((a) => a.address);
  return m;
}

/**
 * The changes one message means for history, given the node's mirror (`undefined` = never
 * seen). Returns the next mirror; the input is not modified.
 */
/**
 * How many keys a mirror keeps per part (the schema's limits for one snapshot): change
 * messages naming ever new instances, upstreams or VIPs cannot grow it (nor the row it is
 * saved to on every message) past them; the oldest keys go first.
 */
export const MIRROR_LIMITS = {
  vrrp: 256,
  services: 16,
  upstreams: 256,
  groups: 64,
  configs: 16,
  vips: 1024,
} as const;

function keepLast<T>(record: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.length <= max) return record;
  return Object.fromEntries(keys.slice(-max).map((k) => [k, record[k] as T]));
}

/** The mirror within MIRROR_LIMITS (the same object when it already is). */
export function boundMirror(m: NodeMirror): NodeMirror {
  const L = MIRROR_LIMITS;
  m.vrrp = keepLast(m.vrrp, L.vrrp);
  m.services = keepLast(m.services, L.services);
  m.upstreams = keepLast(m.upstreams, L.upstreams);
  m.groups = keepLast(m.groups, L.groups);
  m.configs = keepLast(m.configs, L.configs);
  if (m.vips.length > L.vips) m.vips = m.vips.slice(-L.vips);
  return m;
}

export function deriveChanges(
  prev: NodeMirror | undefined,
  msg: AgentDataMessage,
): { mirror: NodeMirror; changes: DerivedChange[] } {
  // A drill's client-probe batches are the drill report's data, not the node's history.
  if (msg.type === 'probe.samples') return { mirror: prev ?? emptyMirror(), changes: [] };
  if (msg.type !== 'snapshot') {
    const mirror = structuredClone(prev ?? emptyMirror());
    const summary = direct(mirror, msg);
    return {
      mirror: boundMirror(mirror),
      changes: [{ type: msg.type, summary, data: dataOf(msg) }],
    };
  }
  const mirror = mirrorOf(msg);
  if (!prev) {
    const states = msg.vrrp.map((v) => `${v.instance} ${v.state}`);
    const health = Object.entries(msg.services).map(
      ([s, h]) => `${s} ${h?.healthy ? 'healthy' : 'unhealthy'}`,
    );
    const summary = `first report: ${[...states, ...health].join(', ') || 'nothing observed'}`;
    return {
      mirror,
      changes: [{ type: 'snapshot', summary, data: { vrrp: msg.vrrp, services: msg.services } }],
    };
  }
  const changes: DerivedChange[] = [];
  for (const diff of [diffVrrp, diffServices, diffVips, diffRest]) diff(prev, msg, changes);
  return { mirror, changes };
}
